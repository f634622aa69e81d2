using ConsentPlatform.ServiceDefaults;
using ConsentPlatform.ServiceDefaults.Data;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace ConsentPlatform.Testing;

/// <summary>
/// Settings that put service databases on one provider, for store-level tests: fresh databases on
/// a server, files in a fresh folder on SQLite. Several database objects made from the same
/// <see cref="Options"/> stand for several processes of a service sharing its database: each has
/// its own connection pool and, on SQLite, its own write gate.
/// </summary>
public sealed class ProviderDatabases : IDisposable
{
    private readonly TempDirectory _folder;

    private ProviderDatabases(TempDirectory folder, PlatformOptions options)
    {
        _folder = folder;
        Options = options;
    }

    public PlatformOptions Options { get; }

    /// <param name="names">Lower-case service names: "notices", "responses", …</param>
    public static async Task<ProviderDatabases> CreateAsync(ITestDatabaseProvider provider, params string[] names)
    {
        var folder = new TempDirectory("cp-db-");
        try
        {
            var settings = await provider.SettingsAsync(names);
            settings["Database:DataFolder"] = folder.Path;
            settings["Hashing:Key"] = Convert.ToBase64String(new byte[32]);
            return new ProviderDatabases(folder, PlatformOptions.Read(new ConfigurationBuilder().AddInMemoryCollection(settings).Build()));
        }
        catch
        {
            folder.Dispose();
            throw;
        }
    }

    /// <summary>Applies the platform's scripts and then the database's own, as start-up does.</summary>
    public async Task<TDatabase> MigrateAsync<TDatabase>(TDatabase database) where TDatabase : ServiceDatabase
    {
        var scripts = Migrator.FindScripts(typeof(ServiceDatabase).Assembly, "Migrations", database.Dialect, "platform")
            .Concat(Migrator.FindScripts(database.MigrationsAssembly, "Migrations", database.Dialect, database.Name))
            .ToList();
        await Migrator.ApplyAsync(database.Name, database.OpenAsync, database.Dialect, scripts, NullLogger.Instance, default);
        return database;
    }

    public void Dispose()
    {
        // Server databases stay until their server goes (the run's private cluster); the SQLite files go now.
        SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }
}
