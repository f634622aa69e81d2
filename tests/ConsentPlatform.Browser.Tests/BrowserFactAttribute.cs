namespace ConsentPlatform.Browser.Tests;

/// <summary>
/// A fact that drives Debian's Chromium: skipped with a clear reason where /usr/bin/chromium is
/// absent, unless CONSENTPLATFORM_REQUIRE_BROWSER=1 (CI) makes it run — and fail — anyway.
/// xunit 2 has no runtime skip, so the decision is made when the attribute is constructed.
/// </summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    public const string ChromiumPath = "/usr/bin/chromium";
    public const string RequireVariable = "CONSENTPLATFORM_REQUIRE_BROWSER";

    public static bool IsRequired => Environment.GetEnvironmentVariable(RequireVariable) == "1";

    public static string? SkipReason => File.Exists(ChromiumPath) || IsRequired
        ? null
        : $"Chromium is not installed at {ChromiumPath} (apt-get install chromium); set {RequireVariable}=1 to make this a failure.";

    public BrowserFactAttribute()
    {
        if (SkipReason is { } reason) Skip = reason;
    }
}
