using ConsentPlatform.Contracts;
using ConsentPlatform.ServiceDefaults.Messaging;
using MassTransit;

namespace ConsentPlatform.Consent.Suppression;

/// <summary>
/// START/UNSTOP (Notices) and any later "contact me again": lifts what <see cref="OptIn.MayLift"/>
/// allows — append-only lift rows, ContactUnsuppressed for the replicas, the gate index after commit.
/// Every request is recorded, so an opt-out that arrives after it (the bus does not keep order) is
/// lifted on arrival instead of outliving the person's last word.
/// </summary>
public sealed class OptInRequestedConsumer(ConsentDatabase database, SuppressionStore suppressions, TimeProvider time, ILogger<OptInRequestedConsumer> logger)
    : IConsumer<OptInRequested>
{
    public async Task Consume(ConsumeContext<OptInRequested> context)
    {
        var message = context.Message;
        var known = message.Channels.Where(Channels.IsKnown).Distinct().ToList();
        // An unknown channel name must not widen an opt-in: only the channels it names and we know are resumed.
        if (known.Count != message.Channels.Count)
            logger.LogWarning("Opt-in {RequestId} named an unknown channel; resuming only the known ones", message.RequestId);
        if (!OptIn.Sources.Contains(message.Source))
            logger.LogWarning("Opt-in {RequestId} from {Source}: not a source that can lift an opt-out; nothing lifted", message.RequestId, message.Source);

        var optIn = new OptIn(message.RequestId, message.ContactHash, message.OrganizationId, message.Channels.Count == 0, known, message.Source, message.RequestedAt);
        IReadOnlyList<SuppressionStore.Lift> lifted = [];
        var handled = await database.HandleOnceAsync(this, context, async transaction =>
            lifted = await suppressions.LiftAsync(transaction, optIn, time.GetUtcNow(), context.CancellationToken));
        if (!handled) return;
        logger.LogInformation("Opt-in {RequestId} from {Source} for organization {OrganizationId}: {Lifted} suppression entries lifted",
            message.RequestId, message.Source, message.OrganizationId, lifted.Count);
    }
}

public sealed class OptInRequestedConsumerDefinition() : PlatformConsumerDefinition<OptInRequestedConsumer>(Queues.ConsentOptIns, firstRetry: TimeSpan.FromMilliseconds(50));
