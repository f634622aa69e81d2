using ConsentPlatform.Directory.Feeds;
using ConsentPlatform.Directory.Numbers;

namespace ConsentPlatform.Directory.Published;

/// <summary>What the lookup shows about a published number, built once per snapshot (<see cref="PublishedNumber.Entry"/>).</summary>
public sealed record LookupEntry
{
    public required string OrganizationId { get; init; }
    public required string LegalName { get; init; }
    public required IReadOnlyList<string> TradeNames { get; init; }
    public string? Department { get; init; }
    public required IReadOnlyList<string> Purposes { get; init; }
    public required CallingHours CallingHours { get; init; }
    /// <summary>When the organization proved it holds the number.</summary>
    public required DateTimeOffset VerifiedSince { get; init; }
    public DateTimeOffset? ValidUntil { get; init; }
    public required ContactPoint Contact { get; init; }
    public string? PrivacyPolicyUrl { get; init; }
    /// <summary>Where a person stops calls from this organization (a one-time code to their own number first).</summary>
    public required string OptOutUrl { get; init; }
    /// <summary>The organization's numbers as a vCard, to add to contacts or a block list.</summary>
    public required string VCardUrl { get; init; }

    public static LookupEntry From(CallerNumber number, PublishedOrganization organization)
    {
        var feed = FeedNumber.From(number);
        return new LookupEntry
        {
            OrganizationId = organization.Id,
            LegalName = organization.Profile.LegalName,
            TradeNames = organization.Profile.TradeNames,
            Department = feed.Department,
            Purposes = feed.Purposes,
            CallingHours = feed.CallingHours,
            VerifiedSince = feed.VerifiedSince,
            ValidUntil = feed.ValidUntil,
            Contact = ContactPoint.From(organization),
            PrivacyPolicyUrl = organization.Profile.PrivacyPolicyUrl,
            OptOutUrl = $"/lookup?number={Uri.EscapeDataString(number.E164)}#opt-out",
            VCardUrl = $"/api/public/directory/organizations/{Uri.EscapeDataString(organization.Id)}/feed.vcf",
        };
    }
}
