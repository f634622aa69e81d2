using ConsentPlatform.Contracts;
using ConsentPlatform.ServiceDefaults.Data;
using ConsentPlatform.ServiceDefaults.Messaging;
using ConsentPlatform.ServiceDefaults.Telemetry;

namespace ConsentPlatform.Notices.Replica;

/// <summary>
/// Opt-outs as Notices applies them locally, whoever asked: a provisional suppression that bites at once
/// and stands until Consent's decision (ContactSuppressed) comes back.
/// </summary>
public sealed class OptOuts(ReplicaStore replica, PropagationHistory<NoticesDatabase> propagation)
{
    /// <summary>A STOP (or other opt-out word) in an SMS reply to one of our notices.</summary>
    public const string SmsReply = "sms_reply";

    /// <summary>The person refused the call (特商法 art. 17), as the rep logged it.</summary>
    public const string CallRefused = "call_refused";

    /// <summary>
    /// Whether an opt-out of this source arrives at Notices itself: such a one was applied in the transaction
    /// that published it, so its OptOutRequested coming back over the bus has nothing left to do (ADR 0037).
    /// </summary>
    public static bool ArriveHere(string source) => source is SmsReply or CallRefused;

    public async Task ApplyProvisionalAsync(Transaction tx, OptOutRequested m)
    {
        IReadOnlyList<string?> channels = m.Channels.Count == 0 ? [null] : m.Channels.Cast<string?>().ToList();
        foreach (var channel in channels)
            await replica.SuppressAsync(tx, $"{m.RequestId}:{channel ?? "all"}", m.ContactHash, m.OrganizationId, channel, m.Purpose,
                m.Source, provisional: true, m.RequestedAt, m.Until);
    }

    /// <summary>
    /// An opt-out that arrived here: applied in the caller's transaction, asked of Consent through the outbox in
    /// the same one, and measured once the replica holds it (the reload the write registered runs first).
    /// </summary>
    public async Task RequestAsync(Transaction tx, OptOutRequested m)
    {
        if (!ArriveHere(m.Source)) throw new ArgumentException($"'{m.Source}' is not an opt-out source that arrives at Notices.", nameof(m));
        await ApplyProvisionalAsync(tx, m);
        Outbox.Write(tx, m);
        tx.OnCommitted(() => propagation.OptOutApplied(m.OrganizationId, m.RequestedAt, m.Source));
    }
}
