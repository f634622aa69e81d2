using ConsentPlatform.Testing;
using Dapper;

namespace ConsentPlatform.ServiceDefaults.Tests;

/// <summary>
/// A store registers its after-commit work (apply an index, wake a worker) on the transaction; it must run only
/// once the rows are durable, and outside the write gate so the work may itself read or write the database.
/// </summary>
public sealed class TransactionTests
{
    [Fact]
    public async Task Work_registered_on_a_transaction_runs_once_it_commits_in_registration_order()
    {
        await using var database = await TestDatabase.CreateAsync(new SqliteProvider());
        var ran = new List<string>();
        await using (var transaction = await database.BeginAsync())
        {
            await transaction.Connection.ExecuteAsync("INSERT INTO inbox_messages (message_id, consumer, received_at) VALUES ('m1', 'test', 1)", transaction: transaction.Inner);
            transaction.OnCommitted(() => ran.Add("first"));
            transaction.OnCommitted(async cancellationToken =>
            {
                // The committed row is visible, and the write gate is free: another transaction can begin.
                await using var next = await database.BeginAsync(cancellationToken);
                var rows = await next.Connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM inbox_messages", transaction: next.Inner);
                ran.Add($"second saw {rows}");
            });
            await transaction.CommitAsync();
            Assert.Empty(ran);
        }
        Assert.Equal(["first", "second saw 1"], ran);
    }

    [Fact]
    public async Task Work_registered_on_a_transaction_that_rolls_back_never_runs()
    {
        await using var database = await TestDatabase.CreateAsync(new SqliteProvider());
        var ran = false;
        await using (var transaction = await database.BeginAsync())
        {
            await transaction.Connection.ExecuteAsync("INSERT INTO inbox_messages (message_id, consumer, received_at) VALUES ('m1', 'test', 1)", transaction: transaction.Inner);
            transaction.OnCommitted(() => ran = true);
        }
        Assert.False(ran);
    }
}
