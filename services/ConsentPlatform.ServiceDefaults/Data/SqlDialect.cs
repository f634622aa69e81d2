using System.Data.Common;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace ConsentPlatform.ServiceDefaults.Data;

/// <summary>
/// Everything that differs between SQLite, PostgreSQL and SQL Server: the driver, the scripts'
/// folder, and the few statements that cannot be written in the common subset. Nothing outside
/// this class asks which provider is in use.
/// </summary>
public sealed class SqlDialect
{
    public static readonly SqlDialect Sqlite = new(DatabaseProvider.Sqlite);
    public static readonly SqlDialect PostgreSql = new(DatabaseProvider.PostgreSql);
    public static readonly SqlDialect SqlServer = new(DatabaseProvider.SqlServer);

    private SqlDialect(DatabaseProvider provider) => Provider = provider;

    public DatabaseProvider Provider { get; }

    public static SqlDialect For(DatabaseProvider provider) => provider switch
    {
        DatabaseProvider.Sqlite => Sqlite,
        DatabaseProvider.PostgreSql => PostgreSql,
        DatabaseProvider.SqlServer => SqlServer,
        _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, null),
    };

    /// <summary>The dialect of an open connection, for code that is handed a connection and no database.</summary>
    public static SqlDialect Of(DbConnection connection) => connection switch
    {
        SqliteConnection => Sqlite,
        NpgsqlConnection => PostgreSql,
        _ => SqlServer,
    };

    /// <summary>Folder of the embedded migration scripts for this dialect.</summary>
    public string ScriptFolder => Provider.ToString();

    /// <summary>
    /// SQLite keeps each database in a file under Database:DataFolder; the servers need a
    /// connection string per database instead.
    /// </summary>
    public bool UsesDataFolder => Provider == DatabaseProvider.Sqlite;

    /// <summary>
    /// SQLite has one write lock per file, so the writers of a process queue in memory (ADR 0005);
    /// the servers lock rows and let writers run side by side.
    /// </summary>
    public bool SingleWriter => Provider == DatabaseProvider.Sqlite;

    /// <summary>
    /// The connection string a service opens with. PostgreSQL: Npgsql prepares a statement a connection has run
    /// twice, so the server parses and plans it once per pooled connection, not once per execution: a ledger
    /// import runs the same 32-column insert 40,000 times in one transaction while every other ledger writer
    /// waits (ADR 0040). And a pooled connection is not reset when it is returned (ADR 0041): the reset is a
    /// string of statements the server parses and runs on the connection's next use, once per transaction here,
    /// to drop session state the platform never makes (its locks are transaction-scoped, it changes no session
    /// setting, makes no temporary table and listens on no channel); an open transaction is still rolled back.
    /// Each setting the connection string gives itself is kept as given.
    /// </summary>
    public string Tune(string connectionString)
    {
        if (Provider != DatabaseProvider.PostgreSql) return connectionString;
        // Npgsql's own builder answers ContainsKey for every keyword it knows; the plain one holds only what was given.
        var given = new DbConnectionStringBuilder { ConnectionString = connectionString };
        bool Gives(params string[] keywords) => keywords.Any(given.ContainsKey);
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!Gives("Max Auto Prepare", "MaxAutoPrepare"))
        {
            builder.MaxAutoPrepare = 64;
            builder.AutoPrepareMinUsages = 2;
        }
        if (!Gives("No Reset On Close", "NoResetOnClose")) builder.NoResetOnClose = true;
        return builder.ConnectionString;
    }

    public DbConnection CreateConnection(string connectionString) => Provider switch
    {
        DatabaseProvider.Sqlite => new SqliteConnection(connectionString),
        DatabaseProvider.PostgreSql => new NpgsqlConnection(connectionString),
        _ => new SqlConnection(connectionString),
    };

    /// <summary>
    /// Per-connection settings, run on every opened connection. SQLite: FULL makes a committed
    /// consent or opt-out survive power loss, not just a process crash; busy_timeout lets writers
    /// in other processes sharing the file (the identity database) wait in SQLite's own short
    /// steps; secure_delete overwrites deleted content with zeros instead of leaving it in free space.
    /// </summary>
    public string? ConnectionSettings => Provider == DatabaseProvider.Sqlite
        ? "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; PRAGMA secure_delete = ON;"
        : null;

    /// <summary>
    /// Run once before the migrations. WAL is a property of the SQLite file, so setting it once is
    /// enough; it lets the relay read while requests write.
    /// </summary>
    public string? PrepareDatabase => Provider == DatabaseProvider.Sqlite ? "PRAGMA journal_mode = WAL;" : null;

    public string CreateSchemaJournal => Provider switch
    {
        DatabaseProvider.SqlServer => "IF OBJECT_ID('schema_journal') IS NULL CREATE TABLE schema_journal (script VARCHAR(200) NOT NULL PRIMARY KEY, applied_at BIGINT NOT NULL)",
        _ => "CREATE TABLE IF NOT EXISTS schema_journal (script VARCHAR(200) NOT NULL PRIMARY KEY, applied_at BIGINT NOT NULL)",
    };

    /// <summary>
    /// Taken inside each migration script's transaction, so replicas starting at once apply each
    /// script once: the servers hold a lock named for the journal until the transaction ends
    /// (SQLite's single writer already orders them). The PostgreSQL key is an arbitrary constant,
    /// never to be changed: replicas of two versions starting together must still exclude each other.
    /// </summary>
    public string? MigrationLock => Provider switch
    {
        DatabaseProvider.PostgreSql => "SELECT pg_advisory_xact_lock(8315172541346457194)",
        DatabaseProvider.SqlServer => "EXEC sp_getapplock @Resource = 'schema_journal', @LockMode = 'Exclusive', @LockOwner = 'Transaction', @LockTimeout = 60000",
        _ => null,
    };

    /// <summary>
    /// Taken by a transaction before it inserts rows that other processes follow by an ascending
    /// column (<c>seq &gt; @after</c>: every Consent replica's gate index follows suppressions, their
    /// lifts and the ledger that way; a CRM pulls responses by id). The servers hand out identity
    /// values at insert, not at commit: were seq 6 to commit while seq 5 is still open, a follower
    /// would read 6, move past it and never read 5. Held to the end of the transaction, the lock
    /// makes such inserts take turns, so the values commit in order. SQLite's single writer already
    /// does that, so null. The PostgreSQL key is an arbitrary constant ("seq_feed" in ASCII);
    /// advisory locks are per database.
    /// </summary>
    public string? FollowedInsertLock => Provider switch
    {
        DatabaseProvider.PostgreSql => "SELECT pg_advisory_xact_lock(8315176941563241828)",
        DatabaseProvider.SqlServer => "EXEC sp_getapplock @Resource = 'seq_feed', @LockMode = 'Exclusive', @LockOwner = 'Transaction', @LockTimeout = 60000",
        _ => null,
    };

    /// <summary>
    /// Ends a query that has an ORDER BY so it returns at most <paramref name="count"/> rows (a
    /// number or a parameter such as <c>@limit</c>): LIMIT in SQLite and PostgreSQL, OFFSET/FETCH in SQL Server.
    /// </summary>
    public string FirstRows(string count) =>
        Provider == DatabaseProvider.SqlServer ? $"OFFSET 0 ROWS FETCH NEXT {count} ROWS ONLY" : $"LIMIT {count}";

    /// <summary>
    /// Tests a column against a list parameter (<c>@ids</c>, bound to an array or list): Dapper
    /// expands <c>IN @ids</c> into one parameter per item, except on PostgreSQL, where it binds
    /// the whole list as one array parameter, which only <c>= ANY(...)</c> takes.
    /// </summary>
    public string InList(string parameter) =>
        Provider == DatabaseProvider.PostgreSql ? $"= ANY({parameter})" : $"IN {parameter}";

    /// <summary>
    /// Inserts one row unless a row with the same <paramref name="key"/> columns exists, without
    /// failing when another transaction inserts that row at the same moment: ON CONFLICT DO NOTHING
    /// (the key must be the primary key or a unique index), or in SQL Server NOT EXISTS under a
    /// key-range lock held to the end of the transaction. The affected row count says whether
    /// this statement inserted. <paramref name="values"/> are parameters or literals, in column order.
    /// </summary>
    public string InsertIfAbsent(string table, string columns, string values, string key)
    {
        if (Provider != DatabaseProvider.SqlServer)
            return $"INSERT INTO {table} ({columns}) VALUES ({values}) ON CONFLICT ({key}) DO NOTHING";
        var valueOf = Split(columns).Zip(Split(values)).ToDictionary(p => p.First, p => p.Second, StringComparer.OrdinalIgnoreCase);
        var match = string.Join(" AND ", Split(key).Select(k => $"{k} = {valueOf[k]}"));
        return $"INSERT INTO {table} ({columns}) SELECT {values} WHERE NOT EXISTS (SELECT 1 FROM {table} WITH (UPDLOCK, HOLDLOCK) WHERE {match})";
    }

    /// <summary>
    /// <see cref="InsertIfAbsent"/> for many rows in one statement, one round trip for a whole batch, returning
    /// <paramref name="returning"/> (a key column) of each row this statement inserted. <paramref name="rows"/>
    /// are value lists in column order, without duplicate keys among them. SQL Server has no ON CONFLICT and
    /// outputs through OUTPUT; its NOT EXISTS holds the key range as the single-row form does.
    /// </summary>
    public string InsertManyIfAbsent(string table, string columns, IReadOnlyList<string> rows, string key, string returning)
    {
        if (Provider != DatabaseProvider.SqlServer)
            return $"INSERT INTO {table} ({columns}) VALUES ({string.Join("), (", rows)}) ON CONFLICT ({key}) DO NOTHING RETURNING {returning}";
        var match = string.Join(" AND ", Split(key).Select(k => $"t.{k} = v.{k}"));
        return $"INSERT INTO {table} ({columns}) OUTPUT inserted.{returning} SELECT * FROM (VALUES ({string.Join("), (", rows)})) AS v ({columns}) " +
            $"WHERE NOT EXISTS (SELECT 1 FROM {table} AS t WITH (UPDLOCK, HOLDLOCK) WHERE {match})";
    }

    private static string[] Split(string list) => list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    /// <summary>
    /// Claims up to @batch unsent outbox rows for @relay until @until and returns them.
    /// SQLite runs one writer at a time, so the UPDATE itself is the claim; the servers skip rows
    /// another relay holds (SKIP LOCKED, READPAST) instead of waiting for them.
    /// </summary>
    public string ClaimOutboxBatch => Provider switch
    {
        DatabaseProvider.Sqlite => """
            UPDATE outbox_messages SET claimed_by = @relay, claimed_until = @until, attempts = attempts + 1
            WHERE id IN (SELECT id FROM outbox_messages
                         WHERE sent_at IS NULL AND (claimed_until IS NULL OR claimed_until < @now)
                         ORDER BY id LIMIT @batch)
            RETURNING id AS Id, message_id AS MessageId, message_type AS MessageType, body AS Body, trace_parent AS TraceParent
            """,
        DatabaseProvider.PostgreSql => """
            UPDATE outbox_messages SET claimed_by = @relay, claimed_until = @until, attempts = attempts + 1
            WHERE id IN (SELECT id FROM outbox_messages
                         WHERE sent_at IS NULL AND (claimed_until IS NULL OR claimed_until < @now)
                         ORDER BY id LIMIT @batch FOR UPDATE SKIP LOCKED)
            RETURNING id AS Id, message_id AS MessageId, message_type AS MessageType, body AS Body, trace_parent AS TraceParent
            """,
        _ => """
            WITH batch AS (
                SELECT TOP (@batch) * FROM outbox_messages WITH (UPDLOCK, READPAST, ROWLOCK)
                WHERE sent_at IS NULL AND (claimed_until IS NULL OR claimed_until < @now)
                ORDER BY id)
            UPDATE batch SET claimed_by = @relay, claimed_until = @until, attempts = attempts + 1
            OUTPUT inserted.id AS Id, inserted.message_id AS MessageId, inserted.message_type AS MessageType, inserted.body AS Body, inserted.trace_parent AS TraceParent;
            """,
    };

    /// <summary>
    /// On a server database the relay does not write a claim: it locks up to @batch unsent rows in the transaction
    /// it keeps open while it publishes them, and marks them sent in that same transaction, so each message costs
    /// one row version fewer (with its three index entries and WAL) and the relay one commit fewer per batch. Another
    /// relay skips the locked rows; a relay that dies drops its connection, and the locks go with it at once instead
    /// of after a claim expires. Null on SQLite, whose one write lock per file cannot be held across a publish: the
    /// relay claims there with <see cref="ClaimOutboxBatch"/>. Rows claimed that way (an older replica) are skipped.
    /// </summary>
    public string? LockOutboxBatch => Provider switch
    {
        DatabaseProvider.Sqlite => null,
        DatabaseProvider.PostgreSql => """
            SELECT id AS Id, message_id AS MessageId, message_type AS MessageType, body AS Body, trace_parent AS TraceParent
            FROM outbox_messages
            WHERE sent_at IS NULL AND (claimed_until IS NULL OR claimed_until < @now)
            ORDER BY id LIMIT @batch FOR UPDATE SKIP LOCKED
            """,
        _ => """
            SELECT TOP (@batch) id AS Id, message_id AS MessageId, message_type AS MessageType, body AS Body, trace_parent AS TraceParent
            FROM outbox_messages WITH (UPDLOCK, READPAST, ROWLOCK)
            WHERE sent_at IS NULL AND (claimed_until IS NULL OR claimed_until < @now)
            ORDER BY id
            """,
    };

    /// <summary>
    /// Claims the first row of <paramref name="table"/> (keyed by <c>id</c>) that matches <paramref name="due"/> in
    /// <paramref name="order"/>: one statement sets <paramref name="set"/> on it and returns <paramref name="returning"/>
    /// (<c>column AS Name, ...</c>), so two workers never take the same row and none reads more rows than the one it
    /// takes. SQLite runs one writer at a time, so the UPDATE itself is the claim; the servers skip a row another
    /// worker holds (SKIP LOCKED, READPAST) instead of waiting for it.
    /// </summary>
    public string ClaimFirst(string table, string due, string order, string set, string returning) => Provider switch
    {
        DatabaseProvider.Sqlite => $"""
            UPDATE {table} SET {set}
            WHERE id = (SELECT id FROM {table} WHERE {due} ORDER BY {order} LIMIT 1)
            RETURNING {returning}
            """,
        DatabaseProvider.PostgreSql => $"""
            UPDATE {table} SET {set}
            WHERE id = (SELECT id FROM {table} WHERE {due} ORDER BY {order} LIMIT 1 FOR UPDATE SKIP LOCKED)
            RETURNING {returning}
            """,
        _ => $"""
            WITH first AS (SELECT TOP (1) * FROM {table} WITH (UPDLOCK, READPAST, ROWLOCK) WHERE {due} ORDER BY {order})
            UPDATE first SET {set}
            OUTPUT {string.Join(", ", returning.Split(',', StringSplitOptions.TrimEntries).Select(column => "inserted." + column))};
            """,
    };

    /// <summary>
    /// Run first in a transaction that must not interleave with another one on the same @key (any
    /// text): PostgreSQL takes a transaction-scoped advisory lock on its hash. SQL Server locks the
    /// range it reads instead (see <see cref="RecipientCodesSince"/>) and SQLite has one writer, so null.
    /// A separate statement because PostgreSQL takes a statement's snapshot before the statement
    /// waits: the rows read must be read by a later statement, after the lock is held.
    /// </summary>
    public string? SerializeOnKey => Provider == DatabaseProvider.PostgreSql
        ? "SELECT pg_advisory_xact_lock(hashtextextended(@key, 0))"
        : null;

    /// <summary>
    /// The send times of the codes to @contactHash since @since. SQL Server holds a range lock on
    /// them to the end of the transaction, so two requests at once cannot both take the last place;
    /// PostgreSQL takes <see cref="SerializeOnKey"/> first; SQLite has one writer, which already orders them.
    /// </summary>
    public string RecipientCodesSince => Provider == DatabaseProvider.SqlServer
        ? "SELECT sent_at FROM recipient_codes WITH (UPDLOCK, HOLDLOCK) WHERE contact_hash = @contactHash AND sent_at > @since"
        : "SELECT sent_at FROM recipient_codes WHERE contact_hash = @contactHash AND sent_at > @since";

    /// <summary>
    /// Run after an erasure has committed, so no copy of the erased values stays readable in the
    /// files: SQLite copies the write-ahead log into the database and truncates it (deleted rows
    /// were already zeroed by <c>secure_delete</c>). Null where the server keeps its own files.
    /// </summary>
    public string? EraseResidue => Provider == DatabaseProvider.Sqlite ? "PRAGMA wal_checkpoint(TRUNCATE);" : null;

    /// <summary>
    /// Widens the page cache of one SQLite connection while it writes a large import, and puts it
    /// back; null where the server manages its own cache (see ConsentImporter).
    /// </summary>
    public string? ReadPageCache => Provider == DatabaseProvider.Sqlite ? "PRAGMA cache_size" : null;

    public string SetPageCache(long size) => $"PRAGMA cache_size = {size}";
}
