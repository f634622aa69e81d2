using ConsentPlatform.ServiceDefaults.Data;
using ConsentPlatform.Testing;
using Dapper;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace ConsentPlatform.ServiceDefaults.Tests;

public sealed class MigratorTests
{
    [Fact]
    public async Task Scripts_are_applied_once_and_recorded_in_the_journal()
    {
        await using var database = await TestDatabase.CreateAsync(new SqliteProvider());
        var scripts = Migrator.FindScripts(typeof(ServiceDatabase).Assembly, "Migrations", database.Dialect, "platform");

        Assert.Equal(0, await Migrator.ApplyAsync(database.Name, database.OpenAsync, database.Dialect, scripts, NullLogger.Instance, default));
        await using var connection = await database.OpenAsync();
        var journal = (await connection.QueryAsync<string>("SELECT script FROM schema_journal ORDER BY script")).ToList();
        Assert.Equal(scripts.Select(s => s.Id), journal);
        Assert.Contains("platform/0001_outbox_inbox.sql", journal);
    }

    [Fact]
    public async Task Sqlite_runs_in_wal_mode_with_full_synchronous_writes()
    {
        await using var database = await TestDatabase.CreateAsync(new SqliteProvider());
        await using var connection = await database.OpenAsync();
        Assert.Equal("wal", await connection.ExecuteScalarAsync<string>("PRAGMA journal_mode"));
        Assert.Equal(2, await connection.ExecuteScalarAsync<int>("PRAGMA synchronous")); // 2 = FULL
    }

    [Fact]
    public async Task Unwritable_data_folder_is_reported_by_its_setting()
    {
        var options = ServiceDefaults.PlatformOptions.Read(new Microsoft.Extensions.Configuration.ConfigurationBuilder()
            .AddInMemoryCollection([new("Database:DataFolder", "/proc/no-such-folder")]).Build());
        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            var db = new UnwritableDatabase(options);
            await using var c = await db.OpenAsync();
        });
        Assert.Contains("Database:DataFolder", Migrator.Explain(error, "test", options).Message);
    }

    private sealed class UnwritableDatabase(ServiceDefaults.PlatformOptions options) : ServiceDatabase("test", options);
}
