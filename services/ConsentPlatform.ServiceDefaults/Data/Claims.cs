using Dapper;

namespace ConsentPlatform.ServiceDefaults.Data;

/// <summary>How a worker takes one due row of its queue (outgoing SMS, emails, verification calls).</summary>
public static class Claims
{
    /// <summary>
    /// Claims the first due row with <see cref="SqlDialect.ClaimFirst"/> in its own committed transaction and returns it,
    /// or default when none is due. Whether any is due is read first, outside a transaction: an idle worker's poll takes
    /// no write lock (on SQLite it would queue on the database's one writer, ADR 0005).
    /// </summary>
    public static async Task<T?> ClaimFirstAsync<T>(this ServiceDatabase database, string table, string due, string order, string set, string returning,
        object parameters, CancellationToken ct)
    {
        await using (var reader = await database.OpenAsync(ct))
        {
            var any = $"SELECT CASE WHEN EXISTS (SELECT 1 FROM {table} WHERE {due}) THEN 1 ELSE 0 END";
            if (await reader.ExecuteScalarAsync<long>(new CommandDefinition(any, parameters, cancellationToken: ct)) == 0) return default;
        }
        await using var tx = await database.BeginAsync(ct);
        var claimed = await tx.Connection.QuerySingleOrDefaultAsync<T>(new CommandDefinition(
            database.Dialect.ClaimFirst(table, due, order, set, returning), parameters, tx.Inner, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return claimed;
    }
}
