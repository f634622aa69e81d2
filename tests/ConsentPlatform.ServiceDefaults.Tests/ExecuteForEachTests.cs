using System.Data;
using ConsentPlatform.ServiceDefaults.Data;
using ConsentPlatform.Testing;
using Dapper;

namespace ConsentPlatform.ServiceDefaults.Tests;

/// <summary>
/// A statement run once per row (the check audit's batches): on the servers the rows travel as ADO.NET batches,
/// on SQLite through one reused command. Either way every row is written once with its own values, nulls included,
/// and nothing stays when the transaction rolls back.
/// </summary>
public abstract class ExecuteForEachTests<TProvider> where TProvider : ITestDatabaseProvider, new()
{
    private sealed record Sample(string? Organization, string Source, long AppliedAt, long LatencyUs);

    private const string Insert = "INSERT INTO opt_out_propagation (organization_id, source, applied_at, latency_us) VALUES (@org, @source, @at, @latency)";

    private static readonly (string Name, DbType Type, Func<Sample, object?> Value)[] Columns =
    [
        ("@org", DbType.String, s => s.Organization), ("@source", DbType.String, s => s.Source),
        ("@at", DbType.Int64, s => s.AppliedAt), ("@latency", DbType.Int64, s => s.LatencyUs),
    ];

    // More rows than one batch holds, and not a multiple of it: the last batch is a short one.
    private static readonly Sample[] Rows = Enumerable.Range(0, 2 * Transaction.RowsPerBatch + 37)
        .Select(i => new Sample(i % 3 == 0 ? null : $"org_{i % 7}", i % 2 == 0 ? "short_link" : "sms_reply", 1_000 + i, 10L * i)).ToArray();

    [DatabaseFact]
    public async Task Every_row_is_written_once_with_its_own_values_across_batches()
    {
        await using var database = await TestDatabase.CreateAsync(new TProvider());
        await using (var transaction = await database.BeginAsync())
        {
            await transaction.ExecuteForEachAsync(Insert, Columns, Rows);
            await transaction.CommitAsync();
        }

        await using var connection = await database.OpenAsync();
        var written = (await connection.QueryAsync<(string? Organization, string Source, long AppliedAt, long LatencyUs)>(
            "SELECT organization_id, source, applied_at, latency_us FROM opt_out_propagation ORDER BY applied_at")).ToArray();
        Assert.Equal(Rows.Select(r => (r.Organization, r.Source, r.AppliedAt, r.LatencyUs)), written);
    }

    [DatabaseFact]
    public async Task Rows_written_in_a_transaction_that_rolls_back_are_gone()
    {
        await using var database = await TestDatabase.CreateAsync(new TProvider());
        await using (var transaction = await database.BeginAsync())
        {
            await transaction.ExecuteForEachAsync(Insert, Columns, Rows);
        }

        await using var connection = await database.OpenAsync();
        Assert.Equal(0L, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM opt_out_propagation"));
    }
}

public sealed class SqliteExecuteForEachTests : ExecuteForEachTests<SqliteProvider>;

public sealed class PostgreSqlExecuteForEachTests : ExecuteForEachTests<PostgreSqlProvider>;

public sealed class SqlServerExecuteForEachTests : ExecuteForEachTests<SqlServerProvider>;
