using ConsentPlatform.ServiceDefaults.Work;

namespace ConsentPlatform.Notices.Sending;

/// <summary>
/// Lets waiting send workers start at once when a transaction that queued an SMS commits, instead of at their
/// next poll. <see cref="OutgoingStore.EnqueueAsync"/> registers the wake on the transaction, so no caller has to.
/// One wake per worker lane at most: each lane looks again once.
/// </summary>
public sealed class SendSignal(int workers) : WakeSignal(workers);
