namespace ConsentPlatform.ServiceDefaults.Data;

/// <summary>
/// The few statements that differ between SQLite and SQL Server. Everything else in the
/// repositories is written in the common subset.
/// </summary>
public sealed class SqlDialect
{
    public static readonly SqlDialect Sqlite = new(DatabaseProvider.Sqlite);
    public static readonly SqlDialect SqlServer = new(DatabaseProvider.SqlServer);

    private SqlDialect(DatabaseProvider provider) => Provider = provider;

    public DatabaseProvider Provider { get; }

    /// <summary>Folder of the embedded migration scripts for this dialect.</summary>
    public string ScriptFolder => Provider == DatabaseProvider.Sqlite ? "Sqlite" : "SqlServer";

    /// <summary>
    /// Ends a query that has an ORDER BY so it returns at most <paramref name="count"/> rows (a
    /// number or a parameter such as <c>@limit</c>): LIMIT in SQLite, OFFSET/FETCH in SQL Server.
    /// </summary>
    public string FirstRows(string count) =>
        Provider == DatabaseProvider.Sqlite ? $"LIMIT {count}" : $"OFFSET 0 ROWS FETCH NEXT {count} ROWS ONLY";

    /// <summary>
    /// Claims up to @batch unsent outbox rows for @relay until @until and returns them.
    /// SQLite runs one writer at a time, so the UPDATE itself is the claim; SQL Server
    /// skips rows another relay holds (READPAST) instead of waiting for them.
    /// </summary>
    public string ClaimOutboxBatch => Provider == DatabaseProvider.Sqlite
        ? """
          UPDATE outbox_messages SET claimed_by = @relay, claimed_until = @until, attempts = attempts + 1
          WHERE id IN (SELECT id FROM outbox_messages
                       WHERE sent_at IS NULL AND (claimed_until IS NULL OR claimed_until < @now)
                       ORDER BY id LIMIT @batch)
          RETURNING id AS Id, message_id AS MessageId, message_type AS MessageType, body AS Body, trace_parent AS TraceParent
          """
        : """
          WITH batch AS (
              SELECT TOP (@batch) * FROM outbox_messages WITH (UPDLOCK, READPAST, ROWLOCK)
              WHERE sent_at IS NULL AND (claimed_until IS NULL OR claimed_until < @now)
              ORDER BY id)
          UPDATE batch SET claimed_by = @relay, claimed_until = @until, attempts = attempts + 1
          OUTPUT inserted.id AS Id, inserted.message_id AS MessageId, inserted.message_type AS MessageType, inserted.body AS Body, inserted.trace_parent AS TraceParent;
          """;

    /// <summary>
    /// The send times of the codes to @contactHash since @since. SQL Server holds a range lock on
    /// them to the end of the transaction, so two requests at once cannot both take the last place;
    /// SQLite has one writer, which already orders them.
    /// </summary>
    public string RecipientCodesSince => Provider == DatabaseProvider.Sqlite
        ? "SELECT sent_at FROM recipient_codes WHERE contact_hash = @contactHash AND sent_at > @since"
        : "SELECT sent_at FROM recipient_codes WITH (UPDLOCK, HOLDLOCK) WHERE contact_hash = @contactHash AND sent_at > @since";

    /// <summary>
    /// Run after an erasure has committed, so no copy of the erased values stays readable in the
    /// files: SQLite copies the write-ahead log into the database and truncates it (deleted rows
    /// were already zeroed by <c>secure_delete</c>). Null where the server keeps its own files.
    /// </summary>
    public string? EraseResidue => Provider == DatabaseProvider.Sqlite ? "PRAGMA wal_checkpoint(TRUNCATE);" : null;

    /// <summary>Per-connection settings: deleted content is overwritten with zeros, not left in free space.</summary>
    public string? ConnectionSettings => Provider == DatabaseProvider.Sqlite ? "PRAGMA secure_delete = ON;" : null;
}
