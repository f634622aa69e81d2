using ConsentPlatform.Consent.Gate;
using ConsentPlatform.Contracts;
using ConsentPlatform.ServiceDefaults.Data;
using ConsentPlatform.ServiceDefaults.Messaging;
using Dapper;

namespace ConsentPlatform.Consent.Suppression;

public sealed record SuppressionRequest(
    string ContactHash, string? OrganizationId, IReadOnlyList<string> Channels, string? Purpose, string Reason, string Source, Guid? RequestId, DateTimeOffset At);

/// <summary>The authoritative suppression list: entries by keyed hash, each announced as ContactSuppressed.</summary>
public sealed class SuppressionStore(GateIndex index)
{
    /// <summary>
    /// Writes one entry per channel (one entry with no channel when every channel is meant) and
    /// their ContactSuppressed messages in the caller's transaction. Apply the returned entries
    /// to the index after commit with <see cref="Apply"/>.
    /// </summary>
    public async Task<IReadOnlyList<(string ContactHash, SuppressionFact Fact)>> SuppressAsync(Transaction transaction, SuppressionRequest request, CancellationToken cancellationToken)
    {
        var written = new List<(string, SuppressionFact)>();
        IEnumerable<string?> channels = request.Channels.Count == 0 ? [null] : request.Channels.Distinct().Cast<string?>();
        const string sql = """
            INSERT INTO suppressions (id, contact_hash, organization_id, channel, purpose, reason, source, request_id, created_at)
            VALUES (@id, @ContactHash, @OrganizationId, @channel, @Purpose, @Reason, @Source, @requestId, @createdAt)
            """;
        foreach (var channel in channels)
        {
            var fact = new SuppressionFact(Guid.NewGuid(), request.OrganizationId, channel, request.Purpose, request.Reason, request.At.ToUnixTimeMilliseconds());
            await transaction.Connection.ExecuteAsync(new CommandDefinition(sql, new
            {
                id = fact.Id.ToString(), request.ContactHash, request.OrganizationId, channel, request.Purpose, request.Reason, request.Source,
                requestId = request.RequestId?.ToString(), createdAt = fact.CreatedAt,
            }, transaction.Inner, cancellationToken: cancellationToken));
            await Outbox.WriteAsync(transaction, new ContactSuppressed
            {
                SuppressionId = fact.Id, ContactHash = request.ContactHash, OrganizationId = request.OrganizationId,
                Channel = channel, Purpose = request.Purpose, Reason = request.Reason, SuppressedAt = request.At,
            }, cancellationToken);
            written.Add((request.ContactHash, fact));
        }
        return written;
    }

    public void Apply(IEnumerable<(string ContactHash, SuppressionFact Fact)> entries)
    {
        foreach (var (hash, fact) in entries)
            if (ContactKey.TryParse(hash, out var key)) index.AddSuppression(key, fact);
    }

    public sealed record Row(string Id, string ContactHash, string? OrganizationId, string? Channel, string? Purpose, string Reason, string Source, long CreatedAt, long? LiftedAt);

    public static async Task<IReadOnlyList<Row>> FindAsync(ServiceDatabase database, IReadOnlyCollection<string> hashes, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        const string sql = """
            SELECT id AS Id, contact_hash AS ContactHash, organization_id AS OrganizationId, channel AS Channel, purpose AS Purpose,
                   reason AS Reason, source AS Source, created_at AS CreatedAt, lifted_at AS LiftedAt
            FROM suppressions WHERE contact_hash IN @hashes ORDER BY seq
            """;
        return (await connection.QueryAsync<Row>(new CommandDefinition(sql, new { hashes }, cancellationToken: cancellationToken))).ToList();
    }
}
