using System.Collections.Concurrent;
using System.Text.Json;
using ConsentPlatform.Responses.Crm;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ConsentPlatform.Responses.Tests;

public enum CrmMode { Up, Down, Stall }

/// <summary>
/// A CRM webhook receiver on real Kestrel (loopback): it can be down (503), stall past the
/// sender's timeout, and it checks every signature the way a careful receiver would, keeping
/// the first accepted copy of each delivery id and counting repeats.
/// </summary>
public sealed class FakeCrm : IAsyncDisposable
{
    private readonly WebApplication _app;

    public sealed record Received(string DeliveryId, string ResponseId, string ContactHash, long Sequence, string? Comments, string PreferredContact);

    public CrmMode Mode { get; set; } = CrmMode.Up;
    public string Secret { get; set; } = "";
    public TimeSpan Stall { get; set; } = TimeSpan.FromSeconds(30);
    public ConcurrentQueue<Received> Accepted { get; } = new();
    /// <summary>Preference changes ("preference.changed"), in the order they arrived, each with its delivery id.</summary>
    public ConcurrentQueue<(string DeliveryId, CrmPreference Preference)> Preferences { get; } = new();
    /// <summary>The raw bodies of the accepted preference changes, to look for what must not be in them.</summary>
    public ConcurrentQueue<string> PreferenceBodies { get; } = new();
    /// <summary>Raised for each accepted preference change with the <see cref="System.Diagnostics.Stopwatch"/> timestamp of its arrival, for latency figures.</summary>
    public event Action<CrmPreference, long>? PreferenceArrived;

    /// <summary>A response (response.recorded) accepted, with its arrival as a Stopwatch timestamp.</summary>
    public event Action<Received, long>? ResponseArrived;
    private readonly ConcurrentDictionary<string, byte> _seen = new();
    private int _attempts, _refused, _badSignatures, _duplicates;

    public int Attempts => _attempts;
    public int Refused => _refused;
    public int BadSignatures => _badSignatures;
    public int Duplicates => _duplicates;

    private FakeCrm(WebApplication app) => _app = app;

    public string Url => _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/hook";

    public static async Task<FakeCrm> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var crm = new FakeCrm(app);
        app.MapPost("/hook", (Delegate)crm.HandleAsync);
        await app.StartAsync();
        return crm;
    }

    private async Task<IResult> HandleAsync(HttpContext context)
    {
        var arrived = System.Diagnostics.Stopwatch.GetTimestamp();
        Interlocked.Increment(ref _attempts);
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        var body = buffer.ToArray();
        switch (Mode)
        {
            case CrmMode.Down:
                Interlocked.Increment(ref _refused);
                return Results.StatusCode(503);
            case CrmMode.Stall:
                try { await Task.Delay(Stall, context.RequestAborted); } catch (OperationCanceledException) { }
                Interlocked.Increment(ref _refused);
                return Results.StatusCode(504);
        }
        if (!WebhookSignature.Verify(Secret, context.Request.Headers[WebhookSignature.Header], body, DateTimeOffset.UtcNow, WebhookSignature.ReplayWindow))
        {
            Interlocked.Increment(ref _badSignatures);
            return Results.StatusCode(401);
        }
        var deliveryId = context.Request.Headers[WebhookSignature.DeliveryHeader].ToString();
        if (!_seen.TryAdd(deliveryId, 0))
        {
            Interlocked.Increment(ref _duplicates);
            return Results.Ok();
        }
        if (JsonDocument.Parse(body).RootElement.GetProperty("event").GetString() == "preference.changed")
        {
            var change = JsonSerializer.Deserialize<PreferenceEnvelope>(body, WebhookSignature.Json)!;
            if (change.DeliveryId != deliveryId) { Interlocked.Increment(ref _badSignatures); return Results.BadRequest(); }
            Preferences.Enqueue((deliveryId, change.Preference));
            PreferenceBodies.Enqueue(System.Text.Encoding.UTF8.GetString(body));
            PreferenceArrived?.Invoke(change.Preference, arrived);
            return Results.Ok();
        }
        var envelope = JsonSerializer.Deserialize<WebhookEnvelope>(body, WebhookSignature.Json)!;
        if (envelope.DeliveryId != deliveryId) { Interlocked.Increment(ref _badSignatures); return Results.BadRequest(); }
        var r = envelope.Response;
        var received = new Received(deliveryId, r.ResponseId, r.ContactHash, r.Sequence, r.Comments, r.PreferredContact);
        Accepted.Enqueue(received);
        ResponseArrived?.Invoke(received, arrived);
        return Results.Ok();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>The parts of Salesforce's REST API the connector uses: client-credentials token, Lead by external id, upsert, Task.</summary>
public sealed class FakeSalesforce : IAsyncDisposable
{
    public const string ClientId = "3MVG9fake.client";
    public const string ClientSecret = "fake-client-secret-0123456789";
    private readonly WebApplication _app;
    private int _tokens;

    public ConcurrentDictionary<string, Dictionary<string, JsonElement>> Leads { get; } = new();
    public ConcurrentQueue<Dictionary<string, JsonElement>> Tasks { get; } = new();
    public int TokensIssued => _tokens;
    public string? CurrentToken { get; private set; }

    private FakeSalesforce(WebApplication app) => _app = app;

    public string Url => _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

    /// <summary>Makes the current token invalid, as when a session expires.</summary>
    public void ExpireToken() => CurrentToken = "expired-" + Guid.NewGuid();

    public static async Task<FakeSalesforce> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var sf = new FakeSalesforce(app);

        app.MapPost("/services/oauth2/token", async (HttpContext context) =>
        {
            var form = await context.Request.ReadFormAsync();
            if (form["grant_type"] != "client_credentials" || form["client_id"] != ClientId || form["client_secret"] != ClientSecret)
                return Results.Json(new { error = "invalid_client" }, statusCode: 400);
            Interlocked.Increment(ref sf._tokens);
            sf.CurrentToken = "tok-" + Guid.NewGuid().ToString("N");
            return Results.Json(new { access_token = sf.CurrentToken, instance_url = sf.Url, token_type = "Bearer" });
        });

        bool Authorized(HttpContext c) => sf.CurrentToken is not null && c.Request.Headers.Authorization == "Bearer " + sf.CurrentToken;

        app.MapGet("/services/data/v60.0/sobjects/Lead/{field}/{value}", (HttpContext context, string field, string value) =>
        {
            if (!Authorized(context)) return Results.StatusCode(401);
            return sf.Leads.TryGetValue($"{field}/{value}", out var lead)
                ? Results.Json(new { Id = lead["Id"].GetString(), attributes = new { type = "Lead" } })
                : Results.Json(new[] { new { errorCode = "NOT_FOUND", message = "The requested resource does not exist" } }, statusCode: 404);
        });

        app.MapMethods("/services/data/v60.0/sobjects/Lead/{field}/{value}", ["PATCH"], async (HttpContext context, string field, string value) =>
        {
            if (!Authorized(context)) return Results.StatusCode(401);
            var fields = await JsonSerializer.DeserializeAsync<Dictionary<string, JsonElement>>(context.Request.Body) ?? [];
            var key = $"{field}/{value}";
            var created = !sf.Leads.ContainsKey(key);
            if (created && (!fields.ContainsKey("LastName") || !fields.ContainsKey("Company")))
                return Results.Json(new[] { new { errorCode = "REQUIRED_FIELD_MISSING", message = "Required fields are missing: [LastName, Company]" } }, statusCode: 400);
            var lead = sf.Leads.GetOrAdd(key, _ => new Dictionary<string, JsonElement> { ["Id"] = JsonSerializer.SerializeToElement("00Q" + Guid.NewGuid().ToString("N")[..15]) });
            foreach (var (k, v) in fields) lead[k] = v;
            return Results.Json(new { id = lead["Id"].GetString(), success = true, created }, statusCode: created ? 201 : 200);
        });

        app.MapPost("/services/data/v60.0/sobjects/Task", async (HttpContext context) =>
        {
            if (!Authorized(context)) return Results.StatusCode(401);
            var task = await JsonSerializer.DeserializeAsync<Dictionary<string, JsonElement>>(context.Request.Body) ?? [];
            sf.Tasks.Enqueue(task);
            return Results.Json(new { id = "00T" + Guid.NewGuid().ToString("N")[..15], success = true }, statusCode: 201);
        });

        await app.StartAsync();
        return sf;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
