using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ConsentPlatform.Contracts;
using ConsentPlatform.ServiceDefaults.Identity;
using ConsentPlatform.Telephony;
using ConsentPlatform.Testing;
using MassTransit;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;

namespace ConsentPlatform.Responses.Tests;

[CollectionDefinition(RabbitMqFixture.CollectionName)]
public sealed class RabbitMqCollection : RabbitMqCollectionDefinition;

/// <summary>
/// Acceptance 3: the CRM webhook is down while 500 responses come in and the service is
/// restarted in the middle; after recovery every response arrives exactly once, in order per
/// contact, correctly signed. The service runs as its own process (links reach it over RabbitMQ,
/// as from Notices). The outage lasts the 5 minutes; RESPONSES_OUTAGE_SECONDS shortens it
/// for a quick local run (nothing in the delivery path depends on the outage's length: retries are
/// rows with a due time, capped by Responses:Crm:MaxBackoffSeconds).
/// </summary>
[Collection(RabbitMqFixture.CollectionName)]
public sealed class CrmOutageTests(RabbitMqFixture rabbit) : IDisposable
{
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(
        int.TryParse(System.Environment.GetEnvironmentVariable("RESPONSES_OUTAGE_SECONDS"), out var s) ? s : 300);
    private const int Contacts = 100;
    private const int Rounds = 5;

    private readonly DistributedRun _run = new(rabbit.Node, "cp-responses-outage-", Convert.FromBase64String(ResponsesFactory.HashKey));

    private string DataFolder => _run.DataFolder;

    private Dictionary<string, string?> Environment()
    {
        var environment = _run.Environment();
        environment["Outbox__PollMilliseconds"] = "50";
        // Recovery must be prompt once the CRM is back: small backoff cap and break, no dead letters in this run.
        environment["Responses__Crm__FirstRetrySeconds"] = "0.5";
        environment["Responses__Crm__MaxBackoffSeconds"] = "2";
        environment["Responses__Crm__BreakSeconds"] = "1";
        environment["Responses__Crm__TimeoutSeconds"] = "5";
        environment["Responses__Crm__PollSeconds"] = "0.1";
        environment["Responses__Crm__MaxAttempts"] = "10000";
        // The fake CRM listens on loopback over http, which only an allow-listed host may be.
        environment["Responses__Crm__AllowedHosts"] = "127.0.0.1";
        return environment;
    }

    [BrokerFact]
    public async Task Webhook_outage_with_a_restart_in_the_middle_loses_nothing_repeats_nothing_and_keeps_order_per_contact()
    {
        var (org, key) = await _run.CreateKeyAsync("Outage K.K.");
        await using var crm = await FakeCrm.StartAsync();
        crm.Mode = CrmMode.Down;
        var outageStarted = Stopwatch.StartNew();
        await using var service = await ServiceProcess.StartAsync("ConsentPlatform.Responses", Environment());
        using var api = service.CreateClient();
        api.DefaultRequestHeaders.Authorization = new("Bearer", key);
        var created = await api.PostAsJsonAsync("/api/responses/connectors", new { kind = "webhook", name = "Fake CRM", url = crm.Url });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        crm.Secret = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("signingSecret").GetString()!;

        var hasher = new PhoneNumberHasher("k1", Convert.FromBase64String(ResponsesFactory.HashKey));
        var links = Enumerable.Range(0, Contacts).Select(i =>
        {
            var number = PhoneNumbers.Parse($"090-{1000 + i:D4}-{2000 + i:D4}").Number;
            return new ResponseLinkIssued
            {
                Code = $"out{i:D4}x", NoticeId = Guid.NewGuid(), OrganizationId = org, MaskedNumber = number.FormatMasked(),
                ContactHash = hasher.Hash(number), Topic = "Outage test", IssuedAt = DateTimeOffset.UtcNow,
            };
        }).ToList();
        await PublishAsync(links);

        using var browser = new HttpClient(new HttpClientHandler { UseCookies = true, CookieContainer = new CookieContainer() }) { BaseAddress = service.BaseAddress };
        browser.DefaultRequestHeaders.UserAgent.ParseAdd(ResponsesFactory.PhoneBrowser);
        await Eventually.AssertAsync(async () => (await browser.GetAsync($"/r/{links[^1].Code}")).StatusCode == HttpStatusCode.OK,
            TimeSpan.FromSeconds(30), $"the links to reach the service over RabbitMQ\n{service.Output}");

        string[] statuses = ["phone_ok", "email_only", "sms_only", "phone_ok", "no_further_contact"];
        var submitted = 0;
        for (var round = 0; round < Rounds; round++)
        {
            foreach (var link in links)
            {
                if (submitted == Contacts * Rounds / 2)
                {
                    await service.RestartAsync();
                    Assert.Empty(crm.Accepted);
                }
                await ResponsesFactory.SubmitAsync(browser, link.Code, ("preferredContact", statuses[round]), ("comments", $"round {round}"));
                submitted++;
            }
        }
        Assert.Empty(crm.Accepted);
        Assert.True(crm.Refused > 0, "the CRM was tried during the outage");

        var rest = Outage - outageStarted.Elapsed;
        if (rest > TimeSpan.Zero) await Task.Delay(rest);
        crm.Mode = CrmMode.Up;

        await Eventually.AssertAsync(() => crm.Accepted.Count >= Contacts * Rounds, TimeSpan.FromSeconds(60),
            $"all {Contacts * Rounds} responses to be delivered after recovery (have {crm.Accepted.Count})\n{service.Output}");
        await Task.Delay(TimeSpan.FromSeconds(2)); // room for any duplicate to show up

        Assert.Equal(Contacts * Rounds, crm.Accepted.Count);
        Assert.Equal(Contacts * Rounds, crm.Accepted.Select(r => r.ResponseId).Distinct().Count());
        Assert.Equal(0, crm.Duplicates);
        Assert.Equal(0, crm.BadSignatures);
        foreach (var contact in crm.Accepted.GroupBy(r => r.ContactHash))
            Assert.Equal(Enumerable.Range(0, Rounds).Select(r => $"round {r}"), contact.Select(r => r.Comments));
        Assert.Equal(Contacts, crm.Accepted.Select(r => r.ContactHash).Distinct().Count());
        Assert.Empty(await api.GetFromJsonAsync<List<JsonElement>>("/api/responses/deliveries?status=pending") ?? []);
        Assert.Empty(await api.GetFromJsonAsync<List<JsonElement>>("/api/responses/deliveries?status=dead") ?? []);
    }

    private async Task PublishAsync(IEnumerable<ResponseLinkIssued> links)
    {
        var node = rabbit.Node;
        var bus = await node.StartPublisherAsync();
        try
        {
            foreach (var link in links) await bus.Publish(link);
        }
        finally
        {
            await bus.StopAsync();
        }
    }

    public void Dispose() => _run.Dispose();
}
