using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace ConsentPlatform.ServiceDefaults.Web;

/// <summary>
/// Every CSV the platform sends starts with the UTF-8 byte order mark unless the caller asks
/// <c>?bom=false</c>: Excel in Japan opens a BOM-less UTF-8 file as Shift_JIS and shows mojibake,
/// while scripts that cannot skip a BOM opt out. Registered only on the endpoints that can answer
/// CSV (<see cref="WithCsvByteOrderMark{TBuilder}"/>), so every other request, the benchmarked
/// short link above all, runs without a body wrapper; the writers themselves stay unaware of it.
/// </summary>
public static class CsvDownloads
{
    public const string BomParameter = "bom";
    private static readonly byte[] Bom = [0xEF, 0xBB, 0xBF];

    /// <summary>
    /// The endpoint's answer gets the mark when it is a 200 with a CSV content type (an endpoint that
    /// negotiates JSON or answers a problem is left alone). The handler must return an <see cref="IResult"/>.
    /// </summary>
    public static TBuilder WithCsvByteOrderMark<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(CsvByteOrderMark.Instance).AddEndpointFilter(async (invocation, next) =>
        {
            var result = await next(invocation);
            return result is IResult inner && WantsBom(invocation.HttpContext.Request) ? new MarkedResult(inner) : result;
        });

    /// <summary>Marks an endpoint that adds the mark, so a test can find a CSV endpoint that forgot it.</summary>
    public sealed class CsvByteOrderMark
    {
        public static readonly CsvByteOrderMark Instance = new();
        private CsvByteOrderMark() { }
    }

    /// <summary>Runs the endpoint's result with the response body wrapped, so the mark goes before its first byte.</summary>
    private sealed class MarkedResult(IResult inner) : IResult
    {
        public async Task ExecuteAsync(HttpContext context)
        {
            var original = context.Features.Get<IHttpResponseBodyFeature>()!;
            var body = new BomStream(original);
            context.Response.OnStarting(() =>
            {
                if (IsCsvAnswer(context.Response))
                {
                    body.Prefix = true;
                    // The length the result announced does not count the three bytes.
                    if (context.Response.ContentLength is { } length) context.Response.ContentLength = length + Bom.Length;
                }
                return Task.CompletedTask;
            });
            context.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(body, original));
            try
            {
                await inner.ExecuteAsync(context);
                // An announced length includes the mark even when the result wrote nothing. Anything
                // else that wrote nothing (a bare 404) must stay unstarted, so the problem-details
                // middleware can still write its body.
                if (!HttpMethods.IsHead(context.Request.Method) && IsCsvAnswer(context.Response))
                    await body.WriteMarkAsync(context.RequestAborted);
            }
            finally { context.Features.Set(original); }
        }
    }

    /// <summary>False only for <c>?bom=false</c> (or 0); a CSV for Excel is the default.</summary>
    public static bool WantsBom(HttpRequest request)
    {
        var value = request.Query[BomParameter].ToString();
        return !(value.Equals("false", StringComparison.OrdinalIgnoreCase) || value == "0");
    }

    /// <summary>The mark goes on a CSV the endpoint answered with; a problem or another type is left alone.</summary>
    private static bool IsCsvAnswer(HttpResponse response) => response.StatusCode == StatusCodes.Status200OK && IsCsv(response.ContentType);

    private static bool IsCsv(string? contentType) =>
        contentType is not null && contentType.Split(';')[0].Trim() is { } media
        && (media.Equals("text/csv", StringComparison.OrdinalIgnoreCase) || media.Equals("application/csv", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Writes the mark before the first byte of the body, once. The response is started first, so its
    /// content type is final (OnStarting decides <see cref="Prefix"/>) before anything is written.
    /// </summary>
    private sealed class BomStream(IHttpResponseBodyFeature original) : Stream
    {
        private readonly Stream inner = original.Stream;
        private bool _written;

        public bool Prefix { get; set; }

        public async ValueTask WriteMarkAsync(CancellationToken cancellationToken)
        {
            if (_written) return;
            _written = true;
            await original.StartAsync(cancellationToken);
            if (Prefix) await inner.WriteAsync(Bom, cancellationToken);
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (buffer.Length > 0) await WriteMarkAsync(cancellationToken);
            await inner.WriteAsync(buffer, cancellationToken);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count).GetAwaiter().GetResult();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
        public override void Flush() => inner.Flush();
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
