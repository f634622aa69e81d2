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

    [DatabaseFact]
    public async Task Workers_of_two_processes_never_both_claim_a_queued_email()
    {
        const int emails = 120;
        using var databases = await ProviderDatabases.CreateAsync(new TProvider(), "notices");
        var first = await databases.MigrateAsync(new NoticesDatabase(databases.Options));
        var queues = new[] { new EmailQueue(first, TimeProvider.System), new EmailQueue(new NoticesDatabase(databases.Options), TimeProvider.System) };
        await using (var tx = await first.BeginAsync())
        {
            for (var i = 0; i < emails; i++)
                await EmailQueue.EnqueueAsync(tx, new EmailToSend(Guid.NewGuid().ToString(), "org_a", $"hash-{i}", $"p{i}@example.test", "Code", $"code {i}"),
                    "verification", TimeProvider.System.GetUtcNow(), default);
            await tx.CommitAsync();
        }

        var claims = new ConcurrentQueue<(int Process, string Id)>();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await Task.WhenAll(Enumerable.Range(0, 6).Select(w => Task.Run(async () =>
        {
            while (claims.Count < emails && !deadline.IsCancellationRequested)
            {
                if (await queues[w % 2].ClaimAsync(TimeSpan.FromMinutes(5), deadline.Token) is { } email) claims.Enqueue((w % 2, email.Id));
                await Task.Delay(5, deadline.Token);
            }
        })));

        Assert.DoesNotContain(claims.GroupBy(c => c.Id), g => g.Count() > 1);
        Assert.Equal(emails, claims.Count);
        Assert.Equal(2, claims.Select(c => c.Process).Distinct().Count());
        await using var connection = await first.OpenAsync();
        Assert.Equal(emails, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM outgoing_emails WHERE status = 'sending' AND attempts = 1"));
    }

    [DatabaseFact]
    public async Task A_message_whose_worker_was_killed_before_the_request_is_queued_again_and_one_killed_after_it_is_looked_up()
    {
        using var databases = await ProviderDatabases.CreateAsync(new TProvider(), "notices");
        var database = await databases.MigrateAsync(new NoticesDatabase(databases.Options));
        var clock = new TestClock(DateTimeOffset.UtcNow);
        var store = new OutgoingStore(database, clock, new NoticeOutcomes(), new SendSignal(1));
        await using (var tx = await database.BeginAsync())
        {
            foreach (var i in new[] { 1, 2 })
                await store.EnqueueAsync(tx, Guid.NewGuid(), null, "org_a", "sales", $"hash-{i}", $"+81900000000{i}", $"notice {i}", clock.Now.AddSeconds(i - 3), default);
            await tx.CommitAsync();
        }

        // The killed worker claimed both; it let the second one's request go, and died before the first one's.
        var beforeRequest = await store.ClaimAsync("killed", TimeSpan.FromMinutes(1), default);
        var afterRequest = await store.ClaimAsync("killed", TimeSpan.FromMinutes(1), default);
        await store.MarkRequestStartingAsync(afterRequest!.Id, "killed", default);
        clock.Now += TimeSpan.FromMinutes(2);

        Assert.Equal((1, 1), await store.RecoverAbandonedAsync(default));
        // Both are due at once now; a live worker takes them in either order.
        var claimed = new[] { await store.ClaimAsync("alive", TimeSpan.FromMinutes(1), default), await store.ClaimAsync("alive", TimeSpan.FromMinutes(1), default) }
            .ToDictionary(row => row!.Id, row => (row!.Status, row.Attempts));
        Assert.Equal((MessageStatuses.Sending, 2L), claimed[beforeRequest!.Id]);
        Assert.Equal((MessageStatuses.Unknown, 1L), claimed[afterRequest.Id]);
    }

    [DatabaseFact]
    public async Task A_worker_stalled_past_its_claim_may_not_start_the_request_once_the_message_is_another_workers()
    {
        using var databases = await ProviderDatabases.CreateAsync(new TProvider(), "notices");
        var database = await databases.MigrateAsync(new NoticesDatabase(databases.Options));
        var clock = new TestClock(DateTimeOffset.UtcNow);
        var store = new OutgoingStore(database, clock, new NoticeOutcomes(), new SendSignal(1));
        await using (var tx = await database.BeginAsync())
        {
            await store.EnqueueAsync(tx, Guid.NewGuid(), null, "org_a", "sales", "hash-1", "+819000000001", "notice", clock.Now.AddSeconds(-1), default);
            await tx.CommitAsync();
        }
        var stalled = await store.ClaimAsync("stalled", TimeSpan.FromMinutes(1), default);
        clock.Now += TimeSpan.FromMinutes(2);
        Assert.Equal((1, 0), await store.RecoverAbandonedAsync(default));
        var taken = await store.ClaimAsync("alive", TimeSpan.FromMinutes(1), default);
        Assert.Equal(stalled!.Id, taken!.Id);

        Assert.False(await store.MarkRequestStartingAsync(stalled.Id, "stalled", default));
        Assert.True(await store.MarkRequestStartingAsync(taken.Id, "alive", default));
    }

    private static OutgoingStore Store(NoticesDatabase database) => new(database, TimeProvider.System, new NoticeOutcomes(), new SendSignal(1));
}

/// <summary>
/// A claim on a server database skips a row another worker's transaction holds and takes the next one, rather than wait
/// for that transaction. SQLite has one writer, so there no second transaction can hold a row while a claim runs.
/// </summary>
public abstract class HeldRowClaimTests<TProvider> where TProvider : ITestDatabaseProvider, new()
{
    [DatabaseFact]
    public async Task A_claim_takes_the_next_due_email_and_sms_instead_of_waiting_for_ones_another_transaction_holds()
    {
        using var databases = await ProviderDatabases.CreateAsync(new TProvider(), "notices");
        var database = await databases.MigrateAsync(new NoticesDatabase(databases.Options));
        var time = TimeProvider.System;
        var store = new OutgoingStore(database, time, new NoticeOutcomes(), new SendSignal(1));
        var queue = new EmailQueue(database, time);
        var earlier = time.GetUtcNow().AddMinutes(-1);
        await using (var tx = await database.BeginAsync())
        {
            foreach (var (id, at) in new[] { ("00000000-0000-0000-0000-00000000000a", earlier), ("00000000-0000-0000-0000-00000000000b", earlier.AddSeconds(1)) })
            {
                await EmailQueue.EnqueueAsync(tx, new EmailToSend(id, "org_a", "hash", "p@example.test", "Code", "code"), "verification", at, default);
                await store.EnqueueAsync(tx, Guid.Parse(id), null, "org_a", "sales", "hash", "+819000000000", "notice", at, default);
            }
            await tx.CommitAsync();
        }

        // Another worker is inside its claim of the first of each: its transaction holds those rows.
        await using var holder = await database.BeginAsync();
        await holder.Connection.ExecuteAsync("UPDATE outgoing_emails SET updated_at = updated_at WHERE id = @id", new { id = "00000000-0000-0000-0000-00000000000a" }, holder.Inner);
        await holder.Connection.ExecuteAsync("UPDATE outgoing_messages SET updated_at = updated_at WHERE id = @id", new { id = "00000000-0000-0000-0000-00000000000a" }, holder.Inner);

        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var email = await queue.ClaimAsync(TimeSpan.FromMinutes(5), patience.Token);
        var sms = await store.ClaimAsync("worker-2", TimeSpan.FromMinutes(5), patience.Token);
        Assert.Equal("00000000-0000-0000-0000-00000000000b", email?.Id);
        Assert.Equal("00000000-0000-0000-0000-00000000000b", sms?.Id);
    }
}

public sealed class PostgreSqlHeldRowClaimTests : HeldRowClaimTests<PostgreSqlProvider>;

public sealed class SqlServerHeldRowClaimTests : HeldRowClaimTests<SqlServerProvider>;

public sealed class SqliteSendClaimTests : SendClaimTests<SqliteProvider>;

public sealed class PostgreSqlSendClaimTests : SendClaimTests<PostgreSqlProvider>;

public sealed class SqlServerSendClaimTests : SendClaimTests<SqlServerProvider>;
