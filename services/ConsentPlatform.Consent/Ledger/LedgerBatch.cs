using System.Data;
using ConsentPlatform.Contracts;
using ConsentPlatform.ServiceDefaults.Data;
using ConsentPlatform.ServiceDefaults.Messaging;

namespace ConsentPlatform.Consent.Ledger;

/// <summary>
/// Many ledger rows appended in one transaction (an import). On SQLite that transaction holds the
/// database's only writer, and every opt-out waits behind it, so it must do nothing but insert:
/// the announcements are built and serialized when the batch is prepared, before any transaction
/// begins, and the rows go through <see cref="Transaction.ExecuteForEachAsync{TRow}"/>: on SQLite one
/// command reused for every row (SQLite keeps its statement prepared; Dapper's per-call commands were
/// prepared again for each row), on a server database batches of statements, a round trip each rather
/// than one per row, while the import holds back every other writer of the ledger (ADR 0040).
/// </summary>
public sealed class LedgerBatch
{
    private static readonly (string Name, DbType Type, Func<LedgerRow, object?> Value)[] Columns =
    [
        ("@Id", DbType.String, r => r.Id), ("@ReceiptId", DbType.String, r => r.ReceiptId), ("@SubjectId", DbType.String, r => r.SubjectId),
        ("@OrganizationId", DbType.String, r => r.OrganizationId), ("@EventId", DbType.String, r => r.EventId), ("@Action", DbType.String, r => r.Action),
        ("@Channel", DbType.String, r => r.Channel), ("@Purpose", DbType.String, r => r.Purpose), ("@ThirdParty", DbType.String, r => r.ThirdParty),
        ("@Contact", DbType.String, r => r.Contact), ("@ContactHash", DbType.String, r => r.ContactHash), ("@PhoneHash", DbType.String, r => r.PhoneHash),
        ("@EmailHash", DbType.String, r => r.EmailHash), ("@TextVersion", DbType.Int32, r => r.TextVersion), ("@TextHash", DbType.String, r => r.TextHash),
        ("@Language", DbType.String, r => r.Language), ("@FormVersion", DbType.Int32, r => r.FormVersion), ("@Method", DbType.String, r => r.Method),
        ("@RecordedAt", DbType.Int64, r => r.RecordedAt), ("@ExpiresAt", DbType.Int64, r => r.ExpiresAt), ("@SourceEvent", DbType.String, r => r.SourceEvent),
        ("@PageUrl", DbType.String, r => r.PageUrl), ("@Ip", DbType.String, r => r.Ip), ("@UserAgent", DbType.String, r => r.UserAgent),
        ("@Jurisdiction", DbType.String, r => r.Jurisdiction), ("@Withdraws", DbType.String, r => r.Withdraws), ("@CollectedAt", DbType.Int64, r => r.CollectedAt),
        ("@CaptureMethod", DbType.String, r => r.CaptureMethod), ("@TextReference", DbType.String, r => r.TextReference),
        ("@TextShown", DbType.String, r => r.TextShown), ("@Evidence", DbType.String, r => r.Evidence), ("@ImportId", DbType.String, r => r.ImportId),
    ];

    private sealed record Announcement(string MessageId, Outbox.PreparedMessage Message);

    private readonly Announcement?[] _announcements;

    private LedgerBatch(IReadOnlyList<LedgerRow> rows, Announcement?[] announcements)
    {
        Rows = rows;
        _announcements = announcements;
    }

    public IReadOnlyList<LedgerRow> Rows { get; }

    /// <summary>
    /// Builds every announcement now, outside any transaction: one per row of a known channel, as <see cref="LedgerStore.AppendAsync"/> writes them.
    /// The rows are written in the given order.
    /// </summary>
    public static LedgerBatch Prepare(IReadOnlyList<LedgerRow> rows)
    {
        // The outbox's unique index on message_id takes them in ascending order, like the ledger's ids (see ConsentImporter).
        var messageIds = new string[rows.Count(r => Channels.IsKnown(r.Channel))];
        for (var i = 0; i < messageIds.Length; i++) messageIds[i] = Guid.NewGuid().ToString();
        Array.Sort(messageIds, StringComparer.Ordinal);
        var announcements = new Announcement?[rows.Count];
        var next = 0;
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            // Third-party provisions (R9) are evidence, not permission to contact: nothing to announce.
            if (!Channels.IsKnown(row.Channel)) continue;
            announcements[i] = new Announcement(messageIds[next++],
                row.Action == LedgerRow.Granted ? Outbox.Prepare(LedgerStore.Recorded(row)) : Outbox.Prepare(LedgerStore.Withdrawn(row)));
        }
        return new LedgerBatch(rows, announcements);
    }

    /// <summary>Inserts the rows, then their announcements, in the caller's transaction (the relay is woken when it commits).</summary>
    public async Task AppendAsync(Transaction transaction, CancellationToken cancellationToken)
    {
        // Every replica's gate follows the ledger by seq; on a server, other writers of the ledger wait for this import to commit.
        await transaction.LockFollowedInsertsAsync(cancellationToken);
        await transaction.ExecuteForEachAsync(LedgerStore.InsertSql, Columns, Rows, cancellationToken);
        await Outbox.WriteAllAsync(transaction, _announcements.OfType<Announcement>().Select(a => (a.MessageId, a.Message)), cancellationToken);
    }
}
