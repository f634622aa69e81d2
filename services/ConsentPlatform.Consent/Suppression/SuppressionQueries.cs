using Dapper;

namespace ConsentPlatform.Consent.Suppression;

/// <summary>What the console's overview reads from the suppression list.</summary>
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
}
