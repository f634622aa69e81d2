using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ConsentPlatform.Contracts;
using ConsentPlatform.Notices.Calls;
using ConsentPlatform.ServiceDefaults.Identity;
using ConsentPlatform.Telephony;
using ConsentPlatform.Testing;
using MassTransit;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;

namespace ConsentPlatform.Notices.Tests;

[CollectionDefinition(RabbitMqFixture.CollectionName)]
public sealed class RabbitMqCollection : RabbitMqCollectionDefinition;

/// <summary>Acceptance 1 over RabbitMQ: Notices as its own process, the test process standing in for Directory, Consent and Responses.</summary>
[Collection(RabbitMqFixture.CollectionName)]
public sealed class DistributedNoticesTests(RabbitMqFixture rabbit) : IDisposable
{
    private const string CallingNumber = "+81312345678";
    private const string Recipient = "090-5555-0001";
    private static readonly TimeZoneInfo Tokyo = TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo");
    private readonly DistributedRun _run = new(rabbit.Node, "cp-notices-distributed-", NoticesFactory.HashKey);

    private Dictionary<string, string?> Environment(FakeTwilio twilio)
    {
        var environment = _run.Environment();
        environment["Outbox__PollMilliseconds"] = "50";
        environment["Sms__Provider"] = "Twilio";
        environment["Sms__Twilio__AccountSid"] = FakeTwilio.AccountSid;
        environment["Sms__Twilio__AuthToken"] = FakeTwilio.AuthToken;
        environment["Sms__Twilio__From"] = "+15005550006";
        environment["Sms__Twilio__BaseUrl"] = twilio.BaseAddress.ToString();
        environment["Sms__PollMilliseconds"] = "50";
        // Required with Twilio; the fake sends no callbacks here, so nothing needs to listen on it.
        environment["Notices__PublicBaseUrl"] = "http://127.0.0.1:9";
        environment["Notices__ShortLinkBaseUrl"] = "https://links.example.test/r/";
        return environment;
    }

    /// <summary>The test's own connection to the broker: another process than Notices publishing what Directory, Consent and Responses would.</summary>
    private async Task<IBusControl> ConnectAsync(Action<IRabbitMqReceiveEndpointConfigurator>? listen = null)
    {
        var node = rabbit.Node;
        var bus = MassTransit.Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host(node.Host, (ushort)node.Port, node.VirtualHost, h =>
            {
                h.Username(node.Username);
                h.Password(node.Password);
                h.PublisherConfirmation = true;
            });
            if (listen is not null)
                cfg.ReceiveEndpoint("notices-tests-" + Guid.NewGuid().ToString("N"), e =>
                {
                    e.AutoDelete = true;
                    listen(e);
                });
        });
        using var start = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await bus.StartAsync(start.Token);
        return bus;
    }

    /// <summary>The service runs on real time: a contact window from two hours before now to two after, in Tokyo (it may run over midnight).</summary>
    private static object AroundNow()
    {
        var tokyo = TimeOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, Tokyo).DateTime);
        return new { allowedFrom = tokyo.AddHours(-2).ToString("HH:mm"), allowedUntil = tokyo.AddHours(2).ToString("HH:mm"), frequencyCap = 10, frequencyWindowHours = 24 };
    }

    /// <summary>
    /// Publishing returns once the broker confirmed routing to Notices' queue; the queue's count
    /// (ready plus unacknowledged) drops to zero once Notices consumed and acknowledged it.
    /// </summary>
    private Task ConsumedAsync(ServiceProcess notices, string what) => Eventually.AssertAsync(
        async () => await rabbit.Node.GetQueueMessageCountAsync("notices-replica") == 0, TimeSpan.FromSeconds(20), $"{what} is consumed; notices output:\n{notices.Output}");

    private static Task<HttpResponseMessage> PostCallAsync(HttpClient client, string recipient = Recipient) =>
        client.PostAsJsonAsync("/api/notices/calls", new { phoneNumber = recipient, callerName = "山田", topic = "新サービスのご案内", callingNumber = CallingNumber, purpose = "sales" });

    private static async Task<CallView> PlanAsync(HttpClient client, string recipient = Recipient)
    {
        var response = await PostCallAsync(client, recipient);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<CallView>(JsonSerializerOptions.Web))!;
    }

    /// <summary>What Consent publishes when the organization's event with purpose "sales" is saved.</summary>
    private static Task DeclareSalesAsync(IBus bus, string org) =>
        bus.Publish(new EventPurposeSaved { EventId = "ev_" + org, OrganizationId = org, Purpose = "sales", SavedAt = DateTimeOffset.UtcNow });

    [BrokerFact]
    public async Task A_planned_call_texts_the_recipient_through_twilio_and_an_opt_out_published_by_another_process_refuses_the_next()
    {
        var (org, key) = await _run.CreateKeyAsync("株式会社分散");
        await using var twilio = await FakeTwilio.StartAsync();
        twilio.SendCallbacks = false;
        var bus = await ConnectAsync();
        try
        {
            await using var notices = await ServiceProcess.StartAsync("ConsentPlatform.Notices", Environment(twilio));
            using var client = notices.CreateClient();
            client.DefaultRequestHeaders.Authorization = new("Bearer", key);
            var hash = new PhoneNumberHasher("k1", NoticesFactory.HashKey).Hash(PhoneNumbers.Parse(Recipient).Number);

            await bus.Publish(new CallerNumberPublished
            {
                OrganizationId = org, CallerNumberId = Guid.NewGuid(), PhoneNumber = CallingNumber, Department = "Sales", PublishedAt = DateTimeOffset.UtcNow,
            });
            await bus.Publish(new ConsentRecorded
            {
                ConsentId = Guid.NewGuid(), OrganizationId = org, Channel = Channels.Sms, Purpose = "sales", ContactHash = hash, RecordedAt = DateTimeOffset.UtcNow.AddDays(-1),
            });
            await DeclareSalesAsync(bus, org);
            await ConsumedAsync(notices, "the calling number, the purpose and the consent");
            // The test runs at any hour: open the window to the whole day (the last minute of it excepted, so wait that one out).
            var tokyo = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, Tokyo);
            if (tokyo.Hour == 23 && tokyo.Minute >= 58) await Task.Delay(TimeSpan.FromMinutes(2.1));
            Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync("/api/notices/settings",
                AroundNow())).StatusCode);

            var call = await PlanAsync(client);
            Assert.Null(call.Notices[0].Reason);
            var link = call.Notices[0].Link!;
            await Eventually.AssertAsync(() => twilio.Accepted.Any(m => m.Body.Contains(link)), TimeSpan.FromSeconds(20),
                $"the fake Twilio receives the pre-call SMS; notices output:\n{notices.Output}");
            var sms = Assert.Single(twilio.Accepted);
            Assert.Equal("+819055550001", sms.To);
            Assert.Equal("+15005550006", sms.From);
            Assert.Contains("株式会社分散", sms.Body);
            Assert.Contains("山田", sms.Body);
            Assert.Contains("新サービスのご案内", sms.Body);

            await bus.Publish(new OptOutRequested
            {
                RequestId = Guid.NewGuid(), ContactHash = hash, OrganizationId = org, Source = "responses", RequestedAt = DateTimeOffset.UtcNow,
            });
            await ConsumedAsync(notices, "the opt-out");

            // The opt-out stops every channel, so the call itself is refused: nothing planned, nothing queued.
            var next = await PostCallAsync(client);
            Assert.Equal(HttpStatusCode.Conflict, next.StatusCode);
            // Room for a wrongly queued SMS to reach the fake (the worker polls every 50 ms).
            await Task.Delay(TimeSpan.FromSeconds(1));
            Assert.Single(twilio.Accepted);
        }
        finally
        {
            await bus.StopAsync();
        }
    }

    [BrokerFact]
    public async Task Signed_status_callbacks_move_a_notice_in_another_process_to_delivered_or_to_failed_with_the_error_code()
    {
        var (org, key) = await _run.CreateKeyAsync("株式会社コールバック");
        await using var twilio = await FakeTwilio.StartAsync();
        const string unreachable = "090-5555-0003";
        // Twilio 30003 (unreachable handset) for one recipient, delivered for the other.
        twilio.CallbackStatuses = m => m.To == "+819055550003" ? [("sent", null), ("failed", "30003")] : [("sent", null), ("delivered", null)];
        var changes = new System.Collections.Concurrent.ConcurrentQueue<CallNoticeDeliveryChanged>();
        var bus = await ConnectAsync(e => e.Handler<CallNoticeDeliveryChanged>(context =>
        {
            changes.Enqueue(context.Message);
            return Task.CompletedTask;
        }));
        try
        {
            var environment = Environment(twilio);
            // Notices' public address, as behind a reverse proxy: the StatusCallback and its signature name it; the fake delivers to the process.
            environment["Notices__PublicBaseUrl"] = "https://notices.example.test";
            await using var notices = await ServiceProcess.StartAsync("ConsentPlatform.Notices", environment);
            twilio.DeliverCallbacksTo = notices.BaseAddress;
            using var client = notices.CreateClient();
            client.DefaultRequestHeaders.Authorization = new("Bearer", key);
            var hasher = new PhoneNumberHasher("k1", NoticesFactory.HashKey);

            await bus.Publish(new CallerNumberPublished
            {
                OrganizationId = org, CallerNumberId = Guid.NewGuid(), PhoneNumber = CallingNumber, Department = "Sales", PublishedAt = DateTimeOffset.UtcNow,
            });
            foreach (var recipient in new[] { Recipient, unreachable })
                await bus.Publish(new ConsentRecorded
                {
                    ConsentId = Guid.NewGuid(), OrganizationId = org, Channel = Channels.Sms, Purpose = "sales", ContactHash = hasher.Hash(PhoneNumbers.Parse(recipient).Number),
                    RecordedAt = DateTimeOffset.UtcNow.AddDays(-1),
                });
            await DeclareSalesAsync(bus, org);
            await ConsumedAsync(notices, "the calling number, the purpose and the consents");
            var tokyo = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, Tokyo);
            if (tokyo.Hour == 23 && tokyo.Minute >= 58) await Task.Delay(TimeSpan.FromMinutes(2.1));
            Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync("/api/notices/settings",
                AroundNow())).StatusCode);

            var delivered = await PlanAsync(client);
            var failed = await PlanAsync(client, unreachable);
            async Task<string> StatusAsync(CallView call) =>
                (await client.GetFromJsonAsync<CallView>($"/api/notices/calls/{call.Id}", JsonSerializerOptions.Web))!.Notices[0].Status;

            await Eventually.AssertAsync(async () => await StatusAsync(delivered) == "delivered", TimeSpan.FromSeconds(30),
                $"the signed callbacks move the notice to delivered; notices output:\n{notices.Output}");
            await Eventually.AssertAsync(async () => await StatusAsync(failed) == "failed", TimeSpan.FromSeconds(30),
                $"the signed callbacks move the other notice to failed; notices output:\n{notices.Output}");
            Assert.All(twilio.Accepted, m => Assert.StartsWith("https://notices.example.test/notices/webhooks/twilio/status", m.StatusCallback));
            // The failure and its code reach the other services (Responses, reporting) over the broker.
            await Eventually.AssertAsync(() => changes.Any(c => c.NoticeId == failed.Notices[0].Id && c.Status == "failed"), TimeSpan.FromSeconds(20),
                "CallNoticeDeliveryChanged(failed) crosses the broker");
            Assert.Equal("30003", changes.Single(c => c.NoticeId == failed.Notices[0].Id && c.Status == "failed").ErrorCode);
            // Each change is its own message: the delivered one may cross after the failed one.
            await Eventually.AssertAsync(() => changes.Any(c => c.NoticeId == delivered.Notices[0].Id && c.Status == "delivered" && c.ErrorCode is null),
                TimeSpan.FromSeconds(20), "CallNoticeDeliveryChanged(delivered) crosses the broker");

            // A callback whose signature does not match is refused and changes nothing.
            var forged = new Dictionary<string, string> { ["MessageSid"] = twilio.Accepted.First(m => m.To == "+819055550001").Sid, ["MessageStatus"] = "undelivered" };
            using var request = new HttpRequestMessage(HttpMethod.Post, "/notices/webhooks/twilio/status") { Content = new FormUrlEncodedContent(forged) };
            request.Headers.Add("X-Twilio-Signature", "forged");
            Assert.Equal(HttpStatusCode.Forbidden, (await client.SendAsync(request)).StatusCode);
            Assert.Equal("delivered", await StatusAsync(delivered));
        }
        finally
        {
            await bus.StopAsync();
        }
    }

    public void Dispose() => _run.Dispose();
}
