namespace ConsentPlatform.Contracts;

// Consent → all. Contacts travel only as ContactHash, the keyed hash of the E.164 number or the
// normalised email (Telephony's PhoneNumberHasher): every consumer matches on it, and no number or
// address crosses the bus with these.

public sealed record ConsentRecorded
{
    public required Guid ConsentId { get; init; }
    public required string OrganizationId { get; init; }
    public required string Channel { get; init; }
    public required string Purpose { get; init; }
    /// <summary>Keyed hash of the contact (see Telephony's PhoneNumberHasher).</summary>
    public required string ContactHash { get; init; }
    public required DateTimeOffset RecordedAt { get; init; }
    public DateTimeOffset? ExpiresAt { get; init; }
    /// <summary>"you gave this number at {SourceEvent} on {RecordedAt}" — provenance (R6).</summary>
    public string? SourceEvent { get; init; }
}

/// <summary>An event was created or changed: its purpose code is one the organization asks consent for, so reps pick from these.</summary>
public sealed record EventPurposeSaved
{
    public required string EventId { get; init; }
    public required string OrganizationId { get; init; }
    public required string Purpose { get; init; }
    public required DateTimeOffset SavedAt { get; init; }
}

public sealed record ConsentWithdrawn
{
    public required Guid ConsentId { get; init; }
    public required string OrganizationId { get; init; }
    public required string Channel { get; init; }
    public required string Purpose { get; init; }
    public required string ContactHash { get; init; }
    public required DateTimeOffset WithdrawnAt { get; init; }
    /// <summary>
    /// Why (the ledger row's method: opt_out, dsr_stop_use, …). A withdrawal that comes with a stop is said by the
    /// stop's own ContactSuppressed, so a consumer that reports changes to people reports that stop once.
    /// </summary>
    public string? Method { get; init; }
}

/// <summary>
/// A granted consent's expires_at has passed without a withdrawal: announced once by Consent's expiry sweep, so a
/// CRM that only saw "until" on ConsentRecorded learns the consent has ended.
/// </summary>
public sealed record ConsentExpired
{
    public required Guid ConsentId { get; init; }
    public required string OrganizationId { get; init; }
    public required string Channel { get; init; }
    public required string Purpose { get; init; }
    public required string ContactHash { get; init; }
    public required DateTimeOffset ExpiredAt { get; init; }
}

/// <summary>The authoritative do-not-contact decision. Null Channel/Purpose/OrganizationId mean "all".</summary>
public sealed record ContactSuppressed
{
    public required Guid SuppressionId { get; init; }
    public required string ContactHash { get; init; }
    public string? OrganizationId { get; init; }
    public string? Channel { get; init; }
    public string? Purpose { get; init; }
    public required string Reason { get; init; }
    public required DateTimeOffset SuppressedAt { get; init; }
    /// <summary>A temporary opt-out ("not now"): the entry stops applying at this time. Null means for good.</summary>
    public DateTimeOffset? Until { get; init; }
    /// <summary>Where the stop came from (responses, sms_reply, call_refused, directory, dsr_stop_use, …), for the CRM and the rep.</summary>
    public string? Source { get; init; }
    /// <summary>The request that caused it (OptOutRequested.RequestId, the data-subject request): the evidence a CRM can quote.</summary>
    public Guid? EvidenceId { get; init; }
}

public sealed record ContactUnsuppressed
{
    public required Guid SuppressionId { get; init; }
    public required string ContactHash { get; init; }
    public required DateTimeOffset UnsuppressedAt { get; init; }
}

/// <summary>Any channel's "stop" (Responses, Notices STOP reply or refused call, Directory); Consent decides.</summary>
public sealed record OptOutRequested
{
    public required Guid RequestId { get; init; }
    public required string ContactHash { get; init; }
    public required string OrganizationId { get; init; }
    /// <summary>Channels to stop; empty means every channel.</summary>
    public IReadOnlyList<string> Channels { get; init; } = [];
    public string? Purpose { get; init; }
    /// <summary>responses | sms_reply | call_refused | directory | …</summary>
    public required string Source { get; init; }
    public required DateTimeOffset RequestedAt { get; init; }
    /// <summary>A temporary stop ("not now — contact me after a date"): contact may resume at this time. Null means for good.</summary>
    public DateTimeOffset? Until { get; init; }
}

/// <summary>A recipient asked to be contacted again (SMS reply START/UNSTOP); Consent decides whether to lift its suppression.</summary>
public sealed record OptInRequested
{
    public required Guid RequestId { get; init; }
    public required string ContactHash { get; init; }
    public required string OrganizationId { get; init; }
    /// <summary>Channels to resume; empty means every channel.</summary>
    public IReadOnlyList<string> Channels { get; init; } = [];
    /// <summary>sms_reply | …</summary>
    public required string Source { get; init; }
    public required DateTimeOffset RequestedAt { get; init; }
}

public sealed record ErasureRequested
{
    public required Guid RequestId { get; init; }
    public required string ContactHash { get; init; }
    public required DateTimeOffset RequestedAt { get; init; }
}

public sealed record ContactErased
{
    public required Guid RequestId { get; init; }
    public required string Service { get; init; }
    public required DateTimeOffset ErasedAt { get; init; }
}
