using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ConsentPlatform.Testing;

public enum FakeFault
{
    None,
    TooManyRequests,
    ServiceUnavailable,
    /// <summary>Takes the message, then never answers: the client times out after the request was sent.</summary>
    HangAfterAccepting,
    /// <summary>Takes the message, then answers 500: the client cannot tell whether it was taken.</summary>
    ErrorAfterAccepting,
    /// <summary>Never answers and never takes the message (lost on the way in): a lookup finds nothing.</summary>
    HangWithoutAccepting,
    Slow,
}

/// <summary>
/// A Twilio stand-in on a real loopback Kestrel server: the Messages API (form POST with basic
/// auth, JSON with sid/status/code, list by To), signed status callbacks, the Calls API (create a
/// call with inline TwiML), and faults on demand.
/// Its log is the ground truth of what was "delivered". Used by the Notices tests and by the
/// notices-send benchmark harness.
/// </summary>
public sealed class FakeTwilio : IAsyncDisposable
{
    public const string AccountSid = "AC00000000000000000000000000000001";
    public const string AuthToken = "fake-auth-token-0123456789";

    private readonly WebApplication _app;
    private readonly HttpClient _callbacks = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly CancellationTokenSource _stopping = new();
    private int _sequence;

    public sealed record Message(string Sid, string To, string? From, string Body, string? StatusCallback, DateTimeOffset CreatedAt);

    public ConcurrentQueue<Message> Accepted { get; } = new();

    /// <summary>A call the Calls API took: what it would dial and the TwiML it would play.</summary>
    public sealed record Call(string Sid, string To, string From, string Twiml, DateTimeOffset CreatedAt);

    /// <summary>Calls taken by the Calls API (the ground truth of what was "called").</summary>
    public ConcurrentQueue<Call> Calls { get; } = new();
    /// <summary>Arrival time (Stopwatch ticks) of every call request, whatever the answer.</summary>
    public ConcurrentQueue<long> CallArrivals { get; } = new();
    public long AcceptedCount => Accepted.Count;
    /// <summary>Arrival time (Stopwatch ticks) of every send request, whatever the answer.</summary>
    public ConcurrentQueue<long> Arrivals { get; } = new();
    /// <summary>How many times the message list was read (the sender's lookup after an unanswered send).</summary>
    public int Lookups => _lookups;
    private int _lookups;
    public Func<FakeFault> NextFault { get; set; } = () => FakeFault.None;
    public bool SendCallbacks { get; set; } = true;
    /// <summary>The statuses (and Twilio error code) posted to a message's StatusCallback, in order.</summary>
    public Func<Message, IReadOnlyList<(string Status, string? ErrorCode)>> CallbackStatuses { get; set; } = _ => [("sent", null), ("delivered", null)];
    /// <summary>
    /// Where callbacks are delivered when the service's public address (the one it gave as StatusCallback, and that
    /// the signature covers) is not reachable from here, as with a reverse proxy in front of it: scheme, host and port replaced.
    /// </summary>
    public Uri? DeliverCallbacksTo { get; set; }
    public Uri BaseAddress { get; }

    private FakeTwilio(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    public static async Task<FakeTwilio> StartAsync()
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeTwilio(app, new Uri($"http://127.0.0.1:{port}"));
        app.MapPost("/2010-04-01/Accounts/{account}/Messages.json", (Delegate)fake.CreateAsync);
        app.MapGet("/2010-04-01/Accounts/{account}/Messages.json", (Delegate)fake.List);
        app.MapPost("/2010-04-01/Accounts/{account}/Calls.json", (Delegate)fake.CreateCallAsync);
        await app.StartAsync();
        return fake;
    }

    private bool Authorized(HttpContext context, string account) =>
        account == AccountSid && context.Request.Headers.Authorization.ToString() == "Basic " + Convert.ToBase64String(Encoding.ASCII.GetBytes($"{AccountSid}:{AuthToken}"));

    private async Task<IResult> CreateAsync(HttpContext context, string account)
    {
        Arrivals.Enqueue(Stopwatch.GetTimestamp());
        if (!Authorized(context, account)) return Results.Json(new { code = 20003, message = "Authenticate", status = 401 }, statusCode: 401);
        var form = await context.Request.ReadFormAsync();
        var fault = NextFault();
        if (await RefuseBeforeAcceptingAsync(context, fault) is { } refused) return refused;
        var to = form["To"].ToString();
        if (!to.StartsWith('+')) return Results.Json(new { code = 21211, message = "Invalid 'To' Phone Number", status = 400 }, statusCode: 400);
        var message = new Message($"SM{Interlocked.Increment(ref _sequence):D32}", to, form["From"].FirstOrDefault(), form["Body"].ToString(),
            form["StatusCallback"].FirstOrDefault(), DateTimeOffset.UtcNow);
        Accepted.Enqueue(message);
        if (SendCallbacks && message.StatusCallback is not null) _ = CallbackAsync(message);
        if (fault == FakeFault.ErrorAfterAccepting)
            return Results.Json(new { code = 20500, message = "Internal Server Error", status = 500 }, statusCode: 500);
        if (fault == FakeFault.HangAfterAccepting)
        {
            // Taken, but the answer never comes: the client times out after the request was sent.
            await HangAsync(context);
            return Results.Empty;
        }
        return Results.Json(Resource(message, "queued"), statusCode: 201);
    }

    /// <summary>The faults that leave nothing taken: 429, 503, a hang before accepting (and Slow, which only delays).</summary>
    private async Task<IResult?> RefuseBeforeAcceptingAsync(HttpContext context, FakeFault fault)
    {
        switch (fault)
        {
            case FakeFault.TooManyRequests:
                return Results.Json(new { code = 20429, message = "Too Many Requests", status = 429 }, statusCode: 429);
            case FakeFault.ServiceUnavailable:
                return Results.Json(new { code = 20503, message = "Service Unavailable", status = 503 }, statusCode: 503);
            case FakeFault.Slow:
                await Task.Delay(TimeSpan.FromMilliseconds(300));
                break;
            case FakeFault.HangWithoutAccepting:
                await HangAsync(context);
                return Results.Empty;
        }
        return null;
    }

    /// <summary>
    /// The Calls API: To, From and inline Twiml (at most 4,000 characters) by form POST; 201 with the
    /// Call resource (sid CA…, status queued). The same faults as for messages apply.
    /// </summary>
    private async Task<IResult> CreateCallAsync(HttpContext context, string account)
    {
        CallArrivals.Enqueue(Stopwatch.GetTimestamp());
        if (!Authorized(context, account)) return Results.Json(new { code = 20003, message = "Authenticate", status = 401 }, statusCode: 401);
        var form = await context.Request.ReadFormAsync();
        var fault = NextFault();
        if (await RefuseBeforeAcceptingAsync(context, fault) is { } refused) return refused;
        var to = form["To"].ToString();
        if (!to.StartsWith('+')) return Results.Json(new { code = 21211, message = "Invalid 'To' Phone Number", status = 400 }, statusCode: 400);
        var from = form["From"].ToString();
        if (!from.StartsWith('+')) return Results.Json(new { code = 21212, message = "Invalid 'From' Phone Number", status = 400 }, statusCode: 400);
        var twiml = form["Twiml"].ToString();
        if (twiml.Length == 0) return Results.Json(new { code = 21200, message = "Url, Twiml or ApplicationSid is required", status = 400 }, statusCode: 400);
        if (twiml.Length > 4000) return Results.Json(new { code = 32018, message = "Twiml size exceeded maximum allowed value", status = 400 }, statusCode: 400);
        var call = new Call($"CA{Interlocked.Increment(ref _sequence):D32}", to, from, twiml, DateTimeOffset.UtcNow);
        Calls.Enqueue(call);
        if (fault == FakeFault.ErrorAfterAccepting)
            return Results.Json(new { code = 20500, message = "Internal Server Error", status = 500 }, statusCode: 500);
        if (fault == FakeFault.HangAfterAccepting)
        {
            await HangAsync(context);
            return Results.Empty;
        }
        return Results.Json(new
        {
            sid = call.Sid, account_sid = AccountSid, to = call.To, from = call.From, status = "queued", direction = "outbound-api",
            date_created = call.CreatedAt.ToString("r"), api_version = "2010-04-01",
        }, statusCode: 201);
    }

    private async Task HangAsync(HttpContext context)
    {
        using var hang = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
        try { await Task.Delay(Timeout.InfiniteTimeSpan, hang.Token); }
        catch (OperationCanceledException) { }
    }

    private IResult List(HttpContext context, string account, string? To)
    {
        if (!Authorized(context, account)) return Results.StatusCode(401);
        Interlocked.Increment(ref _lookups);
        var messages = Accepted.Where(m => To is null || m.To == To).OrderByDescending(m => m.CreatedAt).Select(m => Resource(m, "sent")).ToList();
        return Results.Json(new { messages });
    }

    private static object Resource(Message m, string status) => new
    {
        sid = m.Sid, account_sid = AccountSid, to = m.To, from = m.From, body = m.Body, status, error_code = (int?)null,
        date_created = m.CreatedAt.ToString("r"), num_segments = "1",
    };

    private async Task CallbackAsync(Message message)
    {
        foreach (var (status, errorCode) in CallbackStatuses(message))
        {
            try
            {
                await Task.Delay(50, _stopping.Token);
                var parameters = new Dictionary<string, string>
                {
                    ["MessageSid"] = message.Sid, ["MessageStatus"] = status, ["AccountSid"] = AccountSid, ["To"] = message.To, ["From"] = message.From ?? "",
                };
                if (errorCode is not null) parameters["ErrorCode"] = errorCode;
                var target = DeliverCallbacksTo is { } to
                    ? new UriBuilder(message.StatusCallback!) { Scheme = to.Scheme, Host = to.Host, Port = to.Port }.Uri
                    : new Uri(message.StatusCallback!);
                using var request = new HttpRequestMessage(HttpMethod.Post, target) { Content = new FormUrlEncodedContent(parameters) };
                request.Headers.Add("X-Twilio-Signature", Sign(message.StatusCallback!, parameters));
                using var _ = await _callbacks.SendAsync(request, _stopping.Token);
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Twilio's published algorithm (HMAC-SHA1 over the URL and the parameters sorted by name), written
    /// here apart from the service's validator so that a mistake in one cannot hide in both.
    /// </summary>
    private static string Sign(string url, Dictionary<string, string> parameters)
    {
        var data = new StringBuilder(url);
        foreach (var name in parameters.Keys.Order(StringComparer.Ordinal)) data.Append(name).Append(parameters[name]);
        return Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(AuthToken), Encoding.UTF8.GetBytes(data.ToString())));
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _callbacks.Dispose();
    }
}
