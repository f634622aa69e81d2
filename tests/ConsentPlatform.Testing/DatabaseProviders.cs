using ConsentPlatform.ServiceDefaults;
using Microsoft.Data.SqlClient;
using Xunit;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace ConsentPlatform.Testing;

/// <summary>
/// One database provider the provider-generic tests run against. Tests are written once in an
/// abstract base class generic in the provider, and each provider is a sealed subclass of it
/// (as Dapper's own tests do): <c>public sealed class PostgreSqlOutboxTests : OutboxTests&lt;PostgreSqlProvider&gt;;</c>.
/// </summary>
public interface ITestDatabaseProvider
{
    DatabaseProvider Provider { get; }

    /// <summary>Why this provider's tests are skipped here, or null when they run.</summary>
    string? SkipReason { get; }

    /// <summary>
    /// The settings that put the named databases (lower-case service names: "consent", "identity", …)
    /// on this provider: Database:Provider, and for a server a fresh database per name.
    /// </summary>
    Task<Dictionary<string, string?>> SettingsAsync(IEnumerable<string> databaseNames, CancellationToken cancellationToken = default);
}

public sealed class SqliteProvider : ITestDatabaseProvider
{
    public DatabaseProvider Provider => DatabaseProvider.Sqlite;

    public string? SkipReason => null;

    // Each database is a file in the caller's Database:DataFolder.
    public Task<Dictionary<string, string?>> SettingsAsync(IEnumerable<string> databaseNames, CancellationToken cancellationToken = default) =>
        Task.FromResult(new Dictionary<string, string?> { ["Database:Provider"] = Provider.ToString() });
}

/// <summary>Databases on the test run's private cluster (<see cref="PostgresNode.SharedAsync"/>); they go when the cluster does.</summary>
public sealed class PostgreSqlProvider : ITestDatabaseProvider
{
    public DatabaseProvider Provider => DatabaseProvider.PostgreSql;

    public string? SkipReason => PostgresNode.SkipReason;

    public async Task<Dictionary<string, string?>> SettingsAsync(IEnumerable<string> databaseNames, CancellationToken cancellationToken = default)
    {
        var node = await PostgresNode.SharedAsync();
        var settings = new Dictionary<string, string?> { ["Database:Provider"] = Provider.ToString() };
        foreach (var name in databaseNames)
            settings[$"ConnectionStrings:{ServiceDefaults.Data.ServiceDatabase.ConnectionKey(name)}"] = await node.CreateDatabaseAsync("cp_" + name, cancellationToken);
        return settings;
    }
}

/// <summary>Databases on the server CONSENTPLATFORM_SQLSERVER names; skipped where it is not set (SQL Server cannot run on these machines).</summary>
public sealed class SqlServerProvider : ITestDatabaseProvider
{
    public const string ServerVariable = "CONSENTPLATFORM_SQLSERVER";

    public DatabaseProvider Provider => DatabaseProvider.SqlServer;

    public string? SkipReason => string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(ServerVariable))
        ? $"No SQL Server here: set {ServerVariable} to a connection string (with rights to create databases) to run the SQL Server variants."
        : null;

    public async Task<Dictionary<string, string?>> SettingsAsync(IEnumerable<string> databaseNames, CancellationToken cancellationToken = default)
    {
        var server = Environment.GetEnvironmentVariable(ServerVariable) ?? throw new InvalidOperationException($"{ServerVariable} is not set");
        var settings = new Dictionary<string, string?> { ["Database:Provider"] = Provider.ToString() };
        await using var master = new SqlConnection(server);
        await master.OpenAsync(cancellationToken);
        foreach (var name in databaseNames)
        {
            var database = $"cp_test_{name}_{Guid.NewGuid():N}";
            await using var create = master.CreateCommand();
            create.CommandText = $"CREATE DATABASE [{database}]";
            await create.ExecuteNonQueryAsync(cancellationToken);
            settings[$"ConnectionStrings:{ServiceDefaults.Data.ServiceDatabase.ConnectionKey(name)}"] =
                new SqlConnectionStringBuilder(server) { InitialCatalog = database }.ConnectionString;
        }
        return settings;
    }
}

/// <summary>
/// A fact of a provider-generic test class: skipped, with the provider's reason, in the subclasses
/// whose provider is not available here. xunit 2 has no runtime skip, so the discoverer decides
/// from the concrete class it finds the test in.
/// </summary>
[XunitTestCaseDiscoverer("ConsentPlatform.Testing.DatabaseFactDiscoverer", "ConsentPlatform.Testing")]
public sealed class DatabaseFactAttribute : FactAttribute;

public sealed class DatabaseFactDiscoverer(IMessageSink diagnosticMessageSink) : FactDiscoverer(diagnosticMessageSink)
{
    private readonly IMessageSink _sink = diagnosticMessageSink;

    public override IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        if (ProviderOf(testMethod.TestClass.Class.ToRuntimeType())?.SkipReason is { } reason)
            return [new XunitSkippedDataRowTestCase(_sink, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod, reason)];
        return base.Discover(discoveryOptions, testMethod, factAttribute);
    }

    /// <summary>The provider a test class is generic in, found on it or on one of its base classes.</summary>
    public static ITestDatabaseProvider? ProviderOf(Type? type)
    {
        for (; type is not null; type = type.BaseType)
        {
            if (type.IsGenericType && type.GetGenericArguments().FirstOrDefault(a => typeof(ITestDatabaseProvider).IsAssignableFrom(a)) is { } provider)
                return (ITestDatabaseProvider)Activator.CreateInstance(provider)!;
        }
        return null;
    }
}
