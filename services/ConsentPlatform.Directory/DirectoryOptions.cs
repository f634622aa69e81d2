using ConsentPlatform.ServiceDefaults;

namespace ConsentPlatform.Directory;

/// <summary>Directory's own settings (section "Directory"). Invalid values stop start-up with a message naming the key.</summary>
public sealed class DirectoryOptions : ICheckedSettings
{
    /// <summary>How long a one-time code can be entered.</summary>
    public TimeSpan CodeLifetime { get; init; } = TimeSpan.FromMinutes(10);
    /// <summary>Wrong codes for one number before it is locked.</summary>
    public int MaxCodeFailures { get; init; } = 5;
    /// <summary>How long a number stays locked after <see cref="MaxCodeFailures"/> wrong codes.</summary>
    public TimeSpan LockDuration { get; init; } = TimeSpan.FromMinutes(30);
    /// <summary>Codes sent to one number per rolling hour (each SMS or call costs money and disturbs someone).</summary>
    public int MaxCodesPerHour { get; init; } = 5;
    /// <summary>How often the published snapshot is re-read, for changes made by other instances and validity windows.</summary>
    public TimeSpan RefreshInterval { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>Cache-Control max-age of the feeds.</summary>
    public int FeedMaxAgeSeconds { get; init; } = 300;

    public IReadOnlyList<string> Errors { get; init; } = [];

    public static DirectoryOptions Read(IConfiguration config)
    {
        var read = new SettingsReader(config);
        return new DirectoryOptions
        {
            CodeLifetime = TimeSpan.FromMinutes(read.Int("Directory:Verification:CodeMinutes", 10, 1, 60)),
            MaxCodeFailures = read.Int("Directory:Verification:MaxFailures", 5, 1, 100),
            LockDuration = TimeSpan.FromMinutes(read.Int("Directory:Verification:LockMinutes", 30, 1, 7 * 24 * 60)),
            MaxCodesPerHour = read.Int("Directory:Verification:MaxCodesPerHour", 5, 1, 1000),
            RefreshInterval = TimeSpan.FromSeconds(read.Int("Directory:RefreshSeconds", 30, 1, 3600)),
            FeedMaxAgeSeconds = read.Int("Directory:FeedMaxAgeSeconds", 300, 0, 86_400),
            Errors = read.Errors,
        };
    }
}
