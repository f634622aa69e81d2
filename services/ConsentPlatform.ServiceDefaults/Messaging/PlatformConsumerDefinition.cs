using MassTransit;

namespace ConsentPlatform.ServiceDefaults.Messaging;

/// <summary>
/// The one place a consumer's queue, concurrency and retry are set, so the twelve consumers stop
/// carrying twelve copies of the same retry block. Retries are in-process and exponential (10
/// attempts over about half a minute): enough to ride out a locked database file or a restarting
/// broker connection; what still fails goes to the error queue (MassTransit's default), not lost.
/// </summary>
/// <param name="queue">A name from <see cref="Queues"/>.</param>
/// <param name="concurrentMessageLimit">Null leaves MassTransit's default (the prefetch count).</param>
/// <param name="firstRetry">
/// The first retry's delay; later ones grow from it. Consent's opt-out consumers retry sooner
/// (50 ms), since the whole platform waits for their decision.
/// </param>
public abstract class PlatformConsumerDefinition<TConsumer> : ConsumerDefinition<TConsumer>
    where TConsumer : class, IConsumer
{
    private readonly TimeSpan _firstRetry;

    protected PlatformConsumerDefinition(string queue, int? concurrentMessageLimit = 8, TimeSpan? firstRetry = null)
    {
        EndpointName = queue;
        ConcurrentMessageLimit = concurrentMessageLimit;
        _firstRetry = firstRetry ?? TimeSpan.FromMilliseconds(100);
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<TConsumer> consumerConfigurator,
        IRegistrationContext context) =>
        endpointConfigurator.UseMessageRetry(r => r.Exponential(10, _firstRetry, TimeSpan.FromSeconds(30), _firstRetry * 2));
}
