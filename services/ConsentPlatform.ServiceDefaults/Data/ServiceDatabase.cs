using System.Data;
using System.Data.Common;
using System.Reflection;
using Microsoft.Data.Sqlite;
using ConsentPlatform.ServiceDefaults.Work;

namespace ConsentPlatform.ServiceDefaults.Data;

/// <summary>
/// One service's database: opens connections for Dapper and knows its dialect and the
/// assembly holding its migration scripts. Each service subclasses it once so the host can
/// hold four of them side by side in one container.
/// </summary>
public abstract class ServiceDatabase
{
    protected ServiceDatabase(string name, PlatformOptions options, TimeProvider? time = null)
    {
        Name = name;
        Time = time ?? TimeProvider.System;
        Dialect = SqlDialect.For(options.DatabaseProvider);
        ConnectionString = Dialect.Tune(ConnectionStringFor(name, options));
    }

    /// <summary>The host's clock, for the times the platform's own tables record (outbox, inbox, journal).</summary>
    public TimeProvider Time { get; }

    /// <summary>Lower-case service name: "consent", "notices", …; also the SQLite file name.</summary>
    public string Name { get; }

    public SqlDialect Dialect { get; }

    public string ConnectionString { get; }

    /// <summary>Where this service's own scripts live; the platform's scripts are applied first.</summary>
    public virtual Assembly MigrationsAssembly => GetType().Assembly;

    /// <summary>Signals the outbox relay that rows were written, so it need not wait for its next poll.</summary>
    public WakeSignal OutboxSignal { get; } = new();

    // SQLite has one write lock per file. Writers of this process queue here, in memory, instead
    // of colliding on the lock: Microsoft.Data.Sqlite answers SQLITE_BUSY by sleeping 150 ms on a
    // pool thread, which cut outbox throughput sevenfold under load (docs/decisions/0005).
    private readonly SemaphoreSlim _writeGate = new(1, 1);

    /// <summary>The ConnectionStrings key of a database: its name with a capital, "Consent" for "consent".</summary>
    public static string ConnectionKey(string name) => char.ToUpperInvariant(name[0]) + name[1..];

    public static string ConnectionStringFor(string name, PlatformOptions options)
    {
        var key = ConnectionKey(name);
        if (options.ConnectionStrings.TryGetValue(key, out var configured) && !string.IsNullOrWhiteSpace(configured))
            return configured;
        if (!SqlDialect.For(options.DatabaseProvider).UsesDataFolder)
            throw new PlatformStartupException($"ConnectionStrings:{key} is missing: Database:Provider is {options.DatabaseProvider}, so each database needs a connection string.");

        var path = Path.GetFullPath(Path.Combine(options.DataFolder, name + ".db"));
        return new SqliteConnectionStringBuilder { DataSource = path, Cache = SqliteCacheMode.Private, Pooling = true, DefaultTimeout = 30 }.ToString();
    }

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        var connection = Dialect.CreateConnection(ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            if (Dialect.ConnectionSettings is { } settings)
            {
                await using var command = connection.CreateCommand();
                command.CommandText = settings;
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Call once an erasure has committed: leaves no copy of the erased rows in the database's
    /// files (<see cref="SqlDialect.EraseResidue"/>). Holds this process's write gate meanwhile, so
    /// no write of ours lands in the log while it is being emptied.
    /// </summary>
    public async Task ForgetErasedAsync(CancellationToken cancellationToken = default)
    {
        if (Dialect.EraseResidue is not { } sql) return;
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            await using var connection = await OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            // The first column says whether a reader kept the log from being emptied; such a reader ends within milliseconds.
            for (var attempt = 1; await command.ExecuteScalarAsync(cancellationToken) is long and not 0L && attempt < 50; attempt++)
                await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>
    /// Opens a connection and begins a write transaction; dispose it (it rolls back unless
    /// committed). On SQLite only one such transaction per database runs at a time in this
    /// process, so never begin a second one while holding the first.
    /// </summary>
    public async Task<Transaction> BeginAsync(CancellationToken cancellationToken = default)
    {
        var gate = Dialect.SingleWriter ? _writeGate : null;
        if (gate is not null) await gate.WaitAsync(cancellationToken);
        DbConnection? connection = null;
        try
        {
            connection = await OpenAsync(cancellationToken);
            var transaction = await connection.BeginTransactionAsync(cancellationToken);
            return new Transaction(connection, transaction, this, gate);
        }
        catch
        {
            if (connection is not null) await connection.DisposeAsync();
            gate?.Release();
            throw;
        }
    }
}

/// <summary>A connection with its open transaction, so repository methods take one argument.</summary>
public sealed class Transaction(DbConnection connection, DbTransaction inner, ServiceDatabase database, SemaphoreSlim? writeGate) : IAsyncDisposable
{
    private SemaphoreSlim? _writeGate = writeGate;
    private List<Func<CancellationToken, Task>>? _onCommitted;
    private bool _committed;
    private CancellationToken _commitToken;

    public DbConnection Connection { get; } = connection;
    public DbTransaction Inner { get; } = inner;
    public ServiceDatabase Database { get; } = database;
    internal bool WroteOutbox { get; set; }
    private List<Messaging.Outbox.PendingRow>? _pendingOutbox;

    internal void AddOutboxRow(Messaging.Outbox.PendingRow row)
    {
        (_pendingOutbox ??= []).Add(row);
        WroteOutbox = true;
    }

    /// <summary>
    /// Call before inserting rows that other processes follow by an ascending column: from here to
    /// the end of this transaction, such inserts elsewhere wait (<see cref="SqlDialect.FollowedInsertLock"/>).
    /// </summary>
    public async Task LockFollowedInsertsAsync(CancellationToken cancellationToken = default)
    {
        if (Database.Dialect.FollowedInsertLock is not { } sql) return;
        await using var command = Connection.CreateCommand();
        command.Transaction = Inner;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// A command in this transaction whose parameters are made once, for <see cref="ExecuteForEachAsync{TRow}"/>
    /// without batches: each row sets the parameters' values (by position) instead of re-creating and re-binding
    /// named parameters.
    /// </summary>
    private DbCommand CreateCommand(string sql, IEnumerable<(string Name, DbType Type)> parameters)
    {
        var command = Connection.CreateCommand();
        command.Transaction = Inner;
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

    /// <summary>
    /// Runs <paramref name="sql"/> once for each of <paramref name="rows"/>, the parameters' values taken from the
    /// row by <paramref name="columns"/>. A server database gets the rows as ADO.NET batches of up to
    /// <see cref="RowsPerBatch"/> statements, one network round trip each instead of one per row (ADR 0040); on
    /// SQLite, whose driver has no batches and where a statement is a call inside this process, one command is
    /// reused from row to row.
    /// </summary>
    public async Task ExecuteForEachAsync<TRow>(string sql, IReadOnlyList<(string Name, DbType Type, Func<TRow, object?> Value)> columns,
        IEnumerable<TRow> rows, CancellationToken cancellationToken = default)
    {
        if (!Connection.CanCreateBatch)
        {
            await using var command = CreateCommand(sql, columns.Select(c => (c.Name, c.Type)));
            foreach (var row in rows)
            {
                for (var c = 0; c < columns.Count; c++) command.Parameters[c].Value = columns[c].Value(row) ?? DBNull.Value;
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
            return;
        }
        // Parameters come from a command of the same driver: not every driver's batch command makes its own.
        await using var factory = Connection.CreateCommand();
        foreach (var chunk in rows.Chunk(RowsPerBatch))
        {
            await using var batch = Connection.CreateBatch();
            batch.Transaction = Inner;
            foreach (var row in chunk)
            {
                var command = batch.CreateBatchCommand();
                command.CommandText = sql;
                foreach (var (name, type, value) in columns)
                {
                    var parameter = factory.CreateParameter();
                    parameter.ParameterName = name;
                    parameter.DbType = type;
                    parameter.Value = value(row) ?? DBNull.Value;
                    command.Parameters.Add(parameter);
                }
                batch.BatchCommands.Add(command);
            }
            await batch.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>Statements per round trip in <see cref="ExecuteForEachAsync{TRow}"/>: enough that the round trip no longer counts.</summary>
    public const int RowsPerBatch = 500;

    /// <summary>
    /// Work that follows what this transaction wrote once it is durable: apply an in-memory index, reload a
    /// replica, wake a worker. The store that writes registers it, so no caller has to remember it. It runs in
    /// registration order when the transaction is disposed after <see cref="CommitAsync"/>, after the connection
    /// and the write gate are given back (it may read the database, and a writer waiting behind the gate need not
    /// wait for it); never when the transaction rolls back.
    /// </summary>
    public void OnCommitted(Func<CancellationToken, Task> work) => (_onCommitted ??= []).Add(work);

    /// <inheritdoc cref="OnCommitted(Func{CancellationToken, Task})"/>
    public void OnCommitted(Action work) => OnCommitted(_ =>
    {
        work();
        return Task.CompletedTask;
    });

    public async Task CommitAsync(CancellationToken cancellationToken = default)
    {
        // Cleared only once written: a commit retried after the insert failed must not commit without the messages.
        if (_pendingOutbox is { } pending)
        {
            await Messaging.Outbox.WritePendingAsync(this, pending, cancellationToken);
            _pendingOutbox = null;
        }
        await Inner.CommitAsync(cancellationToken);
        _committed = true;
        _commitToken = cancellationToken;
        if (WroteOutbox) Database.OutboxSignal.Wake();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Inner.DisposeAsync();
            await Connection.DisposeAsync();
        }
        finally
        {
            Interlocked.Exchange(ref _writeGate, null)?.Release();
        }
        if (!_committed || Interlocked.Exchange(ref _onCommitted, null) is not { } work) return;
        foreach (var item in work) await item(_commitToken);
    }
}
