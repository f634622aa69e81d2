using ConsentPlatform.ServiceDefaults;
using Microsoft.Extensions.Configuration;

namespace ConsentPlatform.Consent;

/// <summary>The Consent service's own settings (section "Consent"), read with the platform's <see cref="SettingsReader"/>.</summary>
public sealed class ConsentOptions : ICheckedSettings
{
    /// <summary>How often the gate index picks up rows written by other processes of this service.</summary>
    public int IndexRefreshMilliseconds { get; init; } = 1_000;
    /// <summary>Largest bulk-scrub upload accepted, in bytes.</summary>
    public long MaxScrubBytes { get; init; } = 200L * 1024 * 1024;
    /// <summary>
    /// An import is one write transaction (all or nothing), and SQLite has one writer: opt-outs wait
    /// behind it. 20,000 rows keep that wait to about a second; larger lists go in several files.
    /// </summary>
    public int ImportMaxRows { get; init; } = 20_000;
    /// <summary>Largest import upload accepted, in bytes.</summary>
    public long ImportMaxBytes { get; init; } = 64L * 1024 * 1024;
    /// <summary>Region national phone numbers are read in (ISO 3166-1) when the organization has none of its own.</summary>
    public string DefaultRegion { get; init; } = "JP";
    /// <summary>Consent:DefaultRegions:{organizationId}: the region an organization's checks, forms and imports read national numbers in.</summary>
    public IReadOnlyDictionary<string, string> DefaultRegions { get; init; } = new Dictionary<string, string>();

    public string RegionFor(string organizationId) => DefaultRegions.GetValueOrDefault(organizationId, DefaultRegion);

    /// <summary>
    /// Days a data-subject request must be carried out in: Japan's APPI says "without delay", which the
    /// operator turns into a number; the GDPR's one month is 30. The console counts down to it.
    /// </summary>
    public int RequestDeadlineDays { get; init; } = 30;

    /// <summary>
    /// How often the ledger looks for granted consents whose expiry has passed, to announce them (ConsentExpired):
    /// how late, at most, a CRM hears that a consent ended.
    /// </summary>
    public int ExpirySweepSeconds { get; init; } = 60;

    /// <summary>The zone the console shows times in and reads dates in when the organization has none of its own (IANA id).</summary>
    public TimeZoneInfo TimeZone { get; init; } = Japan;
    /// <summary>Consent:TimeZones:{organizationId}: an organization's own zone for the console.</summary>
    public IReadOnlyDictionary<string, TimeZoneInfo> TimeZones { get; init; } = new Dictionary<string, TimeZoneInfo>();

    public TimeZoneInfo TimeZoneFor(string organizationId) => TimeZones.GetValueOrDefault(organizationId, TimeZone);

    private static readonly TimeZoneInfo Japan = TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo");

    private static TimeZoneInfo Zone(SettingsReader read, string key)
    {
        var value = read.Text(key);
        if (value is null) return Japan;
        if (TimeZoneInfo.TryFindSystemTimeZoneById(value, out var zone)) return zone;
        read.Fail($"{key}: '{value}' is not a known time zone; expected an IANA id such as Asia/Tokyo.");
        return Japan;
    }

    private static string Region(SettingsReader read, string key)
    {
        var value = read.Text(key);
        if (value is null) return "JP";
        if (Telephony.PhoneNumbers.IsSupportedRegion(value)) return value.ToUpperInvariant();
        read.Fail($"{key}: '{value}' is not valid; expected an ISO 3166-1 region code with a numbering plan (JP, US, GB …).");
        return "JP";
    }

    public IReadOnlyList<string> Errors { get; init; } = [];

    public static ConsentOptions Read(IConfiguration configuration)
    {
        var read = new SettingsReader(configuration);
        return new ConsentOptions
        {
            IndexRefreshMilliseconds = read.Int("Consent:IndexRefreshMilliseconds", 1_000, 50, 600_000),
            MaxScrubBytes = read.Long("Consent:MaxScrubBytes", 200L * 1024 * 1024, 1024, long.MaxValue),
            ImportMaxRows = read.Int("Consent:ImportMaxRows", 20_000, 1, 10_000_000),
            ImportMaxBytes = read.Long("Consent:ImportMaxBytes", 64L * 1024 * 1024, 1024, long.MaxValue),
            DefaultRegion = Region(read, "Consent:DefaultRegion"),
            DefaultRegions = configuration.GetSection("Consent:DefaultRegions").GetChildren()
                .ToDictionary(child => child.Key, child => Region(read, $"Consent:DefaultRegions:{child.Key}"), StringComparer.Ordinal),
            RequestDeadlineDays = read.Int("Consent:RequestDeadlineDays", 30, 1, 366),
            ExpirySweepSeconds = read.Int("Consent:ExpirySweepSeconds", 60, 1, 86_400),
            TimeZone = Zone(read, "Consent:TimeZone"),
            TimeZones = configuration.GetSection("Consent:TimeZones").GetChildren()
                .ToDictionary(child => child.Key, child => Zone(read, $"Consent:TimeZones:{child.Key}"), StringComparer.Ordinal),
            Errors = read.Errors,
        };
    }
}
