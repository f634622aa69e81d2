using Microsoft.Extensions.Configuration;

namespace ConsentPlatform.Consent;

/// <summary>The Consent service's own settings (section "Consent"), checked at start-up.</summary>
public sealed class ConsentOptions
{
    /// <summary>How often the gate index picks up rows written by other processes of this service.</summary>
    public int IndexRefreshMilliseconds { get; init; } = 1_000;
    /// <summary>Largest bulk-scrub upload accepted, in bytes.</summary>
    public long MaxScrubBytes { get; init; } = 200L * 1024 * 1024;
    /// <summary>Most registrations one import file may hold (one transaction writes them all).</summary>
    /// <summary>
    /// An import is one write transaction (all or nothing), and SQLite has one writer: opt-outs wait
    /// behind it. 20,000 rows keep that wait to about a second; larger lists go in several files.
    /// </summary>
    public int ImportMaxRows { get; init; } = 20_000;
    /// <summary>Largest import upload accepted, in bytes.</summary>
    public long ImportMaxBytes { get; init; } = 64L * 1024 * 1024;

    public static ConsentOptions Read(IConfiguration configuration)
    {
        var section = configuration.GetSection("Consent");
        static T Parse<T>(string? raw, T fallback, Func<string, (bool, T)> parse, string key, string expected)
        {
            if (string.IsNullOrWhiteSpace(raw)) return fallback;
            var (ok, value) = parse(raw.Trim());
            return ok ? value : throw new ServiceDefaults.PlatformStartupException($"{key}: '{raw}' is not valid; expected {expected}.");
        }
        return new ConsentOptions
        {
            IndexRefreshMilliseconds = Parse(section["IndexRefreshMilliseconds"], 1_000,
                s => (int.TryParse(s, out var v) && v is >= 50 and <= 600_000, int.TryParse(s, out var w) ? w : 0), "Consent:IndexRefreshMilliseconds", "milliseconds 50-600000"),
            MaxScrubBytes = Parse(section["MaxScrubBytes"], 200L * 1024 * 1024,
                s => (long.TryParse(s, out var v) && v >= 1024, long.TryParse(s, out var w) ? w : 0), "Consent:MaxScrubBytes", "bytes ≥ 1024"),
            ImportMaxRows = Parse(section["ImportMaxRows"], 20_000,
                s => (int.TryParse(s, out var v) && v is >= 1 and <= 10_000_000, int.TryParse(s, out var w) ? w : 0), "Consent:ImportMaxRows", "rows 1-10000000"),
            ImportMaxBytes = Parse(section["ImportMaxBytes"], 64L * 1024 * 1024,
                s => (long.TryParse(s, out var v) && v >= 1024, long.TryParse(s, out var w) ? w : 0), "Consent:ImportMaxBytes", "bytes ≥ 1024"),
        };
    }
}
