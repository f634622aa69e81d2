using System.Diagnostics;
using System.Net.Http.Json;
using ConsentPlatform.Contracts;
using ConsentPlatform.ServiceDefaults.Identity;
using ConsentPlatform.Telephony;
using ConsentPlatform.Testing;
using MassTransit;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Xunit.Abstractions;

namespace ConsentPlatform.Consent.Tests;

[CollectionDefinition(RabbitMqFixture.CollectionName)]
public sealed class RabbitMqCollection : RabbitMqCollectionDefinition;

/// <summary>Acceptance 5: Consent as its own process on a private RabbitMQ node; the opt-outs come from this (another) process.</summary>
[Collection(RabbitMqFixture.CollectionName)]
public sealed class BrokerTests(RabbitMqFixture rabbit, ITestOutputHelper output) : IDisposable
{
    private static readonly byte[] Key = Enumerable.Range(11, 32).Select(i => (byte)i).ToArray();
    private readonly DistributedRun _run = new(rabbit.Node, "cp-consent-broker-", Key);

    private string DataFolder => _run.DataFolder;

    private Dictionary<string, string?> Environment()
    {
        var environment = _run.Environment();
        environment["Outbox__PollMilliseconds"] = "50";
        environment["Logging__LogLevel__Default"] = "Warning";
        return environment;
    }

    [BrokerFact]
    public async Task Opt_out_published_by_another_process_turns_the_check_to_deny_and_its_latency_is_reported()
    {
        var (organization, apiKey) = await _run.CreateKeyAsync("Broker K.K.", "consent");
        await using var consent = await ServiceProcess.StartAsync("ConsentPlatform.Consent", Environment());
        using var client = consent.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", apiKey);
        var bus = await rabbit.Node.StartPublisherAsync();
        var hasher = new PhoneNumberHasher(DistributedRun.HashKeyId, Key);
        try
        {
            const int total = 1_000;
            var latencies = new List<double>(total);
            for (var i = 0; i < total; i++)
            {
                var number = $"090-{5000 + i / 10_000:0000}-{i % 10_000:0000}";
                var body = new { phoneNumber = number, channel = "call", purpose = "seminar" };
                if (i == 0)
                {
                    var before = await (await client.PostAsJsonAsync("/api/consent/checks", body)).Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
                    Assert.DoesNotContain("opted_out", before.Reasons());
                }

                var clock = Stopwatch.StartNew();
                await bus.Publish(new OptOutRequested
                {
                    RequestId = Guid.NewGuid(), ContactHash = hasher.Hash(PhoneNumbers.Parse(number).Number), OrganizationId = organization,
                    Source = "responses", RequestedAt = DateTimeOffset.UtcNow,
                });
                await Eventually.AssertAsync(async () =>
                {
                    var check = await (await client.PostAsJsonAsync("/api/consent/checks", body)).Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
                    return check.Decision() == "deny" && check.Reasons().Contains("opted_out");
                }, TimeSpan.FromSeconds(30), $"opt-out {i} turns the check to deny; consent output:\n{consent.Output}", pollInterval: TimeSpan.FromMilliseconds(2));
                latencies.Add(clock.Elapsed.TotalMilliseconds);
            }

            latencies.Sort();
            double Percentile(double p) => latencies[(int)Math.Ceiling(p / 100 * latencies.Count) - 1];
            output.WriteLine($"publish-to-deny over {total} opt-outs (RabbitMQ, separate process, check polled every 2 ms): " +
                $"p50 {Percentile(50):0.0} ms, p90 {Percentile(90):0.0} ms, p99 {Percentile(99):0.0} ms, max {latencies[^1]:0.0} ms");
            await using var connection = new SqliteConnection($"Data Source={Path.Combine(DataFolder, "consent.db")};Mode=ReadOnly;Pooling=False");
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT COUNT(*) FROM suppressions";
            Assert.Equal((long)total, (long)(await command.ExecuteScalarAsync())!);
        }
        finally
        {
            await bus.StopAsync();
        }
    }

    public void Dispose() => _run.Dispose();
}
