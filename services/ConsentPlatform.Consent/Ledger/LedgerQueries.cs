using Dapper;

namespace ConsentPlatform.Consent.Ledger;

public static class LedgerQueries
{
    public static async Task<IReadOnlyList<LedgerRow>> ByEventAsync(ConsentDatabase database, string organizationId, string eventId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        const string sql = $"SELECT {LedgerStore.AllColumns} FROM consent_ledger WHERE organization_id = @organizationId AND event_id = @eventId ORDER BY seq";
        return (await connection.QueryAsync<LedgerRow>(new CommandDefinition(sql, new { organizationId, eventId }, cancellationToken: cancellationToken))).ToList();
    }

    /// <summary>One page of the event's rows after <paramref name="afterSeq"/> (keyset paging: stable while rows are appended).</summary>
    public static async Task<IReadOnlyList<LedgerRow>> PageByEventAsync(ConsentDatabase database, string organizationId, string eventId, long afterSeq, int take,
        CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var sql = $"SELECT seq AS Seq, {LedgerStore.AllColumns} FROM consent_ledger WHERE organization_id = @organizationId AND event_id = @eventId AND seq > @afterSeq ORDER BY seq {database.Dialect.FirstRows("@take")}";
        return (await connection.QueryAsync<LedgerRow>(new CommandDefinition(sql, new { organizationId, eventId, afterSeq, take }, cancellationToken: cancellationToken))).ToList();
    }

    public static async Task<long> CountByEventAsync(ConsentDatabase database, string organizationId, string eventId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        const string sql = "SELECT COUNT(*) FROM consent_ledger WHERE organization_id = @organizationId AND event_id = @eventId";
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(sql, new { organizationId, eventId }, cancellationToken: cancellationToken));
    }

    /// <summary>Consents granted in [from, to) (unix ms), counted per channel and event (null: given outside any event, e.g. an opt-in).</summary>
    public static async Task<IReadOnlyList<(string Channel, string? EventId, long Count)>> GrantsAsync(ConsentDatabase database, string organizationId, long from, long to,
        CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        const string sql = """
            SELECT channel, event_id, COUNT(*) FROM consent_ledger
            WHERE organization_id = @organizationId AND action = @granted AND recorded_at >= @from AND recorded_at < @to
            GROUP BY channel, event_id
            """;
        return (await connection.QueryAsync<(string, string?, long)>(new CommandDefinition(sql, new { organizationId, granted = LedgerRow.Granted, from, to },
            cancellationToken: cancellationToken))).ToList();
    }
}
