using ConsentPlatform.Contracts;
using ConsentPlatform.ServiceDefaults.Messaging;
using Dapper;
using MassTransit;

namespace ConsentPlatform.Benchmarks.Outbox;

/// <summary>
/// (--consumer-batch N) The same inbox and effect as <see cref="BenchProfileConsumer"/> for up to
/// N messages in one transaction, so one fsync covers N messages. Every message's inbox row
/// (<see cref="Inbox.TryRecordAsync"/>) still commits with its effect. The services consume one
/// message per transaction; this measures what batching would buy.
/// </summary>
public sealed class BenchBatchConsumer(BenchInboxDatabase database, BenchMetrics metrics) : IConsumer<Batch<OrganizationProfileChanged>>
{
    public async Task Consume(ConsumeContext<Batch<OrganizationProfileChanged>> context)
    {
        var ran = new List<DateTimeOffset>(context.Message.Length);
        var handled = 0;
        await using (var transaction = await database.BeginAsync(context.CancellationToken))
        {
            foreach (var message in context.Message)
            {
                var messageId = message.MessageId ?? throw new InvalidOperationException("A message without a MessageId cannot be de-duplicated.");
                if (!await Inbox.TryRecordAsync(transaction, messageId, BenchProfileConsumer.InboxName, context.CancellationToken)) continue;
                var change = message.Message;
                await transaction.Connection.ExecuteAsync(new CommandDefinition(BenchProfileConsumer.InsertRevision, new
                {
                    change.OrganizationId, change.Revision, change.LegalName,
                    changedAt = change.ChangedAt.ToUnixTimeMilliseconds(),
                    receivedAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
                }, transaction.Inner, cancellationToken: context.CancellationToken));
                ran.Add(change.ChangedAt);
                handled++;
            }
            await transaction.CommitAsync(context.CancellationToken);
        }
        foreach (var writtenAt in ran) metrics.RecordConsumed(writtenAt);
        for (var i = handled; i < context.Message.Length; i++) metrics.Duplicate();
    }
}

public sealed class BenchBatchConsumerDefinition : ConsumerDefinition<BenchBatchConsumer>
{
    private readonly OutboxBenchSettings _settings;

    public BenchBatchConsumerDefinition(OutboxBenchSettings settings)
    {
        _settings = settings;
        EndpointName = "bench-organization-profiles";
        // One batch commits while the next one fills.
        ConcurrentMessageLimit = 2 * settings.ConsumerBatch;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<BenchBatchConsumer> consumerConfigurator, IRegistrationContext context)
    {
        if (endpointConfigurator is IRabbitMqReceiveEndpointConfigurator rabbit)
            rabbit.PrefetchCount = Math.Max(_settings.Prefetch, 2 * _settings.ConsumerBatch);
        endpointConfigurator.UseMessageRetry(r => r.Exponential(10, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(200)));
        consumerConfigurator.Options<BatchOptions>(o => o
            .SetMessageLimit(_settings.ConsumerBatch)
            .SetTimeLimit(TimeSpan.FromMilliseconds(_settings.ConsumerBatchMilliseconds))
            .SetConcurrencyLimit(1));
    }
}
