using System.Data.Common;
using ConsentPlatform.Consent.Gate;
using ConsentPlatform.Contracts;
using ConsentPlatform.ServiceDefaults.Data;
using ConsentPlatform.ServiceDefaults.Messaging;
using Dapper;

namespace ConsentPlatform.Consent.Ledger;

/// <summary>
/// Writes and reads the ledger. Rows are only ever inserted (erasure is the one exception, and it
/// deletes); every insert announces itself (ConsentRecorded / ConsentWithdrawn) through the outbox
/// in the same transaction (an expiry, which nobody writes, is announced by <see cref="ExpiryAnnouncer"/>), and is applied to the gate index when that transaction commits (registered here,
/// so no caller has to remember it).
/// </summary>
public sealed class LedgerStore(GateIndex index)
{
    internal const string Columns = """
        id AS Id, receipt_id AS ReceiptId, subject_id AS SubjectId, organization_id AS OrganizationId, event_id AS EventId,
        action AS Action, channel AS Channel, purpose AS Purpose, third_party AS ThirdParty, contact AS Contact,
        contact_hash AS ContactHash, phone_hash AS PhoneHash, email_hash AS EmailHash, text_version AS TextVersion,
        text_hash AS TextHash, language AS Language, form_version AS FormVersion, method AS Method, recorded_at AS RecordedAt,
        expires_at AS ExpiresAt, source_event AS SourceEvent, page_url AS PageUrl, ip AS Ip, user_agent AS UserAgent,
        jurisdiction AS Jurisdiction, withdraws AS Withdraws
        """;

    /// <summary>
    /// Every column, with the provenance of imported rows: for reading rows out (exports, pages). The gate index
    /// loader reads <see cref="Columns"/>, so it never loads the imported texts it has no use for.
    /// </summary>
    internal const string AllColumns = Columns + """
        , collected_at AS CollectedAt, capture_method AS CaptureMethod,
        text_reference AS TextReference, text_shown AS TextShown, evidence AS Evidence, import_id AS ImportId
        """;

    /// <summary>One ledger row; its parameters are named after <see cref="LedgerRow"/>'s properties (see <see cref="LedgerBatch"/>).</summary>
    internal const string InsertSql = """
        INSERT INTO consent_ledger (id, receipt_id, subject_id, organization_id, event_id, action, channel, purpose, third_party, contact,
            contact_hash, phone_hash, email_hash, text_version, text_hash, language, form_version, method, recorded_at, expires_at,
            source_event, page_url, ip, user_agent, jurisdiction, withdraws, collected_at, capture_method, text_reference, text_shown,
            evidence, import_id)
        VALUES (@Id, @ReceiptId, @SubjectId, @OrganizationId, @EventId, @Action, @Channel, @Purpose, @ThirdParty, @Contact,
            @ContactHash, @PhoneHash, @EmailHash, @TextVersion, @TextHash, @Language, @FormVersion, @Method, @RecordedAt, @ExpiresAt,
            @SourceEvent, @PageUrl, @Ip, @UserAgent, @Jurisdiction, @Withdraws, @CollectedAt, @CaptureMethod, @TextReference, @TextShown,
            @Evidence, @ImportId)
        """;

    public async Task AppendAsync(Transaction transaction, IReadOnlyList<LedgerRow> rows, CancellationToken cancellationToken)
    {
        // Every replica's gate follows the ledger by seq.
        if (rows.Count > 0) await transaction.LockFollowedInsertsAsync(cancellationToken);
        foreach (var row in rows)
        {
            await transaction.Connection.ExecuteAsync(new CommandDefinition(InsertSql, row, transaction.Inner, cancellationToken: cancellationToken));
            // Third-party provisions (R9) are evidence, not permission to contact: nothing to announce.
            if (!Channels.IsKnown(row.Channel)) continue;
            // A request is evidence of what the person asked for, not consent: nothing to announce until it is confirmed.
            if (row.Action == LedgerRow.Granted) Outbox.Write(transaction, Recorded(row));
            else if (row.Action == LedgerRow.Withdrawn) Outbox.Write(transaction, Withdrawn(row));
        }
        if (rows.Count > 0) transaction.OnCommitted(() => Apply(rows));
    }

    /// <summary>Appends a prepared batch (an import) in the caller's transaction; the gate index learns its rows when it commits.</summary>
    public async Task AppendAsync(Transaction transaction, LedgerBatch batch, CancellationToken cancellationToken)
    {
        await batch.AppendAsync(transaction, cancellationToken);
        transaction.OnCommitted(() => Apply(batch.Rows));
    }

    /// <summary>
    /// Erasure: deletes every row of these contacts in the caller's transaction; once it commits the gate index
    /// forgets their consents (suppression entries stay). Returns the number of rows deleted.
    /// </summary>
    public async Task<int> EraseAsync(Transaction transaction, IReadOnlyCollection<string> hashes, CancellationToken cancellationToken)
    {
        var inHashes = transaction.Database.Dialect.InList("@hashes");
        var ofContact = $"phone_hash {inHashes} OR email_hash {inHashes} OR contact_hash {inHashes}";
        // The announcement rows name only consent ids, but an erased consent leaves nothing behind.
        await transaction.Connection.ExecuteAsync(new CommandDefinition(
            $"DELETE FROM consent_expiries WHERE consent_id IN (SELECT id FROM consent_ledger WHERE {ofContact})", new { hashes }, transaction.Inner, cancellationToken: cancellationToken));
        var sql = $"DELETE FROM consent_ledger WHERE {ofContact}";
        var erased = await transaction.Connection.ExecuteAsync(new CommandDefinition(sql, new { hashes }, transaction.Inner, cancellationToken: cancellationToken));
        transaction.OnCommitted(() =>
        {
            foreach (var hash in hashes)
                if (ContactKey.TryParse(hash, out var key)) index.RemoveConsents(key);
        });
        return erased;
    }

    /// <summary>How a granted row is announced.</summary>
    internal static ConsentRecorded Recorded(LedgerRow row) => new()
    {
        ConsentId = Guid.Parse(row.Id), OrganizationId = row.OrganizationId, Channel = row.Channel, Purpose = row.Purpose,
        // The message's RecordedAt is the "on {date}" of provenance (R6): for an import, the day the
        // person gave the consent, not the day the file was loaded.
        ContactHash = row.ContactHash, RecordedAt = DateTimeOffset.FromUnixTimeMilliseconds(row.CollectedAt ?? row.RecordedAt),
        ExpiresAt = row.ExpiresAt is { } e ? DateTimeOffset.FromUnixTimeMilliseconds(e) : null, SourceEvent = row.SourceEvent,
    };

    /// <summary>How a withdrawal row is announced.</summary>
    internal static ConsentWithdrawn Withdrawn(LedgerRow row) => new()
    {
        ConsentId = Guid.Parse(row.Withdraws!), OrganizationId = row.OrganizationId, Channel = row.Channel, Purpose = row.Purpose,
        ContactHash = row.ContactHash, WithdrawnAt = DateTimeOffset.FromUnixTimeMilliseconds(row.RecordedAt), Method = row.Method,
    };

    /// <summary>How a granted row whose expiry has passed is announced (<see cref="ExpiryAnnouncer"/>).</summary>
    internal static ConsentExpired Expired(LedgerRow row) => new()
    {
        ConsentId = Guid.Parse(row.Id), OrganizationId = row.OrganizationId, Channel = row.Channel, Purpose = row.Purpose,
        ContactHash = row.ContactHash, ExpiredAt = DateTimeOffset.FromUnixTimeMilliseconds(row.ExpiresAt!.Value),
    };

    /// <summary>A contact's grants not yet withdrawn; run by every withdrawal, so its lookups are indexed (a plan test holds it).</summary>
    public static string ActiveGrantsSql(SqlDialect dialect)
    {
        var inHashes = dialect.InList("@contactHashes");
        return $"""
            SELECT {Columns} FROM consent_ledger g
            WHERE (g.phone_hash {inHashes} OR g.email_hash {inHashes}) AND g.action = 'granted'
              AND NOT EXISTS (SELECT 1 FROM consent_ledger w WHERE w.withdraws = g.id)
            ORDER BY g.seq
            """;
    }

    /// <summary>
    /// Appends a withdrawal row for every active grant of this contact that the scope covers
    /// (null organization/purpose mean all; empty channels mean every contact channel, while a
    /// provision to third parties is withdrawn only when its channel is named).
    /// </summary>
    public async Task<IReadOnlyList<LedgerRow>> WithdrawAsync(
        Transaction transaction, IReadOnlyCollection<string> contactHashes, string? organizationId, IReadOnlyList<string> channels, string? purpose,
        string method, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var grants = await transaction.Connection.QueryAsync<LedgerRow>(new CommandDefinition(ActiveGrantsSql(transaction.Database.Dialect), new { contactHashes }, transaction.Inner, cancellationToken: cancellationToken));
        var withdrawals = grants
            .Where(g => (organizationId is null || g.OrganizationId == organizationId)
                && (purpose is null || g.Purpose == purpose)
                && (channels.Count == 0 ? Channels.IsKnown(g.Channel) : channels.Contains(g.Channel)))
            .Select(g => g with
            {
                Id = Guid.NewGuid().ToString(), Action = LedgerRow.Withdrawn, Method = method, RecordedAt = at.ToUnixTimeMilliseconds(),
                ExpiresAt = null, Withdraws = g.Id, PageUrl = null, Ip = null, UserAgent = null,
            })
            .ToList();
        await AppendAsync(transaction, withdrawals, cancellationToken);
        return withdrawals;
    }

    private void Apply(IEnumerable<LedgerRow> rows)
    {
        foreach (var row in rows) Apply(index, row);
    }

    public static void Apply(GateIndex index, LedgerRow row)
    {
        if (!Channels.IsKnown(row.Channel)) return;
        foreach (var hash in new[] { row.PhoneHash, row.EmailHash })
        {
            if (hash is null || !ContactKey.TryParse(hash, out var key)) continue;
            if (row.Action is LedgerRow.Granted or LedgerRow.Requested)
                index.AddConsent(key, new ConsentFact(Guid.Parse(row.Id), row.OrganizationId, row.Channel, row.Purpose, row.RecordedAt, row.ExpiresAt,
                    row.EventId, row.SourceEvent, row.TextVersion, row.TextHash, Pending: row.Action == LedgerRow.Requested));
            else if (row.Withdraws is not null)
                index.Withdraw(key, Guid.Parse(row.Withdraws), row.RecordedAt);
        }
    }

    /// <summary>
    /// The purposes a contact consented to with an organization on any contact channel, withdrawn or not: what an
    /// "email only" answer on a short link, which names no purpose, moves to email (ADR 0030).
    /// </summary>
    public static async Task<IReadOnlyList<string>> PurposesConsentedAsync(Transaction transaction, string contactHash, string organizationId, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT DISTINCT purpose FROM consent_ledger
            WHERE (phone_hash = @contactHash OR contact_hash = @contactHash) AND organization_id = @organizationId AND action = 'granted'
              AND channel IN ('call', 'sms', 'email')
            ORDER BY purpose
            """;
        return (await transaction.Connection.QueryAsync<string>(new CommandDefinition(sql, new { contactHash, organizationId }, transaction.Inner, cancellationToken: cancellationToken))).ToList();
    }

    /// <summary>Rows after <paramref name="after"/> in seq order, read as they come (the gate index's catch-up; at start-up, every row).</summary>
    public static IAsyncEnumerable<LedgerRow> RowsAfter(DbConnection connection, long after) =>
        connection.QueryUnbufferedAsync<LedgerRow>($"SELECT seq AS Seq, {Columns} FROM consent_ledger WHERE seq > @after ORDER BY seq", new { after });

    /// <summary>The keyed hashes of every number given in the ledger together with this email.</summary>
    public static async Task<IReadOnlyList<string>> NumbersGivenWithEmailAsync(Transaction transaction, string emailHash, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT DISTINCT phone_hash FROM consent_ledger
            WHERE (email_hash = @hash OR contact_hash = @hash) AND phone_hash IS NOT NULL
            """;
        return (await transaction.Connection.QueryAsync<string>(new CommandDefinition(sql, new { hash = emailHash }, transaction.Inner, cancellationToken: cancellationToken))).ToList();
    }

    /// <summary>The organizations the ledger holds rows of this contact for.</summary>
    public static async Task<IReadOnlyList<string>> OrganizationsHoldingAsync(Transaction transaction, string contactHash, CancellationToken cancellationToken)
    {
        const string sql = "SELECT DISTINCT organization_id FROM consent_ledger WHERE phone_hash = @contactHash OR email_hash = @contactHash OR contact_hash = @contactHash";
        return (await transaction.Connection.QueryAsync<string>(new CommandDefinition(sql, new { contactHash }, transaction.Inner, cancellationToken: cancellationToken))).ToList();
    }

    public static async Task<IReadOnlyList<LedgerRow>> FindByContactAsync(ServiceDatabase database, IReadOnlyCollection<string> hashes, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var inHashes = database.Dialect.InList("@hashes");
        var sql = $"SELECT {AllColumns} FROM consent_ledger WHERE phone_hash {inHashes} OR email_hash {inHashes} ORDER BY seq";
        return (await connection.QueryAsync<LedgerRow>(new CommandDefinition(sql, new { hashes }, cancellationToken: cancellationToken))).ToList();
    }
}
