using Microsoft.Extensions.Configuration;

namespace ConsentPlatform.ServiceDefaults;

public enum DatabaseProvider { Sqlite, SqlServer }

public enum BusTransport { InMemory, RabbitMq }

/// <summary>
/// Every setting a service reads at start-up. Bound by hand (not with the binder) so an
/// unknown enum value becomes a validation message naming the key instead of an exception.
/// </summary>
public sealed class PlatformOptions
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
    public int IdentityCacheSeconds { get; init; } = 5;

    public int OutboxPollMilliseconds { get; init; } = 100;
    public int OutboxBatchSize { get; init; } = 200;
    public int OutboxClaimSeconds { get; init; } = 30;

    public IReadOnlyList<string> Errors { get; init; } = [];

    public static PlatformOptions Read(IConfiguration config)
    {
        var errors = new List<string>();

        T Parse<T>(string key, T fallback, Func<string, (bool Ok, T Value)> parse, string expected)
        {
            var raw = config[key];
            if (string.IsNullOrWhiteSpace(raw)) return fallback;
            var (ok, value) = parse(raw.Trim());
            if (ok) return value;
            errors.Add($"{key}: '{raw}' is not valid; expected {expected}.");
            return fallback;
        }

        static (bool, TEnum) ParseEnum<TEnum>(string s) where TEnum : struct, Enum =>
            (Enum.TryParse<TEnum>(s, ignoreCase: true, out var v) && Enum.IsDefined(v) && !int.TryParse(s, out _), v);

        (bool, int) IntIn(string s, int min, int max) => (int.TryParse(s, out var v) && v >= min && v <= max, int.TryParse(s, out var w) ? w : 0);

        var provider = Parse("Database:Provider", DatabaseProvider.Sqlite, ParseEnum<DatabaseProvider>, "Sqlite or SqlServer");
        var transport = Parse("Bus:Transport", BusTransport.InMemory, ParseEnum<BusTransport>, "InMemory or RabbitMq");

        var connectionStrings = config.GetSection("ConnectionStrings").GetChildren()
            .ToDictionary(c => c.Key, c => c.Value, StringComparer.OrdinalIgnoreCase);

        string? keyId = config["Hashing:KeyId"];
        byte[]? key = null;
        var rawKey = config["Hashing:Key"];
        if (string.IsNullOrWhiteSpace(rawKey))
        {
            errors.Add("Hashing:Key is missing: set a base64 secret of at least 32 bytes shared by all services (e.g. `openssl rand -base64 32`).");
        }
        else
        {
            try { key = Convert.FromBase64String(rawKey.Trim()); }
            catch (FormatException) { errors.Add("Hashing:Key is not valid base64."); }
            if (key is { Length: < 32 }) errors.Add($"Hashing:Key is {key.Length} bytes; at least 32 are required.");
        }
        if (string.IsNullOrWhiteSpace(keyId)) keyId = "k1";

        // MassTransit reads this variable after our configuration and lets it switch its usage
        // reporting back on; nothing in this product may report to a third party.
        if (config["MASSTRANSIT_USAGE_TELEMETRY"] is { Length: > 0 } usage
            && (usage.Trim() == "1" || (bool.TryParse(usage.Trim(), out var on) && on)))
            errors.Add($"MASSTRANSIT_USAGE_TELEMETRY: '{usage}' would send usage reports to MassTransit's vendor; ConsentPlatform never calls home, so unset it or set it to false.");

        var options = new PlatformOptions
        {
            DatabaseProvider = provider,
            DataFolder = config["Database:DataFolder"] is { Length: > 0 } folder ? folder : "data",
            KeysFolder = config["DataProtection:KeysFolder"] is { Length: > 0 } keys ? keys
                : Path.Combine(config["Database:DataFolder"] is { Length: > 0 } data ? data : "data", "keys"),
            ConnectionStrings = connectionStrings,
            Transport = transport,
            RabbitHost = config["Bus:RabbitMq:Host"] is { Length: > 0 } host ? host : "localhost",
            RabbitPort = (ushort)Parse("Bus:RabbitMq:Port", 5672, s => IntIn(s, 1, 65535), "a port number 1-65535"),
            RabbitVirtualHost = config["Bus:RabbitMq:VirtualHost"] is { Length: > 0 } vhost ? vhost : "/",
            RabbitUsername = config["Bus:RabbitMq:Username"] is { Length: > 0 } user ? user : "guest",
            RabbitPassword = config["Bus:RabbitMq:Password"] is { Length: > 0 } password ? password : "guest",
            PrefetchCount = (ushort)Parse("Bus:PrefetchCount", 32, s => IntIn(s, 1, 10_000), "a whole number 1-10000"),
            QuorumQueues = Parse("Bus:QuorumQueues", false, s => (bool.TryParse(s, out var b), bool.TryParse(s, out var c) && c), "true or false"),
            BusStartTimeoutSeconds = Parse("Bus:StartTimeoutSeconds", 15, s => IntIn(s, 1, 600), "seconds 1-600"),
            HashKeyId = keyId,
            HashKey = key,
            PublicRequestsPerMinute = Parse("RateLimiting:PublicRequestsPerMinute", 120, s => IntIn(s, 1, 10_000_000), "a whole number ≥ 1"),
            CodesPerRecipientPerHour = Parse("RateLimiting:CodesPerRecipientPerHour", 3, s => IntIn(s, 1, 1_000), "a whole number 1-1000"),
            CodesPerRecipientPerDay = Parse("RateLimiting:CodesPerRecipientPerDay", 10, s => IntIn(s, 1, 10_000), "a whole number 1-10000"),
            IdentityCacheSeconds = Parse("Identity:CacheSeconds", 5, s => IntIn(s, 0, 300), "seconds 0-300"),
            OutboxPollMilliseconds = Parse("Outbox:PollMilliseconds", 100, s => IntIn(s, 10, 60_000), "milliseconds 10-60000"),
            OutboxBatchSize = Parse("Outbox:BatchSize", 200, s => IntIn(s, 1, 5_000), "a whole number 1-5000"),
            OutboxClaimSeconds = Parse("Outbox:ClaimSeconds", 30, s => IntIn(s, 5, 3_600), "seconds 5-3600"),
            Errors = errors,
        };
        return options;
    }
}
