namespace ConsentPlatform.Responses;

/// <summary>The Responses service's own settings (section "Responses"). Missing or non-positive values fall back to the defaults below.</summary>
public sealed class ResponsesOptions
{
    /// <summary>How long a short link's page data (link, profile, provenance) is served from memory before it is read again.</summary>
    public TimeSpan LinkCacheTtl { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>Upper bound of links held in memory.</summary>
    public int LinkCacheSize { get; init; } = 100_000;

    /// <summary>After this many failed attempts a delivery becomes a dead letter (redeliver through the API).</summary>
    public int CrmMaxAttempts { get; init; } = 12;
    public TimeSpan CrmFirstRetry { get; init; } = TimeSpan.FromSeconds(2);
    /// <summary>Cap of the exponential backoff between attempts of one delivery.</summary>
    public TimeSpan CrmMaxBackoff { get; init; } = TimeSpan.FromMinutes(10);
    /// <summary>How long a connector's circuit stays open after repeated failures.</summary>
    public TimeSpan CrmBreakDuration { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan CrmTimeout { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan CrmPoll { get; init; } = TimeSpan.FromMilliseconds(500);
    public int CrmBatchSize { get; init; } = 50;
    /// <summary>
    /// Hosts a connector may reach whatever they resolve to, over http too: for a CRM fake on this
    /// machine in development and tests (ADR 0016). Empty in production.
    /// </summary>
    public IReadOnlyList<string> CrmAllowedHosts { get; init; } = [];

    public static ResponsesOptions Read(IConfiguration config)
    {
        TimeSpan Seconds(string key, TimeSpan fallback) =>
            double.TryParse(config[key], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var s) && s > 0
                ? TimeSpan.FromSeconds(s) : fallback;
        int Int(string key, int fallback) => int.TryParse(config[key], out var v) && v > 0 ? v : fallback;
        var defaults = new ResponsesOptions();
        return new ResponsesOptions
        {
            LinkCacheTtl = Seconds("Responses:LinkCacheSeconds", defaults.LinkCacheTtl),
            LinkCacheSize = Int("Responses:LinkCacheSize", defaults.LinkCacheSize),
            CrmMaxAttempts = Int("Responses:Crm:MaxAttempts", defaults.CrmMaxAttempts),
            CrmFirstRetry = Seconds("Responses:Crm:FirstRetrySeconds", defaults.CrmFirstRetry),
            CrmMaxBackoff = Seconds("Responses:Crm:MaxBackoffSeconds", defaults.CrmMaxBackoff),
            CrmBreakDuration = Seconds("Responses:Crm:BreakSeconds", defaults.CrmBreakDuration),
            CrmTimeout = Seconds("Responses:Crm:TimeoutSeconds", defaults.CrmTimeout),
            CrmPoll = Seconds("Responses:Crm:PollSeconds", defaults.CrmPoll),
            CrmBatchSize = Int("Responses:Crm:BatchSize", defaults.CrmBatchSize),
            CrmAllowedHosts = (config["Responses:Crm:AllowedHosts"] ?? "")
                .Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Concat(config.GetSection("Responses:Crm:AllowedHosts").GetChildren().Select(c => c.Value ?? "").Where(v => v.Length > 0))
                .ToList(),
        };
    }
}
