namespace ConsentPlatform.Contracts;

public sealed record ResponseLinkIssued
{
    public required string Code { get; init; }
    public required Guid NoticeId { get; init; }
    public required string OrganizationId { get; init; }
    /// <summary>Shown on the response form; the full number never leaves Notices in a link.</summary>
    public required string MaskedNumber { get; init; }
    public required string ContactHash { get; init; }
    public required string Topic { get; init; }
    public string? CallerName { get; init; }
    public required DateTimeOffset IssuedAt { get; init; }
    /// <summary>The organization's own reference for the contact (a CRM lead id) when the planned call gave one.</summary>
    public string? ExternalId { get; init; }
}

public sealed record CallNoticeSent
{
    public required Guid NoticeId { get; init; }
    public required string OrganizationId { get; init; }
    /// <summary>pre_call | post_call_answered | post_call_missed</summary>
    public required string Kind { get; init; }
    public required DateTimeOffset SentAt { get; init; }
}

public sealed record CallNoticeDeliveryChanged
{
    public required Guid NoticeId { get; init; }
    /// <summary>queued | sent | delivered | undelivered | failed</summary>
    public required string Status { get; init; }
    public string? ErrorCode { get; init; }
    public required DateTimeOffset ChangedAt { get; init; }
}

/// <summary>
/// Transactional one-time code (data-subject requests, directory verification); no marketing consent needed.
/// Exactly one of PhoneNumber (E.164, sent by SMS) and Email (sent by email) is set; Notices drops a command with both or neither.
/// </summary>
public sealed record SendVerificationCode
{
    public required Guid RequestId { get; init; }
    public string? PhoneNumber { get; init; }
    public string? Email { get; init; }
    public required string Code { get; init; }
    /// <summary>dsr | directory_verification | directory_opt_out | responses_opt_out: the message says which.</summary>
    public required string Purpose { get; init; }
    public string? OrganizationId { get; init; }
    /// <summary>"ja" or "en", the language of the page the person asked on; null: Japanese for a Japanese number or an email, English otherwise.</summary>
    public string? Language { get; init; }
    /// <summary>How long the code is accepted, said in the message; null says nothing about it.</summary>
    public int? ValidMinutes { get; init; }
}

/// <summary>
/// Transactional: the double opt-in link for an address a recipient typed on the short-link form (ADR 0030), sent by
/// email in the recipient's language and naming the organization. <see cref="LinkPath"/> is relative to the short
/// links' base (the confirmation page is Responses' own, under /r/), so the link points wherever short links do.
/// </summary>
public sealed record SendEmailConfirmation
{
    public required Guid RequestId { get; init; }
    public required string Email { get; init; }
    public required string OrganizationId { get; init; }
    public required string LinkPath { get; init; }
    /// <summary>"ja" or "en"; null: Japanese.</summary>
    public string? Language { get; init; }
    public required int ValidHours { get; init; }
}
