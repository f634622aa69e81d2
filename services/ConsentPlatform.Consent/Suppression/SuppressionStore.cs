using ConsentPlatform.Consent.Gate;
using ConsentPlatform.Contracts;
using ConsentPlatform.ServiceDefaults.Data;
using ConsentPlatform.ServiceDefaults.Messaging;
using Dapper;

namespace ConsentPlatform.Consent.Suppression;

/// <param name="Until">Ends a temporary opt-out; null means for good.</param>
public sealed record SuppressionRequest(
    string ContactHash, string? OrganizationId, IReadOnlyList<string> Channels, string? Purpose, string Reason, string Source, Guid? RequestId, DateTimeOffset At,
    DateTimeOffset? Until = null);

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
            INSERT INTO suppressions (id, contact_hash, organization_id, channel, purpose, reason, source, request_id, created_at, until_at)
            VALUES (@id, @ContactHash, @OrganizationId, @channel, @Purpose, @Reason, @Source, @requestId, @createdAt, @until)
            """;
        foreach (var channel in channels)
        {
            var fact = new SuppressionFact(Guid.NewGuid(), request.OrganizationId, channel, request.Purpose, request.Reason, request.At.ToUnixTimeMilliseconds(),
                request.Until?.ToUnixTimeMilliseconds());
            await transaction.Connection.ExecuteAsync(new CommandDefinition(sql, new
            {
                id = fact.Id.ToString(), request.ContactHash, request.OrganizationId, channel, request.Purpose, request.Reason, request.Source,
                requestId = request.RequestId?.ToString(), createdAt = fact.CreatedAt, until = fact.Until,
            }, transaction.Inner, cancellationToken: cancellationToken));
            await Outbox.WriteAsync(transaction, new ContactSuppressed
            {
                SuppressionId = fact.Id, ContactHash = request.ContactHash, OrganizationId = request.OrganizationId,
                Channel = channel, Purpose = request.Purpose, Reason = request.Reason, SuppressedAt = request.At, Until = request.Until,
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

    /// <param name="Until">End of a temporary opt-out (null: for good).</param>
    /// <param name="LiftedAt">When an opt back in lifted the entry (null: never).</param>
    public sealed record Row(string Id, string ContactHash, string? OrganizationId, string? Channel, string? Purpose, string Reason, string Source, long CreatedAt,
        long? LiftedAt, long? Until);

    public static async Task<IReadOnlyList<Row>> FindAsync(ServiceDatabase database, IReadOnlyCollection<string> hashes, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        const string sql = """
            SELECT s.id AS Id, s.contact_hash AS ContactHash, s.organization_id AS OrganizationId, s.channel AS Channel, s.purpose AS Purpose,
                   s.reason AS Reason, s.source AS Source, s.created_at AS CreatedAt,
                   COALESCE(s.lifted_at, (SELECT MIN(l.lifted_at) FROM suppression_lifts l WHERE l.suppression_id = s.id)) AS LiftedAt,
                   s.until_at AS Until
            FROM suppressions s WHERE s.contact_hash IN @hashes ORDER BY s.seq
            """;
        return (await connection.QueryAsync<RowRecord>(new CommandDefinition(sql, new { hashes }, cancellationToken: cancellationToken)))
            .Select(r => new Row(r.Id, r.ContactHash, r.OrganizationId, r.Channel, r.Purpose, r.Reason, r.Source, r.CreatedAt, r.LiftedAt, r.Until))
            .ToList();
    }

    // Settable properties rather than the positional Row: SQLite gives a computed column (LiftedAt) no
    // declared type, so its reported type follows the value and Dapper would find no matching constructor.
    private sealed class RowRecord
    {
        public string Id { get; set; } = "";
        public string ContactHash { get; set; } = "";
        public string? OrganizationId { get; set; }
        public string? Channel { get; set; }
        public string? Purpose { get; set; }
        public string Reason { get; set; } = "";
        public string Source { get; set; } = "";
        public long CreatedAt { get; set; }
        public long? LiftedAt { get; set; }
        public long? Until { get; set; }
    }
}
