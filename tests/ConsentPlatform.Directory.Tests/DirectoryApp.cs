using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ConsentPlatform.Contracts;
using ConsentPlatform.ServiceDefaults.Identity;
using ConsentPlatform.Testing;
using MassTransit;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace ConsentPlatform.Directory.Tests;

/// <summary>A clock the tests move forward (lock expiry, validity windows) without waiting.</summary>
public sealed class ManualClock : TimeProvider
{
    private long _offsetTicks;
    public override DateTimeOffset GetUtcNow() => base.GetUtcNow().AddTicks(Interlocked.Read(ref _offsetTicks));
    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);
}

/// <summary>The Directory service in process on its own data folder, with a recorder on its bus standing in for Notices and Consent.</summary>
public class DirectoryApp : WebApplicationFactory<DirectoryDatabase>
{
    public static readonly byte[] HashKey = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();

    private readonly TempDirectory _data = new("cp-directory-");
    private readonly Dictionary<string, string> _settings;
    private BusRecorder? _recorder;

    public DirectoryApp() : this([]) { }

    protected DirectoryApp(Dictionary<string, string> settings) => _settings = settings;

    public ManualClock Clock { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Database:DataFolder", _data.Path);
        builder.UseSetting("Hashing:Key", Convert.ToBase64String(HashKey));
        builder.UseSetting("RateLimiting:PublicRequestsPerMinute", "100000");
        builder.UseSetting("Outbox:PollMilliseconds", "20");
        builder.UseSetting("Identity:CacheSeconds", "1");
        foreach (var (key, value) in _settings) builder.UseSetting(key, value);
        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Clock));
    }

    /// <summary>Every message Directory published, as another service would receive it.</summary>
    public BusRecorder Bus => _recorder ??= BusRecorder.ConnectAsync(Services.GetRequiredService<IBus>()).GetAwaiter().GetResult();

    public IdentityStore Identity => Services.GetRequiredService<IdentityStore>();

    public async Task<(string OrganizationId, HttpClient Client)> CreateOrganizationAsync(string legalName = "Acme K.K.", bool withProfile = true, string[]? tradeNames = null)
    {
        _ = Bus; // listening before anything is published
        var org = await Identity.CreateOrganizationAsync(legalName);
        var key = await Identity.CreateKeyAsync(org.Id, [Scopes.Directory], "test");
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Authorization = new("Bearer", key.Key);
        if (withProfile)
        {
            var profile = await client.PutAsJsonAsync("/api/directory/organization", new
            {
                legalName, tradeNames = tradeNames ?? [], contactPhone = "0120-444-444", contactEmail = "privacy@example.jp",
                websiteUrl = "https://example.jp", privacyPolicyUrl = "https://example.jp/privacy",
            });
            Assert.Equal(HttpStatusCode.OK, profile.StatusCode);
        }
        return (org.Id, client);
    }

    public static async Task<JsonElement> AddNumberAsync(HttpClient client, string number, string department = "Sales", object? extra = null)
    {
        var body = new Dictionary<string, object?>
        {
            ["phoneNumber"] = number, ["department"] = department, ["purposes"] = new[] { "Seminar follow-up" },
            ["callingHoursStart"] = "09:00", ["callingHoursEnd"] = "18:00",
        };
        if (extra is not null)
            foreach (var property in JsonSerializer.SerializeToElement(extra).EnumerateObject()) body[property.Name] = property.Value;
        var response = await client.PostAsJsonAsync("/api/directory/numbers", body);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>Requests a code and returns it as the delivering service received it.</summary>
    public async Task<string> RequestCodeAsync(HttpClient client, string numberId)
    {
        var start = await client.PostAsync($"/api/directory/numbers/{numberId}/verification", null);
        Assert.True(start.StatusCode == HttpStatusCode.Accepted, $"{(int)start.StatusCode} {await start.Content.ReadAsStringAsync()}");
        var started = await start.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(numberId, started.GetProperty("callerNumberId").GetString());
        return await Bus.CodeAsync(started.GetProperty("requestId").GetGuid());
    }

    public async Task<JsonElement> PublishNumberAsync(HttpClient client, string number, string department = "Sales")
    {
        var added = await AddNumberAsync(client, number, department);
        var id = added.GetProperty("id").GetString()!;
        var code = await RequestCodeAsync(client, id);
        var confirmed = await client.PostAsJsonAsync($"/api/directory/numbers/{id}/verification/code", new { code });
        Assert.True(confirmed.StatusCode == HttpStatusCode.OK, $"{(int)confirmed.StatusCode} {await confirmed.Content.ReadAsStringAsync()}");
        return await confirmed.Content.ReadFromJsonAsync<JsonElement>();
    }

    public HttpClient CreatePublicClient() => CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    protected override void Dispose(bool disposing)
    {
        _recorder?.Dispose();
        base.Dispose(disposing);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (disposing) _data.Dispose();
    }
}

/// <summary>A receive endpoint connected to the running bus that keeps every message Directory publishes.</summary>
public sealed class BusRecorder : IDisposable
{
    private readonly ConcurrentQueue<object> _messages = new();
    private HostReceiveEndpointHandle? _handle;

    public static async Task<BusRecorder> ConnectAsync(IBus bus, string? queue = null)
    {
        var recorder = new BusRecorder();
        recorder._handle = bus.ConnectReceiveEndpoint(queue ?? "directory-tests-" + Guid.NewGuid().ToString("N"), e =>
        {
            e.Handler<SendVerificationCode>(c => recorder.Keep(c.Message));
            e.Handler<PlaceVerificationCall>(c => recorder.Keep(c.Message));
            e.Handler<CallerNumberPublished>(c => recorder.Keep(c.Message));
            e.Handler<CallerNumberWithdrawn>(c => recorder.Keep(c.Message));
            e.Handler<OptOutRequested>(c => recorder.Keep(c.Message));
            e.Handler<OrganizationProfileChanged>(c => recorder.Keep(c.Message));
        });
        await recorder._handle.Ready;
        return recorder;
    }

    private Task Keep(object message)
    {
        _messages.Enqueue(message);
        return Task.CompletedTask;
    }

    public IReadOnlyList<T> All<T>() => _messages.OfType<T>().ToList();

    public async Task<T> WaitForAsync<T>(Func<T, bool> match, string because, TimeSpan? timeout = null)
    {
        T? found = default;
        await Eventually.AssertAsync(() => (found = _messages.OfType<T>().FirstOrDefault(match)) is not null, timeout ?? TimeSpan.FromSeconds(10), because);
        return found!;
    }

    /// <summary>The code carried by the command with this RequestId (SMS or call).</summary>
    public async Task<string> CodeAsync(Guid requestId, string purpose = "directory_verification")
    {
        await Eventually.AssertAsync(() => _messages.Any(m => m is SendVerificationCode s && s.RequestId == requestId || m is PlaceVerificationCall c && c.RequestId == requestId),
            TimeSpan.FromSeconds(10), $"the code {requestId} reaches the service that delivers it");
        return _messages.Select(m => m switch
        {
            SendVerificationCode s when s.RequestId == requestId && s.Purpose == purpose => s.Code,
            PlaceVerificationCall c when c.RequestId == requestId && c.Purpose == purpose => c.Code,
            _ => null,
        }).First(c => c is not null)!;
    }

    public void Dispose() => _handle?.StopAsync().GetAwaiter().GetResult();
}
