using ConsentPlatform.ServiceDefaults.Identity;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Xunit;

namespace ConsentPlatform.Testing;

/// <summary>
/// The shared set-up of a test that runs services as separate processes on a private RabbitMQ
/// node: one data folder (each service its own database in it, identity.db shared), one hashing
/// key, the environment every process gets, and organizations made with the host's own commands.
/// </summary>
public sealed class DistributedRun(RabbitMqNode node, string prefix, byte[] hashKey) : IDisposable
{
    public const string HashKeyId = "k1";
    private readonly TempDirectory _run = new(prefix);

    private string? _dataFolder;

    /// <summary>Created on first use.</summary>
    public string DataFolder => _dataFolder ??= System.IO.Directory.CreateDirectory(_run.Combine("data")).FullName;

    public byte[] HashKey => hashKey;

    /// <summary>
    /// Configuration that puts every database of the run, identity's included, on a server ("Database:Provider",
    /// "ConnectionStrings:Consent", …); empty: SQLite files in <see cref="DataFolder"/>.
    /// </summary>
    public IReadOnlyDictionary<string, string?> DatabaseSettings { get; init; } = new Dictionary<string, string?>();

    /// <summary>What every service process of the run gets; a test adds its own keys to the copy.</summary>
    public Dictionary<string, string?> Environment()
    {
        var environment = node.BusEnvironment();
        environment["Database__DataFolder"] = DataFolder;
        environment["Hashing__Key"] = Convert.ToBase64String(hashKey);
        environment["Hashing__KeyId"] = HashKeyId;
        environment["Identity__CacheSeconds"] = "1";
        environment["RateLimiting__PublicRequestsPerMinute"] = "1000000";
        environment["Bus__StartTimeoutSeconds"] = "30";
        foreach (var (key, value) in DatabaseSettings) environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        return environment;
    }

    /// <summary>An organization and an API key made with the host's commands, as an operator would.</summary>
    public async Task<(string Organization, string ApiKey)> CreateKeyAsync(string legalName, string? scopes = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([new("Database:DataFolder", DataFolder), .. DatabaseSettings]).Build();
        var output = new StringWriter();
        Assert.Equal(0, await IdentityCommands.RunAsync(["org", "create", "--name", legalName], configuration, output, output));
        var organization = output.ToString().Trim().Split('\n')[^1].Trim();
        output.GetStringBuilder().Clear();
        string[] key = ["key", "create", "--org", organization, "--name", "test", .. scopes is null ? Array.Empty<string>() : ["--scopes", scopes]];
        Assert.Equal(0, await IdentityCommands.RunAsync(key, configuration, output, output));
        return (organization, output.ToString().Trim().Split('\n')[^1].Trim());
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _run.Dispose();
    }
}
