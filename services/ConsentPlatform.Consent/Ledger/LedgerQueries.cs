using Dapper;

namespace ConsentPlatform.Consent.Ledger;

public static class LedgerQueries
{
    public static async Task<IReadOnlyList<LedgerRow>> ByEventAsync(ConsentDatabase database, string organizationId, string eventId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        const string sql = $"SELECT {LedgerStore.Columns} FROM consent_ledger WHERE organization_id = @organizationId AND event_id = @eventId ORDER BY seq";
        return (await connection.QueryAsync<LedgerRow>(new CommandDefinition(sql, new { organizationId, eventId }, cancellationToken: cancellationToken))).ToList();
    }
}
