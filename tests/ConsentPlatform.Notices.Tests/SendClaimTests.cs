using System.Collections.Concurrent;
using ConsentPlatform.Notices.Calls;
using ConsentPlatform.Notices.Sending;
using ConsentPlatform.Testing;
using Dapper;

namespace ConsentPlatform.Notices.Tests;

/// <summary>
/// Send workers of two Notices processes on one database: every queued SMS is claimed (and so
/// sent) by exactly one of them. Each process has its own database object, as separate processes do.
/// </summary>
public abstract class SendClaimTests<TProvider> where TProvider : ITestDatabaseProvider, new()
{
    [DatabaseFact]
    public async Task Workers_of_two_processes_never_both_claim_a_queued_message()
    {
        const int messages = 300;
        using var databases = await ProviderDatabases.CreateAsync(new TProvider(), "notices");
        var first = await databases.MigrateAsync(new NoticesDatabase(databases.Options));
        var second = new NoticesDatabase(databases.Options);
        var now = TimeProvider.System.GetUtcNow();
        var stores = new[] { Store(first), Store(second) };
        await using (var tx = await first.BeginAsync())
        {
            for (var i = 0; i < messages; i++)
                await stores[0].EnqueueAsync(tx, Guid.NewGuid(), null, "org_a", "sales", $"hash-{i}", $"+8190{i:D8}", $"notice {i}", now, default);
            await tx.CommitAsync();
        }

        var claims = new ConcurrentQueue<(string Worker, string Id)>();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await Task.WhenAll(Enumerable.Range(0, 6).Select(w => Task.Run(async () =>
        {
            var worker = $"process-{w % 2}/worker-{w}";
            while (claims.Count < messages && !deadline.IsCancellationRequested)
            {
                // A claim finds nothing when other workers took every candidate it read; the rest are still due.
                if (await stores[w % 2].ClaimAsync(worker, TimeSpan.FromMinutes(5), deadline.Token) is { } row) claims.Enqueue((worker, row.Id));
                // A worker sends what it claimed before it claims again; without that pause one
                // process could win every race for SQLite's single writer and the test would prove nothing.
                await Task.Delay(5, deadline.Token);
            }
        })));

        var twice = claims.GroupBy(c => c.Id).Where(g => g.Count() > 1).Select(g => $"{g.Key} by {string.Join(" and ", g.Select(c => c.Worker))}").ToList();
        Assert.True(twice.Count == 0, $"claimed twice: {string.Join("; ", twice.Take(5))}");
        Assert.Equal(messages, claims.Count);
        Assert.Equal(2, claims.Select(c => c.Worker.Split('/')[0]).Distinct().Count());
        await using var connection = await first.OpenAsync();
        Assert.Equal(messages, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM outgoing_messages WHERE status = 'sending' AND attempts = 1"));
    }

    private static OutgoingStore Store(NoticesDatabase database) => new(database, TimeProvider.System, new NoticeOutcomes(), new SendSignal(1));
}

public sealed class SqliteSendClaimTests : SendClaimTests<SqliteProvider>;

public sealed class PostgreSqlSendClaimTests : SendClaimTests<PostgreSqlProvider>;

public sealed class SqlServerSendClaimTests : SendClaimTests<SqlServerProvider>;
