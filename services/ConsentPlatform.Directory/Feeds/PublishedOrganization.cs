using ConsentPlatform.Directory.Numbers;
using ConsentPlatform.Directory.Organizations;

namespace ConsentPlatform.Directory.Feeds;

/// <summary>
/// An organization with at least one published number, and when anything about it last changed. It lives with
/// the feeds that render it, below the snapshot (<c>Published/</c>) that holds it, so neither uses the other back.
/// </summary>
public sealed record PublishedOrganization(DirectoryProfile Profile, IReadOnlyList<CallerNumber> Numbers, DateTimeOffset LastModified)
{
    public string Id => Profile.OrganizationId;
}
