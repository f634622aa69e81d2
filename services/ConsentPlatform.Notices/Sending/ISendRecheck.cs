namespace ConsentPlatform.Notices.Sending;

/// <summary>
/// The last word on a queued notice just before it leaves (R17). Sending asks it once the send slot is
/// reserved; Calls implements it, because the gate's inputs for a call's notice (its purpose, calling
/// number, planned time) are the call's, and Sending must not depend on Calls for them (issue 17).
/// </summary>
public interface ISendRecheck
{
    /// <summary>The refusal reason when the notice may no longer go; null when it may (or is not a call's notice).</summary>
    Task<string?> RecheckBeforeSendAsync(string noticeId, string toNumber, CancellationToken ct);
}
