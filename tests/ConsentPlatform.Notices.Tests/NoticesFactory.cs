using ConsentPlatform.Contracts;
using ConsentPlatform.Notices.Replica;
using ConsentPlatform.ServiceDefaults.Identity;
using ConsentPlatform.Telephony;
using ConsentPlatform.Testing;
using MassTransit;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace ConsentPlatform.Notices.Tests;

/// <summary>
/// A clock the test sets (everything Notices decides by time reads it) that keeps running from
/// there, so retry and lookup schedules still come due.
/// </summary>
public sealed class TestClock(DateTimeOffset start) : TimeProvider
{
    private TimeSpan _offset = start - DateTimeOffset.UtcNow;

    public DateTimeOffset Now
    {
        get => DateTimeOffset.UtcNow + _offset;
        set => _offset = value - DateTimeOffset.UtcNow;
    }

    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>The Notices service in process, on its own data folder, optionally pointed at a fake Twilio.</summary>
public sealed class NoticesFactory(IDictionary<string, string?>? settings = null) : WebApplicationFactory<NoticesDatabase>
{
    public static readonly byte[] HashKey = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
    private readonly TempDirectory _data = new("cp-notices-");

    /// <summary>Noon in Tokyo: inside the default 08:00–21:00 window.</summary>
    public TestClock Clock { get; } = new(new DateTimeOffset(2026, 7, 16, 3, 0, 0, TimeSpan.Zero));

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Database:DataFolder", _data.Path);
        builder.UseSetting("Hashing:Key", Convert.ToBase64String(HashKey));
        builder.UseSetting("RateLimiting:PublicRequestsPerMinute", "100000");
        builder.UseSetting("Outbox:PollMilliseconds", "20");
        builder.UseSetting("Sms:PollMilliseconds", "20");
        // An in-memory server listens on no address, so its short links name the base address its clients use.
        if (KestrelAddress is null) builder.UseSetting("Notices:PublicBaseUrl", "http://localhost");
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) builder.UseSetting(key, value);
        builder.ConfigureServices(services =>
        {
            services.AddSingleton<TimeProvider>(Clock);
            ConfigureTestServices?.Invoke(services);
        });
    }

    /// <summary>More test services (a log capture, say), added after the service's own.</summary>
    public Action<IServiceCollection>? ConfigureTestServices { get; init; }

    /// <summary>Set when the factory runs on Kestrel (UseKestrel), so clients go to the real socket.</summary>
    public Uri? KestrelAddress { get; set; }

    public PhoneNumberHasher Hasher => Services.GetRequiredService<PhoneNumberHasher>();
    public ReplicaIndex Index => Services.GetRequiredService<ReplicaIndex>();
    public IBus Bus => Services.GetRequiredService<IBus>();

    public async Task<(string OrganizationId, HttpClient Client)> CreateOrganizationAsync(string legalName = "Acme K.K.")
    {
        var identity = Services.GetRequiredService<IdentityStore>();
        var org = await identity.CreateOrganizationAsync(legalName);
        var key = await identity.CreateKeyAsync(org.Id, [Scopes.Notices], "test");
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = KestrelAddress ?? new Uri("http://localhost") });
        client.DefaultRequestHeaders.Authorization = new("Bearer", key.Key);
        // Calls name one of the organization's purposes; the tests' calls are about "sales".
        await DeclarePurposeAsync(org.Id, "sales");
        return (org.Id, client);
    }

    /// <summary>Publishes what Consent does when an event with this purpose code is saved, and waits until Notices knows it.</summary>
    public async Task DeclarePurposeAsync(string organizationId, string purpose)
    {
        await Bus.Publish(new EventPurposeSaved { EventId = "ev_" + Guid.NewGuid().ToString("N")[..16], OrganizationId = organizationId, Purpose = purpose, SavedAt = Clock.Now });
        var purposes = Services.GetRequiredService<Replica.Purposes>();
        await Eventually.AssertAsync(async () => (await purposes.ListAsync(organizationId, default)).Contains(purpose), TimeSpan.FromSeconds(10), "the purpose reaches Notices");
    }

    public string HashOf(string number) => Hasher.Hash(PhoneNumbers.Parse(number).Number);

    /// <summary>Publishes what Directory and Consent would, and waits until the replica has it.</summary>
    public async Task PublishCallingNumberAsync(string organizationId, string e164)
    {
        await Bus.Publish(new CallerNumberPublished { OrganizationId = organizationId, CallerNumberId = Guid.NewGuid(), PhoneNumber = e164, Department = "Sales", PublishedAt = Clock.Now.AddDays(-1) });
        await Eventually.AssertAsync(() => Index.IsPublished(organizationId, e164), TimeSpan.FromSeconds(10), "the calling number reaches the replica");
    }

    public async Task RecordSmsConsentAsync(string organizationId, string number, string purpose = "sales", DateTimeOffset? expiresAt = null)
    {
        var hash = HashOf(number);
        var recordedAt = Clock.Now.AddDays(-30);
        await Bus.Publish(new ConsentRecorded
        {
            ConsentId = Guid.NewGuid(), OrganizationId = organizationId, Channel = Channels.Sms, Purpose = purpose, ContactHash = hash,
            RecordedAt = recordedAt, ExpiresAt = expiresAt,
        });
        await Eventually.AssertAsync(() => Index.Find(hash).Consents.Any(c => c.Purpose == purpose && c.OrganizationId == organizationId
                && c.RecordedAt == recordedAt.ToUnixTimeMilliseconds() && c.ExpiresAt == expiresAt?.ToUnixTimeMilliseconds()),
            TimeSpan.FromSeconds(10), "the consent reaches the replica");
    }

    /// <summary>SMS consent for many numbers straight into the replica, for tests where replication is setup rather than the subject.</summary>
    public async Task SeedSmsConsentsAsync(string organizationId, IReadOnlyList<string> numbers, string purpose = "sales")
    {
        var replica = Services.GetRequiredService<ReplicaStore>();
        // The store reloads the index for these contacts as the transaction is disposed.
        await using var tx = await Services.GetRequiredService<NoticesDatabase>().BeginAsync();
        foreach (var hash in numbers.Select(HashOf))
            await replica.RecordConsentAsync(tx, "r:" + Guid.NewGuid(), "recorded", hash, organizationId, Channels.Sms, purpose, Clock.Now.AddDays(-1), null);
        await tx.CommitAsync();
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        SqliteConnection.ClearAllPools();
        if (disposing) _data.Dispose();
    }
}
