namespace ConsentPlatform.Contracts;

/// <summary>
/// The organization's public profile. Revision grows by one per change so replicas can
/// ignore stale or repeated deliveries (the bus does not keep order).
/// </summary>
public sealed record OrganizationProfileChanged
{
    public required string OrganizationId { get; init; }
    public required long Revision { get; init; }
    public required string LegalName { get; init; }
    public string? Address { get; init; }
    public string? ContactPhone { get; init; }
    public string? ContactEmail { get; init; }
    public string? WebsiteUrl { get; init; }
    public string? PrivacyPolicyUrl { get; init; }
    public required DateTimeOffset ChangedAt { get; init; }
}

public sealed record CallerNumberPublished
{
    public required string OrganizationId { get; init; }
    public required Guid CallerNumberId { get; init; }
    public required string PhoneNumber { get; init; }
    public string? Department { get; init; }
    public required DateTimeOffset PublishedAt { get; init; }
}

public sealed record CallerNumberWithdrawn
{
    public required string OrganizationId { get; init; }
    public required Guid CallerNumberId { get; init; }
    public required string PhoneNumber { get; init; }
    public required DateTimeOffset WithdrawnAt { get; init; }
}
