using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ConsentPlatform.Contracts;
using ConsentPlatform.ServiceDefaults.Identity;
using ConsentPlatform.Testing;
using MassTransit;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;

namespace ConsentPlatform.Directory.Tests;

[CollectionDefinition(RabbitMqFixture.CollectionName)]
public sealed class RabbitMqCollection : RabbitMqCollectionDefinition;

/// <summary>Directory and Notices as separate processes over a private RabbitMQ node (acceptance 4).</summary>
[Collection(RabbitMqFixture.CollectionName)]
public sealed class DistributedDirectoryTests(RabbitMqFixture rabbit) : IDisposable
{
    private readonly DistributedRun _run = new(rabbit.Node, "cp-directory-distributed-", DirectoryApp.HashKey);

    private string DataFolder => _run.DataFolder;

    private Dictionary<string, string?> Environment()
    {
        var environment = _run.Environment();
        environment["Outbox__PollMilliseconds"] = "50";
        return environment;
    }

    /// <summary>The test's own connection to the broker, standing where a phone would receive the SMS.</summary>
    private async Task<(IBusControl Bus, ConcurrentDictionary<Guid, string> Codes)> ListenForCodesAsync()
    {
        var codes = new ConcurrentDictionary<Guid, string>();
        var node = rabbit.Node;
        var bus = MassTransit.Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host(node.Host, (ushort)node.Port, node.VirtualHost, h =>
            {
                h.Username(node.Username);
                h.Password(node.Password);
            });
            cfg.ReceiveEndpoint("directory-tests-codes-" + Guid.NewGuid().ToString("N"), e =>
            {
                e.AutoDelete = true;
                e.Durable = false;
                e.Handler<SendVerificationCode>(context =>
                {
                    codes[context.Message.RequestId] = context.Message.Code;
                    return Task.CompletedTask;
                });
            });
        });
        using var start = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await bus.StartAsync(start.Token);
        return (bus, codes);
    }

    private static async Task<IReadOnlyList<string>> CallingNumbersAsync(HttpClient notices)
    {
        var response = await notices.GetAsync("/api/notices/calling-numbers");
        if (response.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException($"GET /api/notices/calling-numbers: {(int)response.StatusCode}");
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        // A plain list of E.164 strings; an object with a "numbers" list is read too.
        var list = body.ValueKind == JsonValueKind.Array ? body : body.GetProperty("numbers");
        return list.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetProperty("phoneNumber").GetString()!).ToList();
    }

    [BrokerFact]
    public async Task Published_number_becomes_a_calling_number_notices_accepts_and_withdrawing_it_makes_notices_refuse_it()
    {
        var (_, key) = await _run.CreateKeyAsync("Distributed Caller K.K.");
        var (listener, codes) = await ListenForCodesAsync();
        try
        {
            await using var directory = await ServiceProcess.StartAsync("ConsentPlatform.Directory", Environment());
            await using var notices = await ServiceProcess.StartAsync("ConsentPlatform.Notices", Environment());
            using var org = directory.CreateClient();
            org.DefaultRequestHeaders.Authorization = new("Bearer", key);
            using var noticesClient = notices.CreateClient();
            noticesClient.DefaultRequestHeaders.Authorization = new("Bearer", key);

            Assert.Equal(HttpStatusCode.OK, (await org.PutAsJsonAsync("/api/directory/organization", new { legalName = "Distributed Caller K.K.", contactEmail = "ops@caller.example" })).StatusCode);
            var added = await org.PostAsJsonAsync("/api/directory/numbers", new
            {
                phoneNumber = "090-4444-0001", department = "Sales", purposes = new[] { "Renewal" }, callingHoursStart = "09:00", callingHoursEnd = "18:00",
            });
            Assert.Equal(HttpStatusCode.Created, added.StatusCode);
            var id = (await added.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
            var started = await (await org.PostAsync($"/api/directory/numbers/{id}/verification", null)).Content.ReadFromJsonAsync<JsonElement>();
            var requestId = started.GetProperty("requestId").GetGuid();
            await Eventually.AssertAsync(() => codes.ContainsKey(requestId), TimeSpan.FromSeconds(20),
                $"the SendVerificationCode command crosses the broker; directory output:\n{directory.Output}");

            // Not yet verified: Notices must not accept it.
            Assert.DoesNotContain("+819044440001", await CallingNumbersAsync(noticesClient));

            var confirmed = await org.PostAsJsonAsync($"/api/directory/numbers/{id}/verification/code", new { code = codes[requestId] });
            Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
            await Eventually.AssertAsync(async () => (await CallingNumbersAsync(noticesClient)).Contains("+819044440001"), TimeSpan.FromSeconds(20),
                $"Notices accepts the published number; notices output:\n{notices.Output}");

            Assert.Equal(HttpStatusCode.OK, (await org.PostAsync($"/api/directory/numbers/{id}/withdrawal", null)).StatusCode);
            await Eventually.AssertAsync(async () => !(await CallingNumbersAsync(noticesClient)).Contains("+819044440001"), TimeSpan.FromSeconds(20),
                $"Notices refuses the withdrawn number; notices output:\n{notices.Output}");
        }
        finally
        {
            await listener.StopAsync();
        }
    }

    public void Dispose() => _run.Dispose();
}
