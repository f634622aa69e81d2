using ConsentPlatform.Contracts;
using ConsentPlatform.ServiceDefaults.Messaging;
using Dapper;
using MassTransit;

namespace ConsentPlatform.Benchmarks.Outbox;

/// <summary>
/// A consumer shaped like the platform's: the inbox (<see cref="Inbox.HandleOnceAsync"/>) and a
/// one-row effect in the same transaction, on its own service database. Latency is taken after
/// that commit, from the <see cref="OrganizationProfileChanged.ChangedAt"/> stamp the producer
/// wrote just before its own transaction.
/// </summary>
public sealed class BenchProfileConsumer(BenchInboxDatabase database, BenchMetrics metrics) : IConsumer<OrganizationProfileChanged>
{
    public static readonly string InboxName = Inbox.KeyOf<BenchProfileConsumer, OrganizationProfileChanged>();

    public const string InsertRevision = """
        INSERT INTO organization_profile_revisions (organization_id, revision, legal_name, changed_at, received_at)
        VALUES (@OrganizationId, @Revision, @LegalName, @changedAt, @receivedAt)
        """;

    public async Task Consume(ConsumeContext<OrganizationProfileChanged> context)
    {
        var change = context.Message;
        var ran = await database.HandleOnceAsync(this, context, transaction =>
            transaction.Connection.ExecuteAsync(new CommandDefinition(InsertRevision, new
            {
                change.OrganizationId, change.Revision, change.LegalName,
                changedAt = change.ChangedAt.ToUnixTimeMilliseconds(),
                receivedAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
            }, transaction.Inner, cancellationToken: context.CancellationToken)));
        if (ran) metrics.RecordConsumed(change.ChangedAt);
        else metrics.Duplicate();
    }
}

/// <summary>Same endpoint shape as <c>OrganizationProfileChangedConsumerDefinition</c>: a concurrency limit and exponential retry.</summary>
public sealed class BenchProfileConsumerDefinition : ConsumerDefinition<BenchProfileConsumer>
{
    public BenchProfileConsumerDefinition(OutboxBenchSettings settings)
    {
        EndpointName = "bench-organization-profiles";
        ConcurrentMessageLimit = settings.Concurrency;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<BenchProfileConsumer> consumerConfigurator, IRegistrationContext context)
    {
        endpointConfigurator.UseMessageRetry(r => r.Exponential(10, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(200)));
    }
}
