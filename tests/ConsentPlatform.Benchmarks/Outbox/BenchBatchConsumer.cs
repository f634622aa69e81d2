using ConsentPlatform.Contracts;
using ConsentPlatform.ServiceDefaults.Messaging;
using Dapper;
using MassTransit;

namespace ConsentPlatform.Benchmarks.Outbox;

/// <summary>
/// (--consumer-batch N) The same inbox and effect as <see cref="BenchProfileConsumer"/> for up to
/// N messages in one transaction, so one fsync covers N messages. Every message's inbox row
/// (<see cref="Inbox.TryRecordAllAsync"/>, one statement for the batch) still commits with its effect.
/// The services consume one message per transaction; this measures what batching would buy.
/// </summary>
public sealed class BenchBatchConsumer(BenchInboxDatabase database, BenchMetrics metrics) : IConsumer<Batch<OrganizationProfileChanged>>
{
    public async Task Consume(ConsumeContext<Batch<OrganizationProfileChanged>> context)
    {
        var ran = new List<DateTimeOffset>(context.Message.Length);
        await using (var transaction = await database.BeginAsync(context.CancellationToken))
        {
            var ids = context.Message.Select(m => m.MessageId ?? throw new InvalidOperationException("A message without a MessageId cannot be de-duplicated.")).ToArray();
            var recorded = await Inbox.TryRecordAllAsync(transaction, ids, BenchProfileConsumer.InboxName, context.CancellationToken);
            // The effects of the recorded messages, one multi-row statement as the inbox rows are: the batch's round trips stay three.
            var changes = context.Message.Where(m => recorded.Contains(m.MessageId!.Value)).DistinctBy(m => m.MessageId).Select(m => m.Message).ToArray();
            if (changes.Length > 0)
            {
                var parameters = new DynamicParameters(new { receivedAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() });
                for (var i = 0; i < changes.Length; i++)
                {
                    parameters.Add("o" + i, changes[i].OrganizationId); parameters.Add("r" + i, changes[i].Revision);
                    parameters.Add("n" + i, changes[i].LegalName); parameters.Add("c" + i, changes[i].ChangedAt.ToUnixTimeMilliseconds());
                }
                var sql = "INSERT INTO organization_profile_revisions (organization_id, revision, legal_name, changed_at, received_at) VALUES " +
                    string.Join(", ", changes.Select((_, i) => $"(@o{i}, @r{i}, @n{i}, @c{i}, @receivedAt)"));
                await transaction.Connection.ExecuteAsync(new CommandDefinition(sql, parameters, transaction.Inner, cancellationToken: context.CancellationToken));
                ran.AddRange(changes.Select(c => c.ChangedAt));
            }
            await transaction.CommitAsync(context.CancellationToken);
        }
        foreach (var writtenAt in ran) metrics.RecordConsumed(writtenAt);
        for (var i = ran.Count; i < context.Message.Length; i++) metrics.Duplicate();
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
