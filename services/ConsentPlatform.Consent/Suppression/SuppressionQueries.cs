using System.Text;
using Dapper;

namespace ConsentPlatform.Consent.Suppression;

/// <summary>Which of an organization's own entries to list: all optional; times unix ms, <see cref="ToMs"/> exclusive.</summary>
public sealed record SuppressionFilter(string? Source, long? FromMs, long? ToMs);

/// <summary>What the console's overview, suppression list and contact record read from the suppression list.</summary>
public static class SuppressionQueries
{
    /// <summary>
    /// An organization's own opt-outs made in [from, to) (unix ms): entries per channel (null: every
    /// channel), and opt-outs per source — one opt-out of two channels is two entries but one opt-out
    /// (its request id). Opt-outs for everyone (data-subject requests) name no organization: not here.
    /// </summary>
    public static async Task<(IReadOnlyList<(string? Channel, long Count)> ByChannel, IReadOnlyList<(string Source, long Count)> BySource)> OptOutsAsync(
        ConsentDatabase database, string organizationId, long from, long to, CancellationToken cancellationToken)
    {
        const string period = "organization_id = @organizationId AND created_at >= @from AND created_at < @to";
        await using var connection = await database.OpenAsync(cancellationToken);
        var parameters = new { organizationId, from, to };
        var byChannel = await connection.QueryAsync<(string?, long)>(new CommandDefinition(
            $"SELECT channel, COUNT(*) FROM suppressions WHERE {period} GROUP BY channel", parameters, cancellationToken: cancellationToken));
        var bySource = await connection.QueryAsync<(string, long)>(new CommandDefinition(
            $"SELECT source, COUNT(DISTINCT COALESCE(request_id, id)) FROM suppressions WHERE {period} GROUP BY source", parameters, cancellationToken: cancellationToken));
        return (byChannel.ToList(), bySource.ToList());
    }

    /// <summary>The entries that bind one contact for an organization: its own and everyone's (a data-subject request's).</summary>
    public static async Task<IReadOnlyList<SuppressionStore.Row>> BindingAsync(ConsentDatabase database, string organizationId, IReadOnlyList<string> hashes,
        CancellationToken cancellationToken) =>
        (await SuppressionStore.FindAsync(database, hashes, cancellationToken)).Where(s => s.OrganizationId is null || s.OrganizationId == organizationId).ToList();

    /// <summary>
    /// One page of an organization's own entries older than the cursor, newest first (keyset on created_at
    /// then id, so pages hold still while opt-outs arrive at the top). Everyone's entries name no
    /// organization and are not listed here: they belong to data-subject requests.
    /// </summary>
    public static async Task<IReadOnlyList<SuppressionStore.Row>> PageAsync(ConsentDatabase database, string organizationId, SuppressionFilter filter,
        (long CreatedAt, string Id)? before, int take, CancellationToken cancellationToken)
    {
        var (where, parameters) = Where(organizationId, filter);
        if (before is { } cursor)
        {
            where.Append(" AND (s.created_at < @beforeAt OR (s.created_at = @beforeAt AND s.id < @beforeId))");
            parameters.Add("beforeAt", cursor.CreatedAt);
            parameters.Add("beforeId", cursor.Id);
        }
        parameters.Add("take", take);
        await using var connection = await database.OpenAsync(cancellationToken);
        var sql = $"SELECT {SuppressionStore.RowColumns} FROM suppressions s WHERE {where} ORDER BY s.created_at DESC, s.id DESC {database.Dialect.FirstRows("@take")}";
        return (await connection.QueryAsync<SuppressionStore.RowRecord>(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken)))
            .Select(r => r.ToRow()).ToList();
    }

    public static async Task<long> CountAsync(ConsentDatabase database, string organizationId, SuppressionFilter filter, CancellationToken cancellationToken)
    {
        var (where, parameters) = Where(organizationId, filter);
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition($"SELECT COUNT(*) FROM suppressions s WHERE {where}", parameters,
            cancellationToken: cancellationToken));
    }

    /// <summary>The sources the organization's own entries came from, for the list's filter.</summary>
    public static async Task<IReadOnlyList<string>> SourcesAsync(ConsentDatabase database, string organizationId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<string>(new CommandDefinition("SELECT DISTINCT source FROM suppressions WHERE organization_id = @organizationId",
            new { organizationId }, cancellationToken: cancellationToken))).ToList();
    }

    private static (StringBuilder Where, DynamicParameters Parameters) Where(string organizationId, SuppressionFilter filter)
    {
        var where = new StringBuilder("s.organization_id = @organizationId");
        var parameters = new DynamicParameters(new { organizationId });
        void And(string condition, string name, object? value)
        {
            if (value is null) return;
            where.Append(" AND ").Append(condition);
            parameters.Add(name, value);
        }

        And("s.source = @source", "source", filter.Source);
        And("s.created_at >= @fromMs", "fromMs", filter.FromMs);
        And("s.created_at < @toMs", "toMs", filter.ToMs);
        return (where, parameters);
    }
}
