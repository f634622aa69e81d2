using ConsentPlatform.Contracts;
using ConsentPlatform.ServiceDefaults.Messaging;
using ConsentPlatform.ServiceDefaults.Telemetry;
using MassTransit;

namespace ConsentPlatform.Notices.Replica;

/// <summary>
/// Keeps the local replicas the gate reads: Consent's suppressions and consents, Directory's
/// published numbers, erasures, and — so an opt-out bites at once — every other service's
/// OptOutRequested as a provisional suppression until Consent confirms it. The store reloads the
/// index for what each write changed once its transaction commits.
/// </summary>
public sealed class ReplicaConsumer(NoticesDatabase database, ReplicaStore replica, OptOuts optOuts, IEnumerable<IContactErasure> erasures, TimeProvider time,
    PropagationHistory<NoticesDatabase> propagation) :
    IConsumer<ContactSuppressed>, IConsumer<ContactUnsuppressed>, IConsumer<OptOutRequested>,
    IConsumer<ConsentRecorded>, IConsumer<ConsentWithdrawn>, IConsumer<ErasureRequested>,
    IConsumer<CallerNumberPublished>, IConsumer<CallerNumberWithdrawn>, IConsumer<EventPurposeSaved>
{
    public Task Consume(ConsumeContext<EventPurposeSaved> context) =>
        database.HandleOnceAsync(this, context, tx => Purposes.SaveAsync(tx, context.Message));

    public async Task Consume(ConsumeContext<ContactSuppressed> context)
    {
        var m = context.Message;
        await database.HandleOnceAsync(this, context, tx =>
            replica.SuppressAsync(tx, m.SuppressionId.ToString(), m.ContactHash, m.OrganizationId, m.Channel, m.Purpose, m.Reason, provisional: false, m.SuppressedAt, m.Until));
    }

    public async Task Consume(ConsumeContext<ContactUnsuppressed> context)
    {
        var m = context.Message;
        await database.HandleOnceAsync(this, context, tx =>
            replica.UnsuppressAsync(tx, m.SuppressionId.ToString(), m.ContactHash, m.UnsuppressedAt));
    }

    public async Task Consume(ConsumeContext<OptOutRequested> context)
    {
        var m = context.Message;
        // Our own (a STOP reply, a refused call) was applied where it arrived; Consent's decision is what comes back for it.
        if (OptOuts.ArriveHere(m.Source)) return;
        var applied = await database.HandleOnceAsync(this, context, tx => optOuts.ApplyProvisionalAsync(tx, m));
        // Measured once the gate's view holds it (the store's reload ran as the transaction committed): that is when a send to this contact is refused.
        if (applied) propagation.OptOutApplied(m.OrganizationId, m.RequestedAt, m.Source);
    }

    public async Task Consume(ConsumeContext<ConsentRecorded> context)
    {
        var m = context.Message;
        await database.HandleOnceAsync(this, context, tx =>
            replica.RecordConsentAsync(tx, "r:" + m.ConsentId, "recorded", m.ContactHash, m.OrganizationId, m.Channel, m.Purpose, m.RecordedAt, m.ExpiresAt));
    }

    public async Task Consume(ConsumeContext<ConsentWithdrawn> context)
    {
        var m = context.Message;
        await database.HandleOnceAsync(this, context, tx =>
            replica.RecordConsentAsync(tx, "w:" + m.ConsentId, "withdrawn", m.ContactHash, m.OrganizationId, m.Channel, m.Purpose, m.WithdrawnAt, null));
    }

    public async Task Consume(ConsumeContext<ErasureRequested> context)
    {
        var m = context.Message;
        await database.HandleOnceAsync(this, context, async tx =>
        {
            await replica.EraseAsync(tx, m.ContactHash, m.RequestedAt);
            foreach (var erasure in erasures) await erasure.EraseAsync(tx, m.ContactHash, time.GetUtcNow());
            Outbox.Write(tx, new ContactErased { RequestId = m.RequestId, Service = "notices", ErasedAt = time.GetUtcNow() });
        });
        await database.ForgetErasedAsync(context.CancellationToken);
    }

    public async Task Consume(ConsumeContext<CallerNumberPublished> context)
    {
        await database.HandleOnceAsync(this, context, tx => replica.PublishCallerNumberAsync(tx, context.Message));
    }

    public async Task Consume(ConsumeContext<CallerNumberWithdrawn> context)
    {
        await database.HandleOnceAsync(this, context, tx => replica.WithdrawCallerNumberAsync(tx, context.Message));
    }
}

public sealed class ReplicaConsumerDefinition() : PlatformConsumerDefinition<ReplicaConsumer>(Queues.NoticesReplica);
