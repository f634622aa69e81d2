using ConsentPlatform.Contracts;
using ConsentPlatform.ServiceDefaults.Messaging;
using ConsentPlatform.ServiceDefaults.Telemetry;
using MassTransit;

namespace ConsentPlatform.Notices.Replica;

/// <summary>
/// Keeps the local replicas the gate reads: Consent's suppressions and consents, Directory's
/// published numbers, erasures, and — so an opt-out bites at once — every OptOutRequested as a
/// provisional suppression until Consent confirms it.
/// </summary>
public sealed class ReplicaConsumer(NoticesDatabase database, ReplicaRefresher refresher, IEnumerable<IContactErasure> erasures, TimeProvider time,
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
            ReplicaStore.SuppressAsync(tx, m.SuppressionId.ToString(), m.ContactHash, m.OrganizationId, m.Channel, m.Purpose, m.Reason, provisional: false, m.SuppressedAt, m.Until));
        await refresher.ReloadAsync(m.ContactHash, context.CancellationToken);
    }

    public async Task Consume(ConsumeContext<ContactUnsuppressed> context)
    {
        var m = context.Message;
        await database.HandleOnceAsync(this, context, tx =>
            ReplicaStore.UnsuppressAsync(tx, m.SuppressionId.ToString(), m.ContactHash, m.UnsuppressedAt));
        await refresher.ReloadAsync(m.ContactHash, context.CancellationToken);
    }

    public async Task Consume(ConsumeContext<OptOutRequested> context)
    {
        var m = context.Message;
        var applied = await database.HandleOnceAsync(this, context, tx => OptOuts.ApplyProvisionalAsync(tx, m));
        await refresher.ReloadAsync(m.ContactHash, context.CancellationToken);
        // Measured once the gate's view holds it: that is when a send to this contact is refused.
        if (applied) propagation.OptOutApplied(m.OrganizationId, m.RequestedAt, m.Source);
    }

    public async Task Consume(ConsumeContext<ConsentRecorded> context)
    {
        var m = context.Message;
        await database.HandleOnceAsync(this, context, tx =>
            ReplicaStore.RecordConsentAsync(tx, "r:" + m.ConsentId, "recorded", m.ContactHash, m.OrganizationId, m.Channel, m.Purpose, m.RecordedAt, m.ExpiresAt));
        await refresher.ReloadAsync(m.ContactHash, context.CancellationToken);
    }

    public async Task Consume(ConsumeContext<ConsentWithdrawn> context)
    {
        var m = context.Message;
        await database.HandleOnceAsync(this, context, tx =>
            ReplicaStore.RecordConsentAsync(tx, "w:" + m.ConsentId, "withdrawn", m.ContactHash, m.OrganizationId, m.Channel, m.Purpose, m.WithdrawnAt, null));
        await refresher.ReloadAsync(m.ContactHash, context.CancellationToken);
    }

    public async Task Consume(ConsumeContext<ErasureRequested> context)
    {
        var m = context.Message;
        await database.HandleOnceAsync(this, context, async tx =>
        {
            await ReplicaStore.EraseAsync(tx, m.ContactHash, m.RequestedAt);
            foreach (var erasure in erasures) await erasure.EraseAsync(tx, m.ContactHash, time.GetUtcNow());
            await Outbox.WriteAsync(tx, new ContactErased { RequestId = m.RequestId, Service = "notices", ErasedAt = time.GetUtcNow() }, context.CancellationToken);
        });
        await database.ForgetErasedAsync(context.CancellationToken);
        await refresher.ReloadAsync(m.ContactHash, context.CancellationToken);
    }

    public async Task Consume(ConsumeContext<CallerNumberPublished> context)
    {
        await database.HandleOnceAsync(this, context, tx => ReplicaStore.PublishCallerNumberAsync(tx, context.Message));
        await refresher.ReloadAsync(null, context.CancellationToken);
    }

    public async Task Consume(ConsumeContext<CallerNumberWithdrawn> context)
    {
        await database.HandleOnceAsync(this, context, tx => ReplicaStore.WithdrawCallerNumberAsync(tx, context.Message));
        await refresher.ReloadAsync(null, context.CancellationToken);
    }
}

public sealed class ReplicaConsumerDefinition() : PlatformConsumerDefinition<ReplicaConsumer>(Queues.NoticesReplica);

/// <summary>Opt-outs as Notices applies them locally, whoever asked.</summary>
public static class OptOuts
{
    public static async Task ApplyProvisionalAsync(ServiceDefaults.Data.Transaction tx, OptOutRequested m)
    {
        IReadOnlyList<string?> channels = m.Channels.Count == 0 ? [null] : m.Channels.Cast<string?>().ToList();
        foreach (var channel in channels)
            await ReplicaStore.SuppressAsync(tx, $"{m.RequestId}:{channel ?? "all"}", m.ContactHash, m.OrganizationId, channel, m.Purpose,
                m.Source, provisional: true, m.RequestedAt, m.Until);
    }
}
