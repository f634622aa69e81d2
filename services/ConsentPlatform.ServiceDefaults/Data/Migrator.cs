using System.Data.Common;
using System.Reflection;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace ConsentPlatform.ServiceDefaults.Data;

/// <summary>
/// Applies numbered, embedded .sql scripts once each, recording them in a journal table
/// (the job DbUp would do; it cannot be restored here). Scripts live under
/// <c>Migrations/{Sqlite|PostgreSql|SqlServer}/NNNN_name.sql</c> as embedded resources.
/// </summary>
public static class Migrator
{
    public sealed record Script(string Id, string Sql);

    public static IReadOnlyList<Script> FindScripts(Assembly assembly, string folder, SqlDialect dialect, string journalPrefix)
    {
        var prefix = $"{assembly.GetName().Name}.{folder}.{dialect.ScriptFolder}.";
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(n =>
            {
                using var stream = assembly.GetManifestResourceStream(n)!;
                using var reader = new StreamReader(stream);
                return new Script($"{journalPrefix}/{n[prefix.Length..]}", reader.ReadToEnd());
            })
            .ToList();
    }

    public static async Task<int> ApplyAsync(string databaseName, Func<CancellationToken, Task<DbConnection>> open, SqlDialect dialect, IEnumerable<Script> scripts, ILogger logger, CancellationToken cancellationToken)
    {
        await using var connection = await open(cancellationToken);
        if (dialect.PrepareDatabase is { } prepare)
            await connection.ExecuteAsync(prepare);
        // Under the migration lock too: replicas starting at once would race on PostgreSQL's
        // CREATE TABLE IF NOT EXISTS (both see no table, one fails on the catalog's unique index).
        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
        {
            if (dialect.MigrationLock is { } takeLock)
                await connection.ExecuteAsync(takeLock, transaction: transaction);
            await connection.ExecuteAsync(dialect.CreateSchemaJournal, transaction: transaction);
            await transaction.CommitAsync(cancellationToken);
        }

        var applied = 0;
        foreach (var script in scripts)
        {
            // One transaction per script; the journal is re-read inside it so several
            // processes starting at once (the shared identity database) apply each script once.
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            if (dialect.MigrationLock is { } scriptLock)
                await connection.ExecuteAsync(scriptLock, transaction: transaction);

            const string isApplied = "SELECT COUNT(*) FROM schema_journal WHERE script = @script";
            if (await connection.ExecuteScalarAsync<int>(isApplied, new { script = script.Id }, transaction) > 0)
                continue;

            await connection.ExecuteAsync(script.Sql, transaction: transaction);
            const string record = "INSERT INTO schema_journal (script, applied_at) VALUES (@script, @now)";
            await connection.ExecuteAsync(record, new { script = script.Id, now = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds() }, transaction);
            await transaction.CommitAsync(cancellationToken);
            logger.LogInformation("Applied migration {Script} to the {Database} database", script.Id, databaseName);
            applied++;
        }
        return applied;
    }

    /// <summary>Turns "cannot open the file" into a message that names the setting to fix.</summary>
    public static PlatformStartupException Explain(Exception error, string databaseName, PlatformOptions options) => error switch
    {
        SqliteException { SqliteErrorCode: 14 or 8 or 10 } or UnauthorizedAccessException or IOException =>
            new PlatformStartupException($"Database:DataFolder '{Path.GetFullPath(options.DataFolder)}' is not writable, so the {databaseName} database cannot be opened ({error.Message}).", error),
        _ => new PlatformStartupException($"The {databaseName} database could not be prepared ({error.GetType().Name}: {error.Message}). Check Database:Provider and ConnectionStrings.", error),
    };
}
