namespace ConsentPlatform.Contracts;

public sealed record RecipientResponded
{
    public required Guid ResponseId { get; init; }
    public required string OrganizationId { get; init; }
    public required string Code { get; init; }
    public required string ContactHash { get; init; }
    /// <summary>no_further_contact | email_only | sms_only | phone_ok | not_now</summary>
    public required string PreferredContact { get; init; }
    public DateOnly? ContactAfter { get; init; }
    public string? Reason { get; init; }
    public bool OptOutIntentFlagged { get; init; }
    public required DateTimeOffset RespondedAt { get; init; }
}
