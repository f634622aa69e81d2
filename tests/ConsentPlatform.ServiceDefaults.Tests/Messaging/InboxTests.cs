using ConsentPlatform.ServiceDefaults.Messaging;
using ConsentPlatform.Testing;
using Dapper;

namespace ConsentPlatform.ServiceDefaults.Tests.Messaging;

/// <summary>The inbox's batch form, run against each database provider: one statement records a whole batch.</summary>
public abstract class InboxTests<TProvider> where TProvider : ITestDatabaseProvider, new()
{
    private static async Task<IReadOnlySet<Guid>> RecordAllAsync(TestDatabase database, IEnumerable<Guid> ids, string consumer, bool commit = true)
    {
        await using var transaction = await database.BeginAsync();
        var recorded = await Inbox.TryRecordAllAsync(transaction, ids, consumer);
        if (commit) await transaction.CommitAsync();
        return recorded;
    }

    [DatabaseFact]
    public async Task A_batch_records_only_the_messages_this_consumer_has_not_handled_before()
    {
        await using var database = await TestDatabase.CreateAsync(new TProvider());
        var handled = Guid.NewGuid();
        await using (var transaction = await database.BeginAsync())
        {
            Assert.True(await Inbox.TryRecordAsync(transaction, handled, "test.consumer"));
            await transaction.CommitAsync();
        }
        var fresh = Enumerable.Range(0, 3).Select(_ => Guid.NewGuid()).ToArray();

        // A redelivery can bring the same message twice in one batch.
        var recorded = await RecordAllAsync(database, [handled, fresh[0], fresh[1], fresh[0], fresh[2]], "test.consumer");

        Assert.Equal(fresh.ToHashSet(), recorded.ToHashSet());
        Assert.Empty(await RecordAllAsync(database, [.. fresh, handled], "test.consumer"));
        Assert.Equal(fresh.ToHashSet(), (await RecordAllAsync(database, fresh, "another.consumer")).ToHashSet());
        await using var connection = await database.OpenAsync();
        Assert.Equal(7, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM inbox_messages"));
    }

    [DatabaseFact]
    public async Task A_batch_larger_than_one_statement_takes_is_recorded_whole()
    {
        await using var database = await TestDatabase.CreateAsync(new TProvider());
        var ids = Enumerable.Range(0, 1_201).Select(_ => Guid.NewGuid()).ToArray();

        Assert.Empty(await RecordAllAsync(database, [], "test.consumer"));
        Assert.Equal(ids.Length, (await RecordAllAsync(database, ids, "test.consumer", commit: false)).Count);
        Assert.Equal(ids.Length, (await RecordAllAsync(database, ids, "test.consumer")).Count);
        Assert.Empty(await RecordAllAsync(database, ids.Reverse(), "test.consumer"));
    }
}

public sealed class SqliteInboxTests : InboxTests<SqliteProvider>;

public sealed class PostgreSqlInboxTests : InboxTests<PostgreSqlProvider>;

public sealed class SqlServerInboxTests : InboxTests<SqlServerProvider>;
