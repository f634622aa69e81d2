using ConsentPlatform.ServiceDefaults;
using ConsentPlatform.ServiceDefaults.Data;
using ConsentPlatform.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace ConsentPlatform.ServiceDefaults.Tests;

/// <summary>A service database for tests, with the platform's scripts applied: a fresh SQLite file, or a fresh database on the provider's server.</summary>
public sealed class TestDatabase : ServiceDatabase, IAsyncDisposable
{
    private readonly string _folder;

    private TestDatabase(PlatformOptions options, string folder) : base("test", options)
    {
        Options = options;
        _folder = folder;
    }

    public PlatformOptions Options { get; }

    public static async Task<TestDatabase> CreateAsync(ITestDatabaseProvider provider, int outboxClaimSeconds = 30)
    {
        var folder = Path.Combine(Path.GetTempPath(), "cp-db-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var settings = await provider.SettingsAsync(["test"]);
        settings["Database:DataFolder"] = folder;
        settings["Hashing:Key"] = Convert.ToBase64String(new byte[32]);
        settings["Outbox:ClaimSeconds"] = outboxClaimSeconds.ToString();
        settings["Outbox:BatchSize"] = "50";

        var options = PlatformOptions.Read(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        var database = new TestDatabase(options, folder);
        await Migrator.ApplyAsync(database.Name, database.OpenAsync, database.Dialect,
            Migrator.FindScripts(typeof(ServiceDatabase).Assembly, "Migrations", database.Dialect, "platform"), NullLogger.Instance, default);
        return database;
    }

    public ValueTask DisposeAsync()
    {
        // Server databases stay until their server goes (the test run's private cluster, or a SQL
        // Server given for tests); the SQLite files go now.
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
        return ValueTask.CompletedTask;
    }
}
