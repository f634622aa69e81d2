using Microsoft.Extensions.Configuration;

namespace ConsentPlatform.ServiceDefaults.Tests;

public sealed class PlatformOptionsTests
{
    private static PlatformOptions Read(params (string Key, string Value)[] settings) =>
        PlatformOptions.Read(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Hashing:Key"] = Convert.ToBase64String(new byte[32]) })
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .Build());

    [Fact]
    public void Defaults_are_the_embedded_mode()
    {
        var options = Read();
        Assert.Empty(options.Errors);
        Assert.Equal(DatabaseProvider.Sqlite, options.DatabaseProvider);
        Assert.Equal(BusTransport.InMemory, options.Transport);
    }

    [Theory]
    [InlineData("Database:Provider", "Oracle")]
    [InlineData("Database:Provider", "1")]
    [InlineData("Bus:Transport", "Kafka")]
    [InlineData("Bus:RabbitMq:Port", "70000")]
    [InlineData("Bus:PrefetchCount", "zero")]
    [InlineData("Bus:QuorumQueues", "maybe")]
    [InlineData("Hashing:Key", "not base64!")]
    [InlineData("Hashing:Key", "c2hvcnQ=")]
    public void Invalid_value_is_reported_by_its_key(string key, string value)
    {
        var error = Assert.Single(Read((key, value)).Errors);
        Assert.StartsWith(key, error);
    }

    [Fact]
    public void Missing_hashing_key_is_reported_by_its_key()
    {
        var options = PlatformOptions.Read(new ConfigurationBuilder().Build());
        Assert.Contains(options.Errors, e => e.StartsWith("Hashing:Key is missing", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("PostgreSql", DatabaseProvider.PostgreSql)]
    [InlineData("postgresql", DatabaseProvider.PostgreSql)]
    [InlineData("SqlServer", DatabaseProvider.SqlServer)]
    [InlineData("Sqlite", DatabaseProvider.Sqlite)]
    public void Database_provider_is_read(string value, DatabaseProvider expected)
    {
        var options = Read(("Database:Provider", value));
        Assert.Empty(options.Errors);
        Assert.Equal(expected, options.DatabaseProvider);
    }

    [Fact]
    public void Unknown_database_provider_names_the_key_and_the_providers_it_takes()
    {
        var error = Assert.Single(Read(("Database:Provider", "Postgres9")).Errors);
        Assert.StartsWith("Database:Provider", error);
        Assert.Contains("PostgreSql", error);
    }

    [Fact]
    public void A_server_database_without_its_connection_string_stops_start_up_naming_the_key()
    {
        var options = Read(("Database:Provider", "PostgreSql"));
        var error = Assert.Throws<PlatformStartupException>(() => Data.ServiceDatabase.ConnectionStringFor("consent", options));
        Assert.StartsWith("ConnectionStrings:Consent is missing", error.Message);
    }

    [Fact]
    public void RabbitMq_settings_are_read()
    {
        var options = Read(("Bus:Transport", "rabbitmq"), ("Bus:RabbitMq:Host", "mq"), ("Bus:RabbitMq:Port", "5673"), ("Bus:QuorumQueues", "true"));
        Assert.Equal(BusTransport.RabbitMq, options.Transport);
        Assert.Equal("mq", options.RabbitHost);
        Assert.Equal(5673, options.RabbitPort);
        Assert.True(options.QuorumQueues);
    }
}
