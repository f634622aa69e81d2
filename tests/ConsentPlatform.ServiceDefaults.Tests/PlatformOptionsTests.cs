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
