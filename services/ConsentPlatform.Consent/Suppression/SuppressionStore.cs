using System.Data.Common;
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
    /// their ContactSuppressed messages in the caller's transaction; the gate index learns them when it commits.
    /// </summary>
    public async Task<IReadOnlyList<(string ContactHash, SuppressionFact Fact)>> SuppressAsync(Transaction transaction, SuppressionRequest request, CancellationToken cancellationToken)
    {
        var written = new List<(string, SuppressionFact)>();
        IEnumerable<string?> channels = request.Channels.Count == 0 ? [null] : request.Channels.Distinct().Cast<string?>();
        const string sql = """
            INSERT INTO suppressions (id, contact_hash, organization_id, channel, purpose, reason, source, request_id, created_at, until_at)
            VALUES (@id, @ContactHash, @OrganizationId, @channel, @Purpose, @Reason, @Source, @requestId, @createdAt, @until)
            """;
        // Every replica's gate follows suppressions by seq.
        await transaction.LockFollowedInsertsAsync(cancellationToken);
        foreach (var channel in channels)
        {
            var fact = new SuppressionFact(Guid.NewGuid(), request.OrganizationId, channel, request.Purpose, request.Reason, request.At.ToUnixTimeMilliseconds(),
                request.Until?.ToUnixTimeMilliseconds());
            await transaction.Connection.ExecuteAsync(new CommandDefinition(sql, new
            {
                id = fact.Id.ToString(), request.ContactHash, request.OrganizationId, channel, request.Purpose, request.Reason, request.Source,
                requestId = request.RequestId?.ToString(), createdAt = fact.CreatedAt, until = fact.Until,
            }, transaction.Inner, cancellationToken: cancellationToken));
            Outbox.Write(transaction, new ContactSuppressed
            {
                SuppressionId = fact.Id, ContactHash = request.ContactHash, OrganizationId = request.OrganizationId,
                Channel = channel, Purpose = request.Purpose, Reason = request.Reason, SuppressedAt = request.At, Until = request.Until,
                Source = request.Source, EvidenceId = request.RequestId,
            });
            written.Add((request.ContactHash, fact));
        }
        transaction.OnCommitted(() => Apply(written));
        return written;
    }

    private void Apply(IEnumerable<(string ContactHash, SuppressionFact Fact)> entries)
    {
        foreach (var (hash, fact) in entries)
            if (ContactKey.TryParse(hash, out var key)) index.AddSuppression(key, fact);
    }

    private void Apply(IEnumerable<Lift> lifts)
    {
        foreach (var lift in lifts)
            if (ContactKey.TryParse(lift.ContactHash, out var key)) index.LiftSuppression(key, lift.SuppressionId);
    }

    /// <summary>
    /// An opt back in: records the request, then lifts every entry it may lift (<see cref="OptIn.MayLift"/>)
    /// with a lift row and ContactUnsuppressed, in the caller's transaction; the gate index learns them when it commits.
    /// </summary>
    public async Task<IReadOnlyList<Lift>> LiftAsync(Transaction transaction, OptIn optIn, DateTimeOffset receivedAt, CancellationToken cancellationToken)
    {
        const string record = """
            INSERT INTO opt_in_requests (id, contact_hash, organization_id, channels, source, requested_at, received_at)
            VALUES (@id, @ContactHash, @OrganizationId, @channels, @Source, @requestedAt, @receivedAt)
            """;
        await transaction.Connection.ExecuteAsync(new CommandDefinition(record, new
        {
            id = optIn.RequestId.ToString(), optIn.ContactHash, optIn.OrganizationId, channels = optIn.ChannelsText, optIn.Source,
            requestedAt = optIn.At.ToUnixTimeMilliseconds(), receivedAt = receivedAt.ToUnixTimeMilliseconds(),
        }, transaction.Inner, cancellationToken: cancellationToken));

        const string candidates = """
            SELECT s.id AS Id, s.organization_id AS OrganizationId, s.channel AS Channel, s.reason AS Reason, s.source AS Source, s.created_at AS CreatedAt
            FROM suppressions s
            WHERE s.contact_hash = @ContactHash AND s.organization_id = @OrganizationId AND s.source = @Source AND s.lifted_at IS NULL
              AND NOT EXISTS (SELECT 1 FROM suppression_lifts l WHERE l.suppression_id = s.id)
            ORDER BY s.seq
            """;
        var entries = await transaction.Connection.QueryAsync<LiftCandidate>(new CommandDefinition(candidates, new { optIn.ContactHash, optIn.OrganizationId, optIn.Source },
            transaction.Inner, cancellationToken: cancellationToken));
        var lifts = new List<Lift>();
        foreach (var entry in entries.Where(e => optIn.MayLift(e.OrganizationId, e.Channel, e.Reason, e.Source, e.CreatedAt)))
            lifts.Add(await WriteLiftAsync(transaction, Guid.Parse(entry.Id), optIn.ContactHash, optIn.Source, optIn.RequestId, optIn.At, cancellationToken));
        if (lifts.Count > 0) transaction.OnCommitted(() => Apply(lifts));
        return lifts;
    }

    /// <summary>
    /// The bus does not keep order: an opt-out can arrive after the opt back in that answered it.
    /// Entries just written that a later recorded opt-in may lift are lifted at once (the later word wins).
    /// </summary>
    public async Task<IReadOnlyList<Lift>> LiftIfOptedBackInAsync(Transaction transaction, IReadOnlyList<(string ContactHash, SuppressionFact Fact)> written, string source,
        CancellationToken cancellationToken)
    {
        if (written.Count == 0 || written[0].Fact.OrganizationId is null) return [];
        const string sql = """
            SELECT id AS RequestId, contact_hash AS ContactHash, organization_id AS OrganizationId, channels AS Channels, source AS Source, requested_at AS RequestedAt
            FROM opt_in_requests
            WHERE contact_hash = @hash AND organization_id = @organizationId AND source = @source AND requested_at > @after
            ORDER BY requested_at DESC
            """;
        var (hash, first) = written[0];
        var later = (await transaction.Connection.QueryAsync<OptInRecord>(new CommandDefinition(sql,
            new { hash, organizationId = first.OrganizationId, source, after = first.CreatedAt }, transaction.Inner, cancellationToken: cancellationToken)))
            .Select(r => r.ToOptIn())
            .ToList();
        var lifts = new List<Lift>();
        foreach (var (contactHash, fact) in written)
        {
            if (later.FirstOrDefault(o => o.MayLift(fact.OrganizationId, fact.Channel, fact.Reason, source, fact.CreatedAt)) is { } optIn)
                lifts.Add(await WriteLiftAsync(transaction, fact.Id, contactHash, optIn.Source, optIn.RequestId, optIn.At, cancellationToken));
        }
        if (lifts.Count > 0) transaction.OnCommitted(() => Apply(lifts));
        return lifts;
    }

    private static async Task<Lift> WriteLiftAsync(Transaction transaction, Guid suppressionId, string contactHash, string source, Guid requestId, DateTimeOffset at,
        CancellationToken cancellationToken)
    {
        const string sql = """
            INSERT INTO suppression_lifts (id, suppression_id, contact_hash, source, request_id, lifted_at)
            VALUES (@id, @suppressionId, @contactHash, @source, @requestId, @liftedAt)
            """;
        await transaction.LockFollowedInsertsAsync(cancellationToken);
        await transaction.Connection.ExecuteAsync(new CommandDefinition(sql, new
        {
            id = Guid.NewGuid().ToString(), suppressionId = suppressionId.ToString(), contactHash, source, requestId = requestId.ToString(), liftedAt = at.ToUnixTimeMilliseconds(),
        }, transaction.Inner, cancellationToken: cancellationToken));
        Outbox.Write(transaction, new ContactUnsuppressed { SuppressionId = suppressionId, ContactHash = contactHash, UnsuppressedAt = at });
        return new Lift(contactHash, suppressionId);
    }

    public sealed record Lift(string ContactHash, Guid SuppressionId);

    private sealed record LiftCandidate(string Id, string? OrganizationId, string? Channel, string Reason, string Source, long CreatedAt);

    private sealed record OptInRecord(string RequestId, string ContactHash, string OrganizationId, string Channels, string Source, long RequestedAt)
    {
        public OptIn ToOptIn() => OptIn.Parse(Guid.Parse(RequestId), ContactHash, OrganizationId, Channels, Source, DateTimeOffset.FromUnixTimeMilliseconds(RequestedAt));
    }

    /// <param name="Until">End of a temporary opt-out (null: for good).</param>
    /// <param name="LiftedAt">When an opt back in lifted the entry (null: never).</param>
    public sealed record Row(string Id, string ContactHash, string? OrganizationId, string? Channel, string? Purpose, string Reason, string Source, long CreatedAt,
        long? LiftedAt, long? Until);

    /// <summary>The columns a <see cref="RowRecord"/> is read from, over <c>suppressions s</c>.</summary>
    internal const string RowColumns = """
        s.id AS Id, s.contact_hash AS ContactHash, s.organization_id AS OrganizationId, s.channel AS Channel, s.purpose AS Purpose,
        s.reason AS Reason, s.source AS Source, s.created_at AS CreatedAt,
        COALESCE(s.lifted_at, (SELECT MIN(l.lifted_at) FROM suppression_lifts l WHERE l.suppression_id = s.id)) AS LiftedAt,
        s.until_at AS Until
        """;

    public static Task<long> CountAsync(DbConnection connection, CancellationToken cancellationToken) =>
        connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM suppressions", cancellationToken: cancellationToken));

    /// <summary>Entries after <paramref name="after"/> that are not lifted, in seq order, read as they come (the gate index's catch-up).</summary>
    public static IAsyncEnumerable<EntryRecord> ActiveEntriesAfter(DbConnection connection, long after)
    {
        const string sql = """
            SELECT seq AS Seq, id AS Id, contact_hash AS ContactHash, organization_id AS OrganizationId, channel AS Channel,
                   purpose AS Purpose, reason AS Reason, created_at AS CreatedAt, until_at AS Until
            FROM suppressions s
            WHERE seq > @after AND lifted_at IS NULL AND NOT EXISTS (SELECT 1 FROM suppression_lifts l WHERE l.suppression_id = s.id)
            ORDER BY seq
            """;
        return connection.QueryUnbufferedAsync<EntryRecord>(sql, new { after });
    }

    /// <summary>Lifts after <paramref name="after"/> in seq order, read as they come.</summary>
    public static IAsyncEnumerable<LiftRecord> LiftsAfter(DbConnection connection, long after) =>
        connection.QueryUnbufferedAsync<LiftRecord>("SELECT seq AS Seq, suppression_id AS SuppressionId, contact_hash AS ContactHash FROM suppression_lifts WHERE seq > @after ORDER BY seq",
            new { after });

    public sealed record LiftRecord(long Seq, string SuppressionId, string ContactHash);

    public sealed record EntryRecord(long Seq, string Id, string ContactHash, string? OrganizationId, string? Channel, string? Purpose, string Reason, long CreatedAt, long? Until);

    /// <summary>The organizations that hold an opt-out of their own for this contact.</summary>
    public static async Task<IReadOnlyList<string>> OrganizationsAsync(Transaction transaction, string contactHash, CancellationToken cancellationToken)
    {
        const string sql = "SELECT DISTINCT organization_id FROM suppressions WHERE contact_hash = @contactHash AND organization_id IS NOT NULL";
        return (await transaction.Connection.QueryAsync<string>(new CommandDefinition(sql, new { contactHash }, transaction.Inner, cancellationToken: cancellationToken))).ToList();
    }

    public static async Task<IReadOnlyList<Row>> FindAsync(ServiceDatabase database, IReadOnlyCollection<string> hashes, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var sql = $"SELECT {RowColumns} FROM suppressions s WHERE s.contact_hash {database.Dialect.InList("@hashes")} ORDER BY s.seq";
        return (await connection.QueryAsync<RowRecord>(new CommandDefinition(sql, new { hashes }, cancellationToken: cancellationToken))).Select(r => r.ToRow()).ToList();
    }

    // Settable properties rather than the positional Row: SQLite gives a computed column (LiftedAt) no
    // declared type, so its reported type follows the value and Dapper would find no matching constructor.
    internal sealed class RowRecord
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

        public Row ToRow() => new(Id, ContactHash, OrganizationId, Channel, Purpose, Reason, Source, CreatedAt, LiftedAt, Until);
    }
}
