using System.Diagnostics;
using ConsentPlatform.Contracts;
using ConsentPlatform.ServiceDefaults.Messaging;
using ConsentPlatform.ServiceDefaults.Organizations;
using ConsentPlatform.Testing;
using Dapper;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace ConsentPlatform.ServiceDefaults.Tests.Messaging;

/// <summary>The harness of the outbox tests: a test database of the provider, MassTransit's test harness with the real profile consumer.</summary>
public abstract class OutboxTestBase<TProvider> where TProvider : ITestDatabaseProvider, new()
{
    protected sealed class Harness : IAsyncDisposable
    {
        public required ServiceProvider Provider { get; init; }
        public required ITestHarness Bus { get; init; }
        public required TestDatabase Database { get; init; }
        public required DeliveryCounter Deliveries { get; init; }
        public OutboxRelay<TestDatabase> NewRelay() => new(Database, Bus.Bus, Database.Options, NullLogger<OutboxRelay<TestDatabase>>.Instance);
        public async ValueTask DisposeAsync()
        {
            await Provider.DisposeAsync();
            await Database.DisposeAsync();
        }
    }

    protected static async Task<Harness> StartAsync(int claimSeconds = 30)
    {
        var database = await TestDatabase.CreateAsync(new TProvider(), claimSeconds);
        var services = new ServiceCollection()
            .AddSingleton(database)
            .AddSingleton(TimeProvider.System)
            .AddMassTransitTestHarness(x => x.AddConsumer<OrganizationProfileChangedConsumer<TestDatabase>>())
            .BuildServiceProvider(true);
        var harness = services.GetRequiredService<ITestHarness>();
        await harness.Start();
        var deliveries = new DeliveryCounter();
        harness.Bus.ConnectConsumeObserver(deliveries);
        return new Harness { Provider = services, Bus = harness, Database = database, Deliveries = deliveries };
    }

    protected static OrganizationProfileChanged Change(int revision, string org = "org_test") => new()
    {
        OrganizationId = org, Revision = revision, LegalName = $"Acme K.K. r{revision}", ChangedAt = DateTimeOffset.UtcNow,
    };

    protected static async Task<long> CountAsync(TestDatabase database, string sql)
    {
        await using var connection = await database.OpenAsync();
        return await connection.ExecuteScalarAsync<long>(sql);
    }

    protected static async Task WriteAsync(TestDatabase database, IEnumerable<OrganizationProfileChanged> changes, bool commit)
    {
        await using var transaction = await database.BeginAsync();
        foreach (var change in changes) Outbox.Write(transaction, change);
        if (commit) await transaction.CommitAsync();
    }

    protected static readonly ActivitySource TestTraces = new("ConsentPlatform.Tests.Outbox");

    /// <summary>Samples every activity of the named sources, as a collector would, so they carry W3C ids.</summary>
    protected static ActivityListener RecordAll(params string[] sources)
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = source => sources.Contains(source.Name),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }

    protected static async Task WaitForConsumedAsync(Harness h, int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (await CountAsync(h.Database, "SELECT COUNT(*) FROM inbox_messages") < count)
            await Task.Delay(20, timeout.Token);
        await h.Bus.InactivityTask;
    }

    protected static async Task WaitForDeliveriesAsync(Harness h, int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (h.Deliveries.Count < count) await Task.Delay(20, timeout.Token);
        await Task.Delay(200); // room for an unexpected extra delivery to show up
    }
}

/// <summary>
/// The outbox and inbox contract, written once and run against each database provider.
/// The consumer is the real organization-profile replica: its effect is a row per revision
/// (organization_profile_revisions), so a duplicate delivery that slipped past the inbox
/// would show as a second row.
/// </summary>
public abstract class OutboxTests<TProvider> : OutboxTestBase<TProvider> where TProvider : ITestDatabaseProvider, new()
{
    [DatabaseFact]
    public async Task Rolled_back_transaction_publishes_nothing()
    {
        await using var h = await StartAsync();
        await WriteAsync(h.Database, [Change(1), Change(2)], commit: false);

        Assert.Equal(0, await h.NewRelay().RelayBatchAsync(CancellationToken.None));
        Assert.Equal(0, await CountAsync(h.Database, "SELECT COUNT(*) FROM outbox_messages"));
        Assert.False(await h.Bus.Published.Any<OrganizationProfileChanged>(new CancellationTokenSource(300).Token));
    }

    [DatabaseFact]
    public async Task Committed_transaction_publishes_exactly_what_it_wrote()
    {
        await using var h = await StartAsync();
        await WriteAsync(h.Database, [Change(1), Change(2), Change(3)], commit: true);

        Assert.Equal(3, await h.NewRelay().RelayBatchAsync(CancellationToken.None));
        await WaitForConsumedAsync(h, 3);

        var published = h.Bus.Published.Select<OrganizationProfileChanged>().Select(m => m.Context.Message.Revision).Order().ToList();
        Assert.Equal([1L, 2L, 3L], published);
        Assert.Equal(0, await CountAsync(h.Database, "SELECT COUNT(*) FROM outbox_messages WHERE sent_at IS NULL"));
        Assert.Equal(0, await h.NewRelay().RelayBatchAsync(CancellationToken.None));
        await WaitForDeliveriesAsync(h, 3);
        Assert.Equal(3, h.Deliveries.Count);
    }

    [DatabaseFact]
    public async Task Messages_written_in_one_transaction_are_stored_at_commit_in_write_order_each_with_the_trace_it_was_written_in()
    {
        await using var h = await StartAsync();
        using var listener = RecordAll(TestTraces.Name);
        var traces = new List<string>();
        await using (var transaction = await h.Database.BeginAsync())
        {
            for (var revision = 1; revision <= 3; revision++)
            {
                using var request = TestTraces.StartActivity("request " + revision)!;
                traces.Add(request.Id!);
                Outbox.Write(transaction, Change(revision));
            }
            await transaction.CommitAsync();
        }

        await using var connection = await h.Database.OpenAsync();
        var rows = (await connection.QueryAsync<(string Body, string TraceParent)>("SELECT body, trace_parent FROM outbox_messages ORDER BY id")).ToList();
        Assert.Equal([1L, 2L, 3L], rows.Select(r => System.Text.Json.JsonSerializer.Deserialize<OrganizationProfileChanged>(r.Body, Outbox.Json)!.Revision));
        Assert.Equal(traces, rows.Select(r => r.TraceParent));
    }

    [DatabaseFact]
    public async Task Message_ids_of_messages_written_later_sort_after_those_written_earlier()
    {
        // The unique index on message_id (and every consumer's inbox key) then grows at its right edge
        // instead of touching a random page per message (ADR 0044).
        await using var h = await StartAsync();
        var written = new List<string>();
        for (var revision = 1; revision <= 20; revision++)
        {
            await using var transaction = await h.Database.BeginAsync();
            written.Add(Outbox.Write(transaction, Change(revision)).ToString());
            await transaction.CommitAsync();
            await Task.Delay(2); // the ids order by millisecond; within one they are random
        }

        await using var connection = await h.Database.OpenAsync();
        var stored = (await connection.QueryAsync<string>("SELECT message_id FROM outbox_messages ORDER BY id")).ToList();
        Assert.Equal(written, stored);
        Assert.Equal(written.Order(StringComparer.Ordinal), written);
    }

    [DatabaseFact]
    public async Task Relay_that_dies_after_publishing_is_followed_by_a_republish_that_the_inbox_absorbs()
    {
        await using var h = await StartAsync(claimSeconds: 5);
        await WriteAsync(h.Database, [Change(1), Change(2)], commit: true);

        // What a relay killed between publish and mark-sent leaves behind: the rows claimed,
        // the messages on the bus, sent_at still empty.
        await using (var connection = await h.Database.OpenAsync())
        {
            var now = DateTimeOffset.UtcNow;
            var rows = (await connection.QueryAsync<(long Id, string MessageId, string MessageType, string Body)>(h.Database.Dialect.ClaimOutboxBatch,
                new { relay = "dead-relay", now = now.ToUnixTimeMilliseconds(), until = now.AddSeconds(5).ToUnixTimeMilliseconds(), batch = 10 })).ToList();
            Assert.Equal(2, rows.Count);
            foreach (var row in rows)
            {
                var message = System.Text.Json.JsonSerializer.Deserialize<OrganizationProfileChanged>(row.Body, Outbox.Json)!;
                await h.Bus.Bus.Publish(message, ctx => ctx.MessageId = Guid.Parse(row.MessageId));
            }
        }
        await WaitForConsumedAsync(h, 2);

        // While the dead relay's claim holds, nobody else publishes the rows.
        Assert.Equal(0, await h.NewRelay().RelayBatchAsync(CancellationToken.None));

        await Task.Delay(TimeSpan.FromSeconds(5.5));
        Assert.Equal(2, await h.NewRelay().RelayBatchAsync(CancellationToken.None));
        await WaitForDeliveriesAsync(h, 4);

        Assert.Equal(4, h.Deliveries.Count);
        Assert.Equal(2, await CountAsync(h.Database, "SELECT COUNT(*) FROM organization_profile_revisions"));
        Assert.Equal(0, await CountAsync(h.Database, "SELECT COUNT(*) FROM outbox_messages WHERE sent_at IS NULL"));
    }

    [DatabaseFact]
    public async Task Messages_the_broker_refused_stay_unsent_with_the_error_and_go_out_with_the_next_batch()
    {
        await using var h = await StartAsync();
        var broker = new RefusingPublishObserver { Refusing = true };
        h.Bus.Bus.ConnectPublishObserver(broker);
        await WriteAsync(h.Database, [Change(1), Change(2)], commit: true);

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => h.NewRelay().RelayBatchAsync(CancellationToken.None));
        Assert.Contains("2 of 2", refused.Message);
        Assert.Equal(2, await CountAsync(h.Database, "SELECT COUNT(*) FROM outbox_messages WHERE sent_at IS NULL AND attempts = 1 AND last_error LIKE '%refused by the test broker%'"));

        broker.Refusing = false;
        Assert.Equal(2, await h.NewRelay().RelayBatchAsync(CancellationToken.None));
        await WaitForConsumedAsync(h, 2);
        Assert.Equal(2, await CountAsync(h.Database, "SELECT COUNT(*) FROM outbox_messages WHERE sent_at IS NOT NULL AND attempts = 2 AND last_error IS NULL"));
    }

    [DatabaseFact]
    public async Task Two_relays_on_one_database_never_both_publish_a_row()
    {
        await using var h = await StartAsync();
        const int count = 1_000;
        for (var start = 1; start <= count; start += 100)
            await WriteAsync(h.Database, Enumerable.Range(start, 100).Select(i => Change(i)), commit: true);

        var relays = new[] { h.NewRelay(), h.NewRelay() };
        var perRelay = new int[2];
        await Task.WhenAll(relays.Select(async (relay, i) =>
        {
            while (await relay.RelayBatchAsync(CancellationToken.None) is var n && n > 0) perRelay[i] += n;
        }));
        await WaitForConsumedAsync(h, count);
        await WaitForDeliveriesAsync(h, count);

        Assert.Equal(count, perRelay.Sum());
        Assert.Equal(count, h.Deliveries.Count);
        Assert.Equal(count, h.Deliveries.DistinctMessageIds);
        Assert.Equal(count, await CountAsync(h.Database, "SELECT COUNT(*) FROM organization_profile_revisions"));
    }

    [DatabaseFact]
    public async Task Redelivered_message_changes_nothing()
    {
        await using var h = await StartAsync();
        var messageId = Guid.NewGuid();
        for (var i = 0; i < 3; i++)
            await h.Bus.Bus.Publish(Change(7), ctx => ctx.MessageId = messageId);
        await WaitForDeliveriesAsync(h, 3);

        Assert.Equal(3, h.Deliveries.Count);
        Assert.Equal(1, await CountAsync(h.Database, "SELECT COUNT(*) FROM organization_profile_revisions"));
        Assert.Equal(1, await CountAsync(h.Database, "SELECT COUNT(*) FROM inbox_messages"));
    }
}

// One collection: the providers' variants take turns rather than pushing 1,000 messages each through
// the same two cores at once, which made their 20 s waits a measure of the machine's load.
[Collection("outbox")] public sealed class SqliteOutboxTests : OutboxTests<SqliteProvider>;

[Collection("outbox")] public sealed class PostgreSqlOutboxTests : OutboxTests<PostgreSqlProvider>;

[Collection("outbox")] public sealed class SqlServerOutboxTests : OutboxTests<SqlServerProvider>;

/// <summary>
/// On a server database the relay holds its rows by locks in the transaction it publishes in (SqlDialect.LockOutboxBatch),
/// not by a claim written to the table, so a relay that stops or dies mid-publish holds nothing afterwards. SQLite
/// claims by a column that expires instead: <see cref="OutboxTests{TProvider}"/> covers that for every provider.
/// </summary>
public abstract class ServerOutboxTests<TProvider> : OutboxTestBase<TProvider> where TProvider : ITestDatabaseProvider, new()
{
    [DatabaseFact]
    public async Task Relay_stopped_while_publishing_leaves_its_rows_to_the_next_relay_at_once()
    {
        // A claim would hold the rows for 30 s; the next relay below must not wait for that.
        await using var h = await StartAsync(claimSeconds: 30);
        await WriteAsync(h.Database, [Change(1), Change(2)], commit: true);
        var stalled = new StallingPublishObserver();
        var observer = h.Bus.Bus.ConnectPublishObserver(stalled);

        using var stop = new CancellationTokenSource();
        var first = h.NewRelay().RelayBatchAsync(stop.Token);
        await stalled.Entered.Task.WaitAsync(TimeSpan.FromSeconds(20));
        // While the first relay is publishing, its rows are nobody else's.
        Assert.Equal(0, await h.NewRelay().RelayBatchAsync(CancellationToken.None));

        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        observer.Disconnect();
        Assert.Equal(2, await h.NewRelay().RelayBatchAsync(CancellationToken.None));
    }
}

[Collection("outbox")] public sealed class PostgreSqlServerOutboxTests : ServerOutboxTests<PostgreSqlProvider>;

[Collection("outbox")] public sealed class SqlServerServerOutboxTests : ServerOutboxTests<SqlServerProvider>;

/// <summary>A broker that refuses every publish while <see cref="Refusing"/> is set.</summary>
public sealed class RefusingPublishObserver : IPublishObserver
{
    public volatile bool Refusing;
    public Task PrePublish<T>(PublishContext<T> context) where T : class =>
        Refusing ? throw new InvalidOperationException("refused by the test broker") : Task.CompletedTask;
    public Task PostPublish<T>(PublishContext<T> context) where T : class => Task.CompletedTask;
    public Task PublishFault<T>(PublishContext<T> context, Exception exception) where T : class => Task.CompletedTask;
}

/// <summary>A broker that never confirms: each publish waits until it is cancelled.</summary>
public sealed class StallingPublishObserver : IPublishObserver
{
    public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public async Task PrePublish<T>(PublishContext<T> context) where T : class
    {
        Entered.TrySetResult();
        await Task.Delay(Timeout.Infinite, context.CancellationToken);
    }
    public Task PostPublish<T>(PublishContext<T> context) where T : class => Task.CompletedTask;
    public Task PublishFault<T>(PublishContext<T> context, Exception exception) where T : class => Task.CompletedTask;
}

/// <summary>Counts every delivery to a consumer, duplicates included (the harness's lists are keyed by MessageId).</summary>
public sealed class DeliveryCounter : IConsumeObserver
{
    private readonly System.Collections.Concurrent.ConcurrentBag<Guid?> _ids = [];
    public int Count => _ids.Count;
    public int DistinctMessageIds => _ids.Distinct().Count();
    public Task PreConsume<T>(ConsumeContext<T> context) where T : class => Task.CompletedTask;
    public Task PostConsume<T>(ConsumeContext<T> context) where T : class { _ids.Add(context.MessageId); return Task.CompletedTask; }
    public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception) where T : class => Task.CompletedTask;
}

/// <summary>
/// Outbox messages wait for the commit and go to a server database in one batch (ADR 0042): a handler that writes
/// several pays one round trip for them, not one each. Counted by Npgsql's own tracing, one activity per command or batch.
/// </summary>
[Collection("outbox")]
public sealed class PostgreSqlOutboxWriteTests : OutboxTestBase<PostgreSqlProvider>
{
    [DatabaseFact]
    public async Task Messages_written_in_one_transaction_reach_PostgreSQL_in_one_round_trip_at_commit()
    {
        await using var h = await StartAsync();
        var commands = new System.Collections.Concurrent.ConcurrentBag<string>();
        using var listener = RecordAll(TestTraces.Name, "Npgsql");
        listener.ActivityStopped = activity =>
        {
            if (activity.Source.Name == "Npgsql" && activity.Parent?.Source == TestTraces) commands.Add(activity.DisplayName);
        };

        using (TestTraces.StartActivity("handler"))
        {
            await using var transaction = await h.Database.BeginAsync();
            for (var revision = 1; revision <= 3; revision++) Outbox.Write(transaction, Change(revision));
            await transaction.CommitAsync();
        }

        Assert.Single(commands);
        Assert.Equal(3, await CountAsync(h.Database, "SELECT COUNT(*) FROM outbox_messages"));
    }
}
