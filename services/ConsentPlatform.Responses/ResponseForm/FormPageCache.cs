using System.Collections.Concurrent;
using System.IO.Compression;
using System.Text;
using ConsentPlatform.Responses.Links;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;

namespace ConsentPlatform.Responses.ResponseForm;

/// <summary>
/// The short link's hot path: the form page rendered once per link, language, day and form token
/// (the token changes hourly and is the same for every visitor, ADR 0010), kept as UTF-8 bytes and
/// compressed once with Brotli and gzip. A request then costs a copy of about 2 KB instead of a
/// component render and 6 KB; a phone on a slow network gets the page in fewer round trips.
/// </summary>
public sealed class FormPageCache(IServiceScopeFactory scopes, ILoggerFactory loggers, ResponsesOptions options, TimeProvider time)
{
    private readonly ConcurrentDictionary<(string Code, string Lang), Rendered> _pages = new();

    private sealed record Rendered(LinkView View, DateOnly Day, DateTimeOffset Expires, string Token, byte[] Html, byte[] Brotli, byte[] Gzip);

    public async Task WriteAsync(HttpContext context, LinkView view, Texts texts, DateOnly today, string token)
    {
        var key = (view.Link.Code, texts.Lang);
        if (!_pages.TryGetValue(key, out var page) || !ReferenceEquals(page.View, view) || page.Day != today || !ReferenceEquals(page.Token, token)
            || page.Expires < time.GetUtcNow())
        {
            var html = Encoding.UTF8.GetBytes(await RenderAsync(view, texts, today, token));
            page = new Rendered(view, today, time.GetUtcNow().Add(options.LinkCacheTtl), token, html,
                Compress(html, s => new BrotliStream(s, CompressionLevel.Optimal)), Compress(html, s => new GZipStream(s, CompressionLevel.Optimal)));
            // Bounded like the link cache: when full, start over rather than grow without limit.
            if (_pages.Count >= options.LinkCacheSize) _pages.Clear();
            _pages[key] = page;
        }

        var response = context.Response;
        var (body, encoding) = Accepts(context.Request, "br") ? (page.Brotli, "br") : Accepts(context.Request, "gzip") ? (page.Gzip, "gzip") : (page.Html, null);
        response.ContentType = "text/html; charset=utf-8";
        response.Headers.Vary = "Accept-Encoding";
        if (encoding is not null) response.Headers.ContentEncoding = encoding;
        response.ContentLength = body.Length;
        await response.BodyWriter.WriteAsync(body, context.RequestAborted);
    }

    /// <summary>Whether Accept-Encoding lists the coding without refusing it (q=0); no allocation on the hot path.</summary>
    internal static bool Accepts(HttpRequest request, string coding)
    {
        foreach (var value in request.Headers.AcceptEncoding)
        {
            var rest = value.AsSpan();
            while (!rest.IsEmpty)
            {
                var comma = rest.IndexOf(',');
                var item = (comma < 0 ? rest : rest[..comma]).Trim();
                rest = comma < 0 ? default : rest[(comma + 1)..];
                var semicolon = item.IndexOf(';');
                var name = (semicolon < 0 ? item : item[..semicolon]).Trim();
                if (!name.Equals(coding, StringComparison.OrdinalIgnoreCase)) continue;
                var parameters = semicolon < 0 ? default : item[(semicolon + 1)..].Trim();
                return !(parameters.StartsWith("q=0", StringComparison.OrdinalIgnoreCase) && !parameters.ContainsAnyInRange('1', '9'));
            }
        }
        return false;
    }

    private static byte[] Compress(byte[] html, Func<Stream, Stream> compressor)
    {
        using var output = new MemoryStream();
        using (var stream = compressor(output)) stream.Write(html);
        return output.ToArray();
    }

    private async Task<string> RenderAsync(LinkView view, Texts texts, DateOnly today, string token)
    {
        // The renderer needs scoped component services; one scope per render, like a request.
        await using var scope = scopes.CreateAsyncScope();
        await using var renderer = new HtmlRenderer(scope.ServiceProvider, loggers);
        return await renderer.Dispatcher.InvokeAsync(async () =>
        {
            var output = await renderer.RenderComponentAsync<ResponsePage>(ParameterView.FromDictionary(new Dictionary<string, object?>
            {
                [nameof(ResponsePage.T)] = texts,
                [nameof(ResponsePage.View)] = view,
                [nameof(ResponsePage.Token)] = token,
                [nameof(ResponsePage.Today)] = today,
            }));
            return output.ToHtmlString();
        });
    }
}
