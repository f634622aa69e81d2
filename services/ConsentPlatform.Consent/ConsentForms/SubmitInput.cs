namespace ConsentPlatform.Consent.ConsentForms;

/// <summary>What the public form posts. Versions are the ones the person was shown, so evidence names exactly those words.</summary>
public sealed record SubmitInput
{
    public string[]? Channels { get; init; }
    public string[]? ThirdParties { get; init; }
    public string? Phone { get; init; }
    public string? Email { get; init; }
    public string? Lang { get; init; }
    public string? PageUrl { get; init; }
    public int? FormVersion { get; init; }
    /// <summary>"call:2 sms:1 email:3" — the text versions rendered.</summary>
    public string? TextVersions { get; init; }
    public bool Embed { get; init; }
}
