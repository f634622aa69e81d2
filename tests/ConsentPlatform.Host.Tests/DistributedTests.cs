using System.Net;
using System.Net.Http.Json;
using ConsentPlatform.ServiceDefaults.Identity;
using ConsentPlatform.Testing;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;

namespace ConsentPlatform.Host.Tests;

// Run after the other collections, alone: these tests start the services as processes and time what crosses
// the broker, and the replica fault test's fake Twilio (in this process) stamps arrivals that a busy test
// process delays and bunches together (one CI run saw 22 in a second at the fake with R = 20).
[CollectionDefinition(RabbitMqFixture.CollectionName, DisableParallelization = true)]
public sealed class RabbitMqCollection : RabbitMqCollectionDefinition;

/// <summary>The services as separate processes over a private RabbitMQ node that gets killed.</summary>
[Collection(RabbitMqFixture.CollectionName)]
public sealed class DistributedTests(RabbitMqFixture rabbit) : IDisposable
{
    private readonly DistributedRun _run = new(rabbit.Node, "cp-distributed-", [.. Enumerable.Range(1, 32).Select(i => (byte)i)]);

    private string DataFolder => _run.DataFolder;

    private Dictionary<string, string?> Environment()
    {
        var environment = _run.Environment();
        environment["Outbox__PollMilliseconds"] = "50";
        return environment;
    }

    private async Task<(long Rows, long Distinct, long Max)> ConsentRevisionsAsync()
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(DataFolder, "consent.db")};Mode=ReadOnly;Pooling=False");
        return await connection.QuerySingleAsync<(long, long, long)>(
            "SELECT COUNT(*), COUNT(DISTINCT revision), COALESCE(MAX(revision), 0) FROM organization_profile_revisions");
    }

    [BrokerFact]
    public async Task Thousand_messages_written_through_the_outbox_while_the_broker_is_killed_twice_take_effect_exactly_once()
    {
        var (_, key) = await _run.CreateKeyAsync("Resilient K.K.");
        await using var directory = await ServiceProcess.StartAsync("ConsentPlatform.Directory", Environment());
        await using var consent = await ServiceProcess.StartAsync("ConsentPlatform.Consent", Environment());
        using var client = directory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", key);

        const int total = 1_000;
        for (var i = 1; i <= total; i++)
        {
            // Two kill -9 / restart cycles while writes keep coming: each write only needs the
            // database, so none fails; the relay holds the rows until the broker is back.
            if (i is 250 or 650) await rabbit.Node.KillAsync();
            if (i is 400 or 800) await rabbit.Node.RestartAsync();

            var response = await client.PutAsJsonAsync("/api/directory/organization", new { legalName = $"Resilient K.K. #{i}", contactEmail = "ops@resilient.example" });
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"write {i}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        await Eventually.AssertAsync(async () => (await ConsentRevisionsAsync()).Rows >= total, TimeSpan.FromSeconds(120),
            $"all {total} changes reach Consent; directory output:\n{directory.Output}\nconsent output:\n{consent.Output}");
        await Task.Delay(TimeSpan.FromSeconds(3)); // time for any duplicate delivery to land

        var (rows, distinct, max) = await ConsentRevisionsAsync();
        Assert.Equal(total, rows);
        Assert.Equal(total, distinct);
        Assert.Equal(total, max);
        using var consentClient = consent.CreateClient();
        consentClient.DefaultRequestHeaders.Authorization = new("Bearer", key);
        var latest = await consentClient.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/consent/organization");
        Assert.Equal($"Resilient K.K. #{total}", latest.GetProperty("legalName").GetString());
    }

    [BrokerFact]
    public async Task Key_revoked_once_is_refused_by_every_service_process_within_seconds()
    {
        var (_, key) = await _run.CreateKeyAsync("Revocation K.K.");
        await using var directory = await ServiceProcess.StartAsync("ConsentPlatform.Directory", Environment());
        await using var notices = await ServiceProcess.StartAsync("ConsentPlatform.Notices", Environment());
        var clients = new[] { (directory.CreateClient(), "/api/directory/organization"), (notices.CreateClient(), "/api/notices/organization") };
        foreach (var (client, path) in clients)
        {
            client.DefaultRequestHeaders.Authorization = new("Bearer", key);
            Assert.NotEqual(HttpStatusCode.Unauthorized, (await client.GetAsync(path)).StatusCode);
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection([new("Database:DataFolder", DataFolder)]).Build();
        var keyId = key.Split('_')[1];
        Assert.Equal(0, await IdentityCommands.RunAsync(["key", "revoke", keyId], configuration, TextWriter.Null, TextWriter.Null));

        foreach (var (client, path) in clients)
            await Eventually.AssertAsync(async () => (await client.GetAsync(path)).StatusCode == HttpStatusCode.Unauthorized,
                TimeSpan.FromSeconds(5), $"{path} refuses the revoked key");
    }

    [BrokerFact]
    public async Task Quorum_queues_setting_declares_the_service_queues_as_quorum_queues()
    {
        // A virtual host of its own: a queue declared classic by another test cannot become quorum.
        var vhost = "quorum-" + Guid.NewGuid().ToString("N")[..8];
        await rabbit.Node.RabbitMqCtlAsync(["add_vhost", vhost]);
        await rabbit.Node.RabbitMqCtlAsync(["set_permissions", "-p", vhost, rabbit.Node.Username, ".*", ".*", ".*"]);
        var environment = Environment();
        environment["Bus__RabbitMq__VirtualHost"] = vhost;
        environment["Bus__QuorumQueues"] = "true";

        await using var notices = await ServiceProcess.StartAsync("ConsentPlatform.Notices", environment);

        var queues = await rabbit.Node.RabbitMqCtlAsync(["list_queues", "-p", vhost, "name", "type", "--no-table-headers", "--quiet"]);
        Assert.Contains(queues.Split('\n'), line => line.StartsWith("notices-organization-profiles", StringComparison.Ordinal) && line.TrimEnd().EndsWith("quorum", StringComparison.Ordinal));
    }

    public void Dispose() => _run.Dispose();
}
