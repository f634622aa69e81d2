using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using ConsentPlatform.Notices.Webhooks;
using ConsentPlatform.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ConsentPlatform.Benchmarks.Notices;

/// <summary>
/// A copy of the Notices tests' fake Twilio (tests/ConsentPlatform.Notices.Tests/FakeTwilio.cs) for
/// the notices-send harness, which cannot reference a test project: the Messages API on loopback
/// Kestrel, signed status callbacks, and optional 429/503 answers. Its arrival log is what the
/// harness counts as "sent".
/// </summary>
public sealed class BenchFakeTwilio : IAsyncDisposable
{
    public const string AccountSid = "AC00000000000000000000000000000001";
    public const string AuthToken = "fake-auth-token-0123456789";

    private readonly WebApplication _app;
    private readonly HttpClient _callbacks = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly CancellationTokenSource _stopping = new();
    private int _sequence;
    private long _accepted;

    private BenchFakeTwilio(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }
    /// <summary>Messages taken (each is one SMS "on the network").</summary>
    public long AcceptedCount => Interlocked.Read(ref _accepted);
    /// <summary>Arrival time (Stopwatch ticks) of every send request, whatever the answer.</summary>
    public ConcurrentQueue<long> Arrivals { get; } = new();
    /// <summary>Bodies taken, to check that no notice arrived twice.</summary>
    public ConcurrentQueue<string> Bodies { get; } = new();
    /// <summary>Share of requests answered 429 (Twilio 20429) before anything is taken.</summary>
    public double TooManyRequestsShare { get; set; }
    public bool SendCallbacks { get; set; } = true;

    public static async Task<BenchFakeTwilio> StartAsync()
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new BenchFakeTwilio(app, new Uri($"http://127.0.0.1:{port}"));
        app.MapPost("/2010-04-01/Accounts/{account}/Messages.json", (Delegate)fake.CreateAsync);
        app.MapGet("/2010-04-01/Accounts/{account}/Messages.json", () => Results.Json(new { messages = Array.Empty<object>() }));
        await app.StartAsync();
        return fake;
    }

    private async Task<IResult> CreateAsync(HttpContext context, string account)
    {
        Arrivals.Enqueue(Stopwatch.GetTimestamp());
        var authorized = account == AccountSid
            && context.Request.Headers.Authorization.ToString() == "Basic " + Convert.ToBase64String(Encoding.ASCII.GetBytes($"{AccountSid}:{AuthToken}"));
        if (!authorized) return Results.Json(new { code = 20003, message = "Authenticate", status = 401 }, statusCode: 401);
        var form = await context.Request.ReadFormAsync();
        if (TooManyRequestsShare > 0 && Random.Shared.NextDouble() < TooManyRequestsShare)
            return Results.Json(new { code = 20429, message = "Too Many Requests", status = 429 }, statusCode: 429);
        var sid = $"SM{Interlocked.Increment(ref _sequence):D32}";
        var to = form["To"].ToString();
        Bodies.Enqueue(form["Body"].ToString());
        Interlocked.Increment(ref _accepted);
        if (SendCallbacks && form["StatusCallback"].FirstOrDefault() is { } callback) _ = CallbackAsync(sid, to, callback);
        return Results.Json(new { sid, account_sid = AccountSid, to, body = form["Body"].ToString(), status = "queued" }, statusCode: 201);
    }

    private async Task CallbackAsync(string sid, string to, string url)
    {
        foreach (var status in new[] { "sent", "delivered" })
        {
            try
            {
                await Task.Delay(50, _stopping.Token);
                var parameters = new Dictionary<string, string> { ["MessageSid"] = sid, ["MessageStatus"] = status, ["AccountSid"] = AccountSid, ["To"] = to };
                using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new FormUrlEncodedContent(parameters) };
                request.Headers.Add("X-Twilio-Signature", TwilioSignature.Compute(AuthToken, url, parameters));
                using var _ = await _callbacks.SendAsync(request, _stopping.Token);
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
            {
                return;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _callbacks.Dispose();
    }
}
