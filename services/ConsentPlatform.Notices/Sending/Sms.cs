namespace ConsentPlatform.Notices.Sending;

/// <summary>One SMS as the provider sees it. MessageId is our idempotency marker (StatusCallback query, dev inbox row).</summary>
public sealed record SmsToSend(Guid MessageId, string? OrganizationId, string To, string Body, DateTimeOffset FirstAttemptAt);

public enum SendOutcomeKind
{
    /// <summary>The provider took the message; Sid is set.</summary>
    Accepted,
    /// <summary>The provider certainly did not take it (429, 503, connection refused): sending again is safe.</summary>
    RetrySafe,
    /// <summary>The provider refused it for good (invalid number, blocked recipient …).</summary>
    Rejected,
    /// <summary>The request may have reached the provider (timeout, 500, reset): look it up, never send again.</summary>
    Unknown,
}

public sealed record SendOutcome(SendOutcomeKind Kind, string? Sid = null, string? Status = null, string? ErrorCode = null, TimeSpan? RetryAfter = null)
{
    public static SendOutcome Accepted(string sid, string? status) => new(SendOutcomeKind.Accepted, sid, status);
    public static SendOutcome Retry(string errorCode, TimeSpan? after = null) => new(SendOutcomeKind.RetrySafe, ErrorCode: errorCode, RetryAfter: after);
    public static SendOutcome Rejected(string errorCode) => new(SendOutcomeKind.Rejected, ErrorCode: errorCode);
    public static SendOutcome Unknown(string errorCode) => new(SendOutcomeKind.Unknown, ErrorCode: errorCode);
}

/// <summary>Found: the provider has the message (with its sid and status). Not found: not yet, or never.</summary>
public sealed record LookupOutcome(bool Found, string? Sid = null, string? Status = null);

/// <summary>Sends SMS through a provider: Twilio, or the dev inbox of the embedded default.</summary>
public interface ISmsSender
{
    Task<SendOutcome> SendAsync(SmsToSend sms, CancellationToken cancellationToken);

    /// <summary>Finds a message whose send ended without a clear answer, by its unique text and recipient.</summary>
    Task<LookupOutcome> LookupAsync(SmsToSend sms, CancellationToken cancellationToken);
}

/// <summary>Delivery states, in the order they can follow each other; a late callback never moves a message back.</summary>
public static class MessageStatuses
{
    public const string Pending = "pending";
    public const string Sending = "sending";
    public const string Unknown = "unknown";
    public const string Queued = "queued";
    public const string Sent = "sent";
    public const string Delivered = "delivered";
    public const string Undelivered = "undelivered";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";

    public static int Rank(string status) => status switch
    {
        Pending or Sending or Unknown => 0,
        Queued => 1,
        Sent => 2,
        Delivered or Undelivered or Failed or Cancelled => 3,
        _ => -1,
    };

    /// <summary>Twilio's many statuses folded into the five the platform reports.</summary>
    public static string? FromProvider(string? status) => status?.ToLowerInvariant() switch
    {
        "accepted" or "scheduled" or "queued" or "sending" => Queued,
        "sent" => Sent,
        "delivered" or "read" => Delivered,
        "undelivered" => Undelivered,
        "failed" or "canceled" => Failed,
        _ => null,
    };
}

public static class OutgoingPurposes
{
    public const string Notice = "notice";
    public const string Verification = "verification";
}
