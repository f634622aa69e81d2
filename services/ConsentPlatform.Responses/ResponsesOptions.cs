using ConsentPlatform.ServiceDefaults;

namespace ConsentPlatform.Responses;

/// <summary>The Responses service's own settings (section "Responses"). Missing values take the defaults below; wrong ones stop start-up naming the key.</summary>
public sealed class ResponsesOptions : ICheckedSettings
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
    /// <summary>How long the link that confirms an "email only" address works (ADR 0030).</summary>
    public TimeSpan EmailConfirmationLifetime { get; init; } = TimeSpan.FromHours(72);

    public IReadOnlyList<string> Errors { get; init; } = [];

    public static ResponsesOptions Read(IConfiguration config)
    {
        var read = new SettingsReader(config);
        var defaults = new ResponsesOptions();
        return new ResponsesOptions
        {
            LinkCacheTtl = read.Seconds("Responses:LinkCacheSeconds", defaults.LinkCacheTtl, 0.1, 86_400),
            LinkCacheSize = read.Int("Responses:LinkCacheSize", defaults.LinkCacheSize, 1, 10_000_000),
            CrmMaxAttempts = read.Int("Responses:Crm:MaxAttempts", defaults.CrmMaxAttempts, 1, 1_000_000),
            CrmFirstRetry = read.Seconds("Responses:Crm:FirstRetrySeconds", defaults.CrmFirstRetry, 0.01, 3_600),
            CrmMaxBackoff = read.Seconds("Responses:Crm:MaxBackoffSeconds", defaults.CrmMaxBackoff, 0.01, 86_400),
            CrmBreakDuration = read.Seconds("Responses:Crm:BreakSeconds", defaults.CrmBreakDuration, 0.01, 3_600),
            CrmTimeout = read.Seconds("Responses:Crm:TimeoutSeconds", defaults.CrmTimeout, 0.1, 300),
            CrmPoll = read.Seconds("Responses:Crm:PollSeconds", defaults.CrmPoll, 0.01, 3_600),
            CrmBatchSize = read.Int("Responses:Crm:BatchSize", defaults.CrmBatchSize, 1, 5_000),
            CrmAllowedHosts = read.List("Responses:Crm:AllowedHosts"),
            EmailConfirmationLifetime = read.Seconds("Responses:EmailConfirmationSeconds", defaults.EmailConfirmationLifetime, 1, 30 * 86_400),
            Errors = read.Errors,
        };
    }
}
