using System.Net.Http.Json;
using System.Text.Json;
using ConsentPlatform.Contracts;
using ConsentPlatform.Telephony;
using ConsentPlatform.Testing;
using MassTransit;

namespace ConsentPlatform.Consent.Tests;

/// <summary>STOP then START over RabbitMQ, published by another process (as Notices does), Consent in a process of its own.</summary>
[Collection(RabbitMqFixture.CollectionName)]
public sealed class OptInBrokerTests(RabbitMqFixture rabbit) : IDisposable
{
    private static readonly byte[] Key = Enumerable.Range(21, 32).Select(i => (byte)i).ToArray();
    private readonly DistributedRun _run = new(rabbit.Node, "cp-consent-optin-", Key);

    private Dictionary<string, string?> Environment()
    {
        var environment = _run.Environment();
        environment["Outbox__PollMilliseconds"] = "50";
        environment["Logging__LogLevel__Default"] = "Warning";
        return environment;
    }

    [BrokerFact]
    public async Task Start_reply_over_rabbitmq_lifts_the_stop_reply_and_leaves_a_temporary_pause_reported_as_such()
    {
        var (organization, apiKey) = await _run.CreateKeyAsync("Broker Start K.K.", "consent");
        await using var consent = await ServiceProcess.StartAsync("ConsentPlatform.Consent", Environment());
        using var client = consent.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", apiKey);
        var bus = await rabbit.Node.StartPublisherAsync();
        var hash = new PhoneNumberHasher(DistributedRun.HashKeyId, Key).Hash(PhoneNumbers.Parse("090-7300-0001").Number);
        async Task<string[]> ReasonsAsync(string channel) =>
            (await (await client.PostAsJsonAsync("/api/consent/checks", new { phoneNumber = "090-7300-0001", channel, purpose = "seminar", at = "2026-03-02T12:00:00+09:00" }))
                .Content.ReadFromJsonAsync<JsonElement>()).Reasons();
        try
        {
            var stopAt = DateTimeOffset.UtcNow;
            await bus.Publish(new OptOutRequested
            {
                RequestId = Guid.NewGuid(), ContactHash = hash, OrganizationId = organization, Channels = [Channels.Sms], Source = "sms_reply", RequestedAt = stopAt,
            });
            await bus.Publish(new OptOutRequested
            {
                RequestId = Guid.NewGuid(), ContactHash = hash, OrganizationId = organization, Channels = [Channels.Call], Source = "responses", RequestedAt = stopAt,
                Until = new DateTimeOffset(2026, 3, 10, 0, 0, 0, TimeSpan.FromHours(9)),
            });
            await Eventually.AssertAsync(async () => (await ReasonsAsync("sms")).Contains("opted_out") && (await ReasonsAsync("call")).Contains("opted_out_until"),
                TimeSpan.FromSeconds(30), $"the stop and the pause apply; consent output:\n{consent.Output}");

            await bus.Publish(new OptInRequested
            {
                RequestId = Guid.NewGuid(), ContactHash = hash, OrganizationId = organization, Channels = [Channels.Sms], Source = "sms_reply", RequestedAt = stopAt.AddSeconds(1),
            });

            await Eventually.AssertAsync(async () => !(await ReasonsAsync("sms")).Contains("opted_out"), TimeSpan.FromSeconds(30), $"the start lifts the stop; consent output:\n{consent.Output}");
            Assert.Contains("opted_out_until", await ReasonsAsync("call"));
        }
        finally
        {
            await bus.StopAsync();
        }
    }

    public void Dispose() => _run.Dispose();
}
