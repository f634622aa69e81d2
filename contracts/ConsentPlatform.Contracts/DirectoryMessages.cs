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
    /// <summary>Names the organization trades under (brands, shop names), as recipients may know it.</summary>
    public IReadOnlyList<string>? TradeNames { get; init; }
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

/// <summary>
/// Directory → a voice provider adapter: place an automated call to a number that cannot take
/// SMS (a landline) and read <see cref="Code"/> out, so its owner can type it back (directory
/// verification, or a person's opt-out from a directory entry). Directory keeps the check
/// pending until the code is entered; this command only carries the code to the line.
/// </summary>
public sealed record PlaceVerificationCall
{
    public required Guid RequestId { get; init; }
    public required string PhoneNumber { get; init; }
    public required string Code { get; init; }
    /// <summary>directory_verification | directory_opt_out</summary>
    public required string Purpose { get; init; }
    public string? OrganizationId { get; init; }
    /// <summary>"ja" or "en": the language the code is read out in.</summary>
    public string Language { get; init; } = "ja";
}
