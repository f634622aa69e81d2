using Microsoft.Extensions.Configuration;

namespace ConsentPlatform.ServiceDefaults;

public enum DatabaseProvider { Sqlite, PostgreSql, SqlServer }

public enum BusTransport { InMemory, RabbitMq }

/// <summary>
/// The settings every service shares, read with <see cref="SettingsReader"/> like each service's own.
/// </summary>
public sealed class PlatformOptions : ICheckedSettings
{
    public DatabaseProvider DatabaseProvider { get; init; } = DatabaseProvider.Sqlite;
    public string DataFolder { get; init; } = "data";
    /// <summary>Where ASP.NET Data Protection keys live; services that share sign-in cookies must share it.</summary>
    public string KeysFolder { get; init; } = Path.Combine("data", "keys");
    public IReadOnlyDictionary<string, string?> ConnectionStrings { get; init; } = new Dictionary<string, string?>();

    public BusTransport Transport { get; init; } = BusTransport.InMemory;
    public string RabbitHost { get; init; } = "localhost";
    public ushort RabbitPort { get; init; } = 5672;
    public string RabbitVirtualHost { get; init; } = "/";
    public string RabbitUsername { get; init; } = "guest";
    public string RabbitPassword { get; init; } = "guest";
    public ushort PrefetchCount { get; init; } = 32;
    public bool QuorumQueues { get; init; }
    public int BusStartTimeoutSeconds { get; init; } = 15;

    public string? HashKeyId { get; init; }
    public byte[]? HashKey { get; init; }

    public int PublicRequestsPerMinute { get; init; } = 120;
    public int CodesPerRecipientPerHour { get; init; } = 3;
    public int CodesPerRecipientPerDay { get; init; } = 10;
    /// <summary>Reverse proxies whose X-Forwarded-For/-Proto are believed; none by default.</summary>
    public IReadOnlyList<System.Net.IPAddress> KnownProxies { get; init; } = [];
    public int IdentityCacheSeconds { get; init; } = 5;

    /// <summary>Where traces and metrics go over OTLP; none by default, so nothing leaves the machine.</summary>
    public string? OtlpEndpoint { get; init; }

    public int OutboxPollMilliseconds { get; init; } = 100;
    public int OutboxBatchSize { get; init; } = 200;
    public int OutboxClaimSeconds { get; init; } = 30;

    public IReadOnlyList<string> Errors { get; init; } = [];

    public static PlatformOptions Read(IConfiguration config)
    {
        var read = new SettingsReader(config);

        string? keyId = read.Text("Hashing:KeyId") ?? "k1";
        byte[]? key = null;
        if (read.Text("Hashing:Key") is not { } rawKey)
        {
            read.Fail("Hashing:Key is missing: set a base64 secret of at least 32 bytes shared by all services (e.g. `openssl rand -base64 32`).");
        }
        else
        {
            try { key = Convert.FromBase64String(rawKey); }
            catch (FormatException) { read.Fail("Hashing:Key is not valid base64."); }
            if (key is { Length: < 32 }) read.Fail($"Hashing:Key is {key.Length} bytes; at least 32 are required.");
        }

        // MassTransit reads this variable after our configuration and lets it switch its usage
        // reporting back on; nothing in this product may report to a third party.
        if (read.Text("MASSTRANSIT_USAGE_TELEMETRY") is { } usage && (usage == "1" || (bool.TryParse(usage, out var on) && on)))
            read.Fail($"MASSTRANSIT_USAGE_TELEMETRY: '{usage}' would send usage reports to MassTransit's vendor; ConsentPlatform never calls home, so unset it or set it to false.");

        var proxies = new List<System.Net.IPAddress>();
        foreach (var raw in (read.Text("ForwardedHeaders:KnownProxies") ?? "").Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries))
        {
            if (System.Net.IPAddress.TryParse(raw, out var proxy)) proxies.Add(proxy);
            else read.Fail($"ForwardedHeaders:KnownProxies: '{raw}' is not an IP address; list the proxies' addresses, comma-separated.");
        }

        var dataFolder = read.Text("Database:DataFolder") ?? "data";
        return new PlatformOptions
        {
            DatabaseProvider = read.Enum("Database:Provider", DatabaseProvider.Sqlite),
            DataFolder = dataFolder,
            KeysFolder = read.Text("DataProtection:KeysFolder") ?? Path.Combine(dataFolder, "keys"),
            ConnectionStrings = config.GetSection("ConnectionStrings").GetChildren()
                .ToDictionary(c => c.Key, c => c.Value, StringComparer.OrdinalIgnoreCase),
            Transport = read.Enum("Bus:Transport", BusTransport.InMemory),
            RabbitHost = read.Text("Bus:RabbitMq:Host") ?? "localhost",
            RabbitPort = (ushort)read.Int("Bus:RabbitMq:Port", 5672, 1, 65535),
            RabbitVirtualHost = read.Text("Bus:RabbitMq:VirtualHost") ?? "/",
            RabbitUsername = read.Text("Bus:RabbitMq:Username") ?? "guest",
            RabbitPassword = read.Text("Bus:RabbitMq:Password") ?? "guest",
            PrefetchCount = (ushort)read.Int("Bus:PrefetchCount", 32, 1, 10_000),
            QuorumQueues = read.Bool("Bus:QuorumQueues", false),
            BusStartTimeoutSeconds = read.Int("Bus:StartTimeoutSeconds", 15, 1, 600),
            HashKeyId = keyId,
            HashKey = key,
            KnownProxies = proxies,
            PublicRequestsPerMinute = read.Int("RateLimiting:PublicRequestsPerMinute", 120, 1, 10_000_000),
            CodesPerRecipientPerHour = read.Int("RateLimiting:CodesPerRecipientPerHour", 3, 1, 1_000),
            CodesPerRecipientPerDay = read.Int("RateLimiting:CodesPerRecipientPerDay", 10, 1, 10_000),
            IdentityCacheSeconds = read.Int("Identity:CacheSeconds", 5, 0, 300),
            OtlpEndpoint = read.Url("Telemetry:OtlpEndpoint", null),
            OutboxPollMilliseconds = read.Int("Outbox:PollMilliseconds", 100, 10, 60_000),
            OutboxBatchSize = read.Int("Outbox:BatchSize", 200, 1, 5_000),
            OutboxClaimSeconds = read.Int("Outbox:ClaimSeconds", 30, 5, 3_600),
            Errors = read.Errors,
        };
    }
}
