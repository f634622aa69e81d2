namespace ConsentPlatform.Notices.Verification;

/// <summary>
/// Whose one-time code a message is. A company verifying its own calling number may see the code
/// it asked for (in the dev inbox and dev call log). A code a person asked for — a data-subject
/// request, an opt-out from a short link or a directory entry — is that person's alone: it is
/// stored under no organization, so no organization's key or session ever lists it, not even the
/// organization whose entry the person opted out from.
/// </summary>
public static class CodeAudience
{
    public const string DirectoryVerification = "directory_verification";

    public static string? Owner(string purpose, string? organizationId) =>
        purpose == DirectoryVerification ? organizationId : null;
}
