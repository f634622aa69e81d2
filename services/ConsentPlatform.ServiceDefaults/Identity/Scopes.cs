namespace ConsentPlatform.ServiceDefaults.Identity;

/// <summary>API key scopes: one per service. Each is also the name of its authorization policy.</summary>
public static class Scopes
{
    public const string Consent = "consent";
    public const string Notices = "notices";
    public const string Responses = "responses";
    public const string Directory = "directory";

    public static readonly IReadOnlyList<string> All = [Consent, Notices, Responses, Directory];
}

public static class PlatformClaims
{
    public const string OrganizationId = "org_id";
    public const string KeyId = "key_id";
    public const string Scope = "scope";
}
