using ConsentPlatform.ServiceDefaults;
using ConsentPlatform.ServiceDefaults.Data;
using Microsoft.Data.SqlClient;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace ConsentPlatform.ServiceDefaults.Tests;

/// <summary>A service database for tests: a fresh SQLite file, or a fresh SQL Server database when CONSENTPLATFORM_SQLSERVER is set.</summary>
public sealed class TestDatabase : ServiceDatabase, IAsyncDisposable
{
    public const string SqlServerVariable = "CONSENTPLATFORM_SQLSERVER";
    private readonly string _folder;
    private readonly string? _sqlServerDatabase;

    private TestDatabase(PlatformOptions options, string folder, string? sqlServerDatabase) : base("test", options)
    {
        Options = options;
        _folder = folder;
        _sqlServerDatabase = sqlServerDatabase;
    }

    public PlatformOptions Options { get; }

    public static async Task<TestDatabase> CreateAsync(DatabaseProvider provider, int outboxClaimSeconds = 30)
    {
        var folder = Path.Combine(Path.GetTempPath(), "cp-db-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var settings = new Dictionary<string, string?>
        {
            ["Database:Provider"] = provider.ToString(),
            ["Database:DataFolder"] = folder,
            ["Hashing:Key"] = Convert.ToBase64String(new byte[32]),
            ["Outbox:ClaimSeconds"] = outboxClaimSeconds.ToString(),
            ["Outbox:BatchSize"] = "50",
        };
        string? sqlServerDatabase = null;
        if (provider == DatabaseProvider.SqlServer)
        {
            var server = Environment.GetEnvironmentVariable(SqlServerVariable) ?? throw new InvalidOperationException($"{SqlServerVariable} is not set");
            sqlServerDatabase = "cp_test_" + Guid.NewGuid().ToString("N");
            await using (var master = new SqlConnection(server))
            {
                await master.OpenAsync();
                await using var create = master.CreateCommand();
                create.CommandText = $"CREATE DATABASE [{sqlServerDatabase}]";
                await create.ExecuteNonQueryAsync();
            }
            settings["ConnectionStrings:Test"] = new SqlConnectionStringBuilder(server) { InitialCatalog = sqlServerDatabase }.ConnectionString;
        }

        var options = PlatformOptions.Read(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        var database = new TestDatabase(options, folder, sqlServerDatabase);
        await Migrator.ApplyAsync(database.Name, database.OpenAsync, database.Dialect,
            Migrator.FindScripts(typeof(ServiceDatabase).Assembly, "Migrations", database.Dialect, "platform"), NullLogger.Instance, default);
        return database;
    }

    public async ValueTask DisposeAsync()
    {
        if (_sqlServerDatabase is not null)
        {
            SqlConnection.ClearAllPools();
            await using var master = new SqlConnection(Environment.GetEnvironmentVariable(SqlServerVariable));
            await master.OpenAsync();
            await using var drop = master.CreateCommand();
            drop.CommandText = $"ALTER DATABASE [{_sqlServerDatabase}] SET SINGLE_USER WITH ROLLBACK IMMEDIATE; DROP DATABASE [{_sqlServerDatabase}]";
            await drop.ExecuteNonQueryAsync();
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}

/// <summary>Skipped, with the reason, unless CONSENTPLATFORM_SQLSERVER holds a connection string to a server the tests may create databases on.</summary>
public sealed class SqlServerFactAttribute : FactAttribute
{
    public SqlServerFactAttribute()
    {
        if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(TestDatabase.SqlServerVariable)))
            Skip = $"No SQL Server here: set {TestDatabase.SqlServerVariable} to a connection string (with rights to create databases) to run the SQL Server variants.";
    }
}
