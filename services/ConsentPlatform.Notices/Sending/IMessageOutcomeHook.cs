using ConsentPlatform.ServiceDefaults.Data;

namespace ConsentPlatform.Notices.Sending;

/// <summary>
/// What a message's outcome means to the feature that queued it: a call notice (Calls) follows the message that
/// carries it. Sending records the outcome and calls this in the same transaction; Calls implements it and owns
/// the notices table, so Sending neither names that table nor depends on Calls for it (issue 17).
/// </summary>
public interface IMessageOutcomeHook
{
    /// <summary>The message of this notice moved forward from <paramref name="previous"/> to <paramref name="status"/>.</summary>
    Task MessageAdvancedAsync(Transaction tx, string noticeId, string previous, string status, string? errorCode, DateTimeOffset at, CancellationToken ct);

    /// <summary>The gate refused the message of this notice just before it left: it was never sent.</summary>
    Task MessageRefusedAsync(Transaction tx, string noticeId, string reason, DateTimeOffset at, CancellationToken ct);
}
