using System.Data;
using System.Data.Common;
using System.Text.Json;
using ConsentPlatform.Contracts;
using ConsentPlatform.ServiceDefaults.Data;

namespace ConsentPlatform.Consent.Ledger;

/// <summary>
/// Many ledger rows appended in one transaction (an import). On SQLite that transaction holds the
/// database's only writer, and every opt-out waits behind it, so it must do nothing but insert:
/// the announcements are built and serialized when the batch is prepared, before any transaction
/// begins, and the rows go through two commands reused for every row (SQLite keeps their statements
/// prepared; Dapper's per-call commands were prepared again for each row). Plain ADO.NET
/// parameters in the common SQL, so SQL Server takes the same path.
/// </summary>
public sealed class LedgerBatch
{
    // The platform outbox's own row format (ServiceDefaults Outbox.WriteAsync), written here in bulk
    // with the bodies already serialized; the relay reads these rows exactly like its own.
    private const string OutboxSql = """
        INSERT INTO outbox_messages (message_id, message_type, body, created_at)
        VALUES (@messageId, @messageType, @body, @createdAt)
        """;

    private static readonly string RecordedType = typeof(ConsentRecorded).FullName!;
    private static readonly string WithdrawnType = typeof(ConsentWithdrawn).FullName!;

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

    private sealed record Announcement(string MessageId, string MessageType, string Body);

    private readonly Announcement?[] _announcements;
    private readonly long _createdAt;

    private LedgerBatch(IReadOnlyList<LedgerRow> rows, Announcement?[] announcements, long createdAt)
    {
        Rows = rows;
        _announcements = announcements;
        _createdAt = createdAt;
    }

    public IReadOnlyList<LedgerRow> Rows { get; }

    /// <summary>
    /// Builds every announcement now, outside any transaction: one per row of a known channel, as <see cref="LedgerStore.AppendAsync"/> writes them.
    /// The rows are written in the given order.
    /// </summary>
    public static LedgerBatch Prepare(IReadOnlyList<LedgerRow> rows, DateTimeOffset now)
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
            announcements[i] = row.Action == LedgerRow.Granted
                ? new Announcement(messageIds[next++], RecordedType, JsonSerializer.Serialize(LedgerStore.Recorded(row), JsonSerializerOptions.Web))
                : new Announcement(messageIds[next++], WithdrawnType, JsonSerializer.Serialize(LedgerStore.Withdrawn(row), JsonSerializerOptions.Web));
        }
        return new LedgerBatch(rows, announcements, now.ToUnixTimeMilliseconds());
    }

    /// <summary>
    /// Inserts the rows and their announcements in the caller's transaction. After commit, call
    /// <c>transaction.Database.OutboxSignal.Notify()</c> so the relay does not wait for its next poll.
    /// </summary>
    public async Task AppendAsync(Transaction transaction, CancellationToken cancellationToken)
    {
        await using var ledger = Command(transaction, LedgerStore.InsertSql, Columns.Select(c => (c.Name, c.Type)));
        await using var outbox = Command(transaction, OutboxSql,
            [("@messageId", DbType.String), ("@messageType", DbType.String), ("@body", DbType.String), ("@createdAt", DbType.Int64)]);
        outbox.Parameters[3].Value = _createdAt;
        for (var i = 0; i < Rows.Count; i++)
        {
            var row = Rows[i];
            for (var c = 0; c < Columns.Length; c++) ledger.Parameters[c].Value = Columns[c].Value(row) ?? DBNull.Value;
            await ledger.ExecuteNonQueryAsync(cancellationToken);
            if (_announcements[i] is not { } announcement) continue;
            outbox.Parameters[0].Value = announcement.MessageId;
            outbox.Parameters[1].Value = announcement.MessageType;
            outbox.Parameters[2].Value = announcement.Body;
            await outbox.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private static DbCommand Command(Transaction transaction, string sql, IEnumerable<(string Name, DbType Type)> parameters)
    {
        var command = transaction.Connection.CreateCommand();
        command.Transaction = transaction.Inner;
        command.CommandText = sql;
        foreach (var (name, type) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.DbType = type;
            command.Parameters.Add(parameter);
        }
        return command;
    }
}
