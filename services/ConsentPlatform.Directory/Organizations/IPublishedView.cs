namespace ConsentPlatform.Directory.Organizations;

/// <summary>
/// The public view of the directory (profiles with their published numbers), reread right after a local
/// change commits so the change shows at once. The view reads profiles and numbers, so it sits above both
/// folders (<c>Published/PublishedDirectory</c> implements this); the profile publisher and the number
/// registry refresh it through this interface and do not depend on it (issue 17, ADR 0037).
/// </summary>
public interface IPublishedView
{
    /// <summary>Rereads the published numbers and profiles; a no-op when nothing changed since the last read.</summary>
    Task RefreshAsync(CancellationToken cancellationToken);
}
