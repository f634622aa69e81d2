using ConsentPlatform.Consent.Gate;
using ConsentPlatform.Consent.Ledger;
using ConsentPlatform.Contracts;
using ConsentPlatform.ServiceDefaults.Messaging;
using MassTransit;

namespace ConsentPlatform.Consent.Suppression;

/// <summary>
/// Any service's "stop" becomes a suppression entry (announced as ContactSuppressed) and a
/// withdrawal row for each consent it covers. A refused call (特商法 art. 17) is recorded as
/// refused_on_call, which the gate reports as such.
/// </summary>
public sealed class OptOutRequestedConsumer(ConsentDatabase database, SuppressionStore suppressions, LedgerStore ledger, ILogger<OptOutRequestedConsumer> logger)
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
        IReadOnlyList<(string, SuppressionFact)> written = [];
        IReadOnlyList<LedgerRow> withdrawn = [];
        var handled = await database.HandleOnceAsync(context, "consent.opt-out", async transaction =>
        {
            written = await suppressions.SuppressAsync(transaction, new SuppressionRequest(
                message.ContactHash, message.OrganizationId, channels, message.Purpose, reason, message.Source, message.RequestId, message.RequestedAt), context.CancellationToken);
            withdrawn = await ledger.WithdrawAsync(transaction, [message.ContactHash], message.OrganizationId, channels, message.Purpose,
                "opt_out", message.RequestedAt, context.CancellationToken);
        });
        if (!handled) return;
        suppressions.Apply(written);
        ledger.Apply(withdrawn);
        logger.LogInformation("Opt-out {RequestId} from {Source} for organization {OrganizationId}: {Entries} suppression entries, {Withdrawals} withdrawals",
            message.RequestId, message.Source, message.OrganizationId, written.Count, withdrawn.Count);
    }
}

public sealed class OptOutRequestedConsumerDefinition : ConsumerDefinition<OptOutRequestedConsumer>
{
    public const string QueueName = "consent-opt-outs";

    public OptOutRequestedConsumerDefinition()
    {
        EndpointName = QueueName;
        ConcurrentMessageLimit = 8;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<OptOutRequestedConsumer> consumerConfigurator, IRegistrationContext context)
    {
        endpointConfigurator.UseMessageRetry(r => r.Exponential(10, TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100)));
    }
}
