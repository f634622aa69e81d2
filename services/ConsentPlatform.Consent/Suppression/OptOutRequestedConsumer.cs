using ConsentPlatform.Consent.Gate;
using ConsentPlatform.Consent.Ledger;
using ConsentPlatform.Contracts;
using ConsentPlatform.ServiceDefaults.Messaging;
using ConsentPlatform.ServiceDefaults.Telemetry;
using MassTransit;

namespace ConsentPlatform.Consent.Suppression;

/// <summary>
/// Any service's "stop" becomes a suppression entry (announced as ContactSuppressed) and a
/// withdrawal row for each consent it covers. A refused call (特商法 art. 17) is recorded as
/// refused_on_call, which the gate reports as such. A temporary stop ("not now, contact me after
/// a date": <see cref="OptOutRequested.Until"/>) is an entry that ends then, and withdraws nothing:
/// withdrawing the consents would make the pause permanent.
/// </summary>
public sealed class OptOutRequestedConsumer(ConsentDatabase database, SuppressionStore suppressions, LedgerStore ledger, PropagationHistory<ConsentDatabase> propagation,
    ILogger<OptOutRequestedConsumer> logger)
    : IConsumer<OptOutRequested>
{
    public const string CallRefusedSource = "call_refused";

    public async Task Consume(ConsumeContext<OptOutRequested> context)
    {
        var message = context.Message;
        var known = message.Channels.Where(Channels.IsKnown).ToList();
        // An unknown channel name must not shrink the opt-out: when in doubt, stop everything.
        var channels = known.Count == message.Channels.Count ? known : [];
        if (channels.Count != message.Channels.Count)
            logger.LogWarning("Opt-out {RequestId} named an unknown channel; suppressing every channel", message.RequestId);

        var reason = message.Source == CallRefusedSource ? ReasonCodes.RefusedOnCall : ReasonCodes.OptedOut;
        // A refusal on a call stops that organization for good (特商法 art. 17), whatever date comes with it.
        var until = reason == ReasonCodes.OptedOut ? message.Until : null;
        if (message.Until is not null && until is null)
            logger.LogWarning("Opt-out {RequestId} from {Source} is a refusal; its end date is ignored", message.RequestId, message.Source);
        IReadOnlyList<(string, SuppressionFact)> written = [];
        IReadOnlyList<LedgerRow> withdrawn = [];
        IReadOnlyList<SuppressionStore.Lift> lifted = [];
        var handled = await database.HandleOnceAsync(this, context, async transaction =>
        {
            written = await suppressions.SuppressAsync(transaction, new SuppressionRequest(
                message.ContactHash, message.OrganizationId, channels, message.Purpose, reason, message.Source, message.RequestId, message.RequestedAt, until),
                context.CancellationToken);
            lifted = await suppressions.LiftIfOptedBackInAsync(transaction, written, message.Source, context.CancellationToken);
            if (until is null)
                withdrawn = await ledger.WithdrawAsync(transaction, [message.ContactHash], message.OrganizationId, channels, message.Purpose,
                    "opt_out", message.RequestedAt, context.CancellationToken);
        });
        if (!handled) return;
        propagation.OptOutApplied(message.OrganizationId, message.RequestedAt, message.Source);
        if (lifted.Count > 0)
            logger.LogInformation("Opt-out {RequestId} was answered by a later opt-in: {Lifted} entries lifted on arrival", message.RequestId, lifted.Count);
        logger.LogInformation("Opt-out {RequestId} from {Source} for organization {OrganizationId}: {Entries} suppression entries{Until}, {Withdrawals} withdrawals",
            message.RequestId, message.Source, message.OrganizationId, written.Count, until is { } end ? $" until {end:O}" : "", withdrawn.Count);
    }
}

public sealed class OptOutRequestedConsumerDefinition() : PlatformConsumerDefinition<OptOutRequestedConsumer>(Queues.ConsentOptOuts, firstRetry: TimeSpan.FromMilliseconds(50));
