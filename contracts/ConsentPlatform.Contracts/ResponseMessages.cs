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

/// <summary>
/// "Email only" with a newly typed address (ADR 0030): the recipient asked for email there and a confirmation link
/// went to it. Consent records the request as evidence and answers email_confirmation_pending until it expires.
/// Carries the address because Consent must record and hash it, as ConsentRecorded's producers do.
/// </summary>
public sealed record EmailConsentRequested
{
    /// <summary>The confirmation's id; <see cref="EmailConsentConfirmed"/> names the same.</summary>
    public required Guid ConfirmationId { get; init; }
    public required Guid ResponseId { get; init; }
    public required string OrganizationId { get; init; }
    /// <summary>The keyed hash of the number the short link was sent to.</summary>
    public required string ContactHash { get; init; }
    public required string Email { get; init; }
    /// <summary>The short link's code: the evidence of where the answer was given.</summary>
    public required string Code { get; init; }
    public string? Language { get; init; }
    public string? Ip { get; init; }
    public string? UserAgent { get; init; }
    public required DateTimeOffset RequestedAt { get; init; }
    public required DateTimeOffset ExpiresAt { get; init; }
}

/// <summary>The address's owner followed the confirmation link and confirmed: the email consent is given.</summary>
public sealed record EmailConsentConfirmed
{
    public required Guid ConfirmationId { get; init; }
    public required Guid ResponseId { get; init; }
    public required string OrganizationId { get; init; }
    public required string ContactHash { get; init; }
    public required string Email { get; init; }
    public string? Ip { get; init; }
    public string? UserAgent { get; init; }
    public required DateTimeOffset ConfirmedAt { get; init; }
}
