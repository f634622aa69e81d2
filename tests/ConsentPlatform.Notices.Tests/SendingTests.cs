using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ConsentPlatform.Contracts;
using ConsentPlatform.Notices.Calls;
using ConsentPlatform.Testing;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace ConsentPlatform.Notices.Tests;

/// <summary>Notices sending through the fake Twilio over real HTTP (Notices on Kestrel so callbacks reach it).</summary>
public sealed class SendingTests : IAsyncLifetime
{
    private const string CallingNumber = "+81312345678";
    private FakeTwilio _twilio = null!;

    public async Task InitializeAsync() => _twilio = await FakeTwilio.StartAsync();

    public async Task DisposeAsync() => await _twilio.DisposeAsync();

    private NoticesFactory StartNotices(double ratePerSecond, int timeoutSeconds = 10, IDictionary<string, string?>? more = null)
    {
        var port = FreePort.Next();
        var settings = new Dictionary<string, string?>
        {
            ["Sms:Provider"] = "Twilio", ["Sms:Twilio:AccountSid"] = FakeTwilio.AccountSid, ["Sms:Twilio:AuthToken"] = FakeTwilio.AuthToken,
            ["Sms:Twilio:From"] = "+15005550006", ["Sms:Twilio:BaseUrl"] = _twilio.BaseAddress.ToString(),
            ["Notices:PublicBaseUrl"] = $"http://127.0.0.1:{port}", ["Notices:ShortLinkBaseUrl"] = "https://links.example.test/r/",
            ["Sms:RatePerSecond"] = ratePerSecond.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Sms:RequestTimeoutSeconds"] = timeoutSeconds.ToString(), ["Sms:SendConcurrency"] = "8",
        };
        foreach (var (key, value) in more ?? new Dictionary<string, string?>()) settings[key] = value;
        var factory = new NoticesFactory(settings);
        factory.UseKestrel(port);
        factory.KestrelAddress = new Uri($"http://127.0.0.1:{port}");
        factory.StartServer();
        return factory;
    }

    private static async Task<CallView> PlanAsync(HttpClient client, string number, string topic = "新サービスのご案内")
    {
        var response = await client.PostAsJsonAsync("/api/notices/calls", new { phoneNumber = number, callerName = "山田", topic, callingNumber = CallingNumber, purpose = "sales" });
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<CallView>(JsonSerializerOptions.Web))!;
    }

    [Fact]
    public async Task Plan_a_call_sends_a_pre_call_sms_and_an_opt_out_from_another_service_refuses_the_next_call()
    {
        await using var notices = StartNotices(ratePerSecond: 20);
        var (org, client) = await notices.CreateOrganizationAsync("株式会社アクメ");
        await notices.PublishCallingNumberAsync(org, CallingNumber);
        await notices.RecordSmsConsentAsync(org, "090-1111-2222");

        var call = await PlanAsync(client, "090-1111-2222");
        var link = call.Notices[0].Link!;
        await Eventually.AssertAsync(() => _twilio.Accepted.Any(m => m.Body.Contains(link)), TimeSpan.FromSeconds(15), "the fake receives the pre-call SMS");
        var sms = _twilio.Accepted.Single(m => m.Body.Contains(link));
        Assert.Equal("+819011112222", sms.To);
        Assert.Contains("株式会社アクメ", sms.Body);
        Assert.Contains("山田", sms.Body);
        Assert.Contains("新サービスのご案内", sms.Body);
        Assert.Contains("03-1234-5678", sms.Body);
        // The signed status callbacks move the notice to delivered.
        await Eventually.AssertAsync(async () => (await client.GetFromJsonAsync<CallView>($"/api/notices/calls/{call.Id}", JsonSerializerOptions.Web))!.Notices[0].Status == "delivered",
            TimeSpan.FromSeconds(15), "the status callbacks reach the notice");

        await notices.Bus.Publish(new OptOutRequested
        {
            RequestId = Guid.NewGuid(), ContactHash = notices.HashOf("090-1111-2222"), OrganizationId = org, Source = "responses", RequestedAt = notices.Clock.Now,
        });
        await Eventually.AssertAsync(() => notices.Index.Find(notices.HashOf("090-1111-2222")).Suppressions.Length > 0, TimeSpan.FromSeconds(10), "opt-out replicated");
        var next = await client.PostAsJsonAsync("/api/notices/calls", new { phoneNumber = "090-1111-2222", callerName = "山田", topic = "新サービスのご案内", callingNumber = CallingNumber, purpose = "sales" });
        Assert.Equal(HttpStatusCode.Conflict, next.StatusCode);
        await Task.Delay(500);
        Assert.Single(_twilio.Accepted);
    }

    [Theory]
    [InlineData("opted_out")]
    [InlineData("quiet_hours")]
    [InlineData("call_time_passed")]
    public async Task A_notice_still_queued_when_the_recipient_says_no_quiet_hours_begin_or_its_call_is_past_is_refused_at_send_time_and_never_sent(string reason)
    {
        await using var notices = StartNotices(ratePerSecond: 20);
        var (org, client) = await notices.CreateOrganizationAsync();
        await notices.PublishCallingNumberAsync(org, CallingNumber);
        await notices.RecordSmsConsentAsync(org, "090-3333-0100");
        // The provider throttles, so the notice waits in the queue for its next attempt.
        var throttled = true;
        _twilio.NextFault = () => Volatile.Read(ref throttled) ? FakeFault.TooManyRequests : FakeFault.None;

        var call = await PlanAsync(client, "090-3333-0100");
        Assert.Null(call.Notices[0].Reason);
        await Eventually.AssertAsync(async () => (await OutgoingAsync(notices, call.Notices[0].Id)) is ("pending", "20429", _), TimeSpan.FromSeconds(20),
            "the throttled notice waits for its next attempt");

        if (reason == "opted_out")
        {
            await notices.Bus.Publish(new OptOutRequested
            {
                RequestId = Guid.NewGuid(), ContactHash = notices.HashOf("090-3333-0100"), OrganizationId = org, Source = "responses", RequestedAt = notices.Clock.Now,
            });
            await Eventually.AssertAsync(() => notices.Index.Find(notices.HashOf("090-3333-0100")).Suppressions.Length > 0, TimeSpan.FromSeconds(10), "opt-out replicated");
            notices.Clock.Now = notices.Clock.Now.AddMinutes(5); // the next attempt is due, still in the afternoon in Tokyo
        }
        else if (reason == "quiet_hours")
        {
            notices.Clock.Now = notices.Clock.Now.AddHours(9.5); // 21:30 in Tokyo: past the default window
        }
        else
        {
            notices.Clock.Now = notices.Clock.Now.AddMinutes(30); // past the call planned for now, beyond the 10-minute grace
        }
        Volatile.Write(ref throttled, false);

        await Eventually.AssertAsync(async () => (await OutgoingAsync(notices, call.Notices[0].Id)).Status == "cancelled", TimeSpan.FromSeconds(20),
            "the queued message is cancelled when its turn comes");
        Assert.Equal(reason, (await OutgoingAsync(notices, call.Notices[0].Id)).ErrorCode);
        var notice = (await client.GetFromJsonAsync<CallView>($"/api/notices/calls/{call.Id}", JsonSerializerOptions.Web))!.Notices[0];
        Assert.Equal(("refused", reason), (notice.Status, notice.Reason));
        Assert.Empty(_twilio.Accepted);
    }

    [Fact]
    public async Task The_send_queue_shows_each_organization_its_own_waiting_notices_and_the_wait_at_the_sending_rate()
    {
        await using var notices = StartNotices(ratePerSecond: 2);
        var (org, client) = await notices.CreateOrganizationAsync();
        var (other, otherClient) = await notices.CreateOrganizationAsync("Other K.K.");
        await notices.PublishCallingNumberAsync(org, CallingNumber);
        await notices.PublishCallingNumberAsync(other, CallingNumber);
        var empty = await client.GetFromJsonAsync<JsonElement>("/api/notices/sending");
        Assert.Equal((0, JsonValueKind.Null), (empty.GetProperty("waiting").GetInt64(), empty.GetProperty("oldestWaitingSince").ValueKind));
        // Throttled by the provider, so everything planned stays in the queue.
        _twilio.NextFault = () => FakeFault.TooManyRequests;
        foreach (var i in Enumerable.Range(0, 3))
        {
            await notices.RecordSmsConsentAsync(org, $"090-3333-02{i:00}");
            await PlanAsync(client, $"090-3333-02{i:00}");
        }
        await notices.RecordSmsConsentAsync(other, "090-3333-0299");
        await PlanAsync(otherClient, "090-3333-0299");

        var status = await client.GetFromJsonAsync<JsonElement>("/api/notices/sending");
        Assert.Equal(3, status.GetProperty("waiting").GetInt64());
        Assert.Equal(2, status.GetProperty("ceilingPerSecond").GetDouble());
        var sending = 2 * 1000.0 / (1000 + notices.Services.GetRequiredService<NoticesOptions>().RateJitterMilliseconds);
        Assert.Equal(Math.Round(sending, 2), status.GetProperty("sendingRatePerSecond").GetDouble());
        Assert.Equal(Math.Round(4 / sending, 1), status.GetProperty("estimatedWaitSeconds").GetDouble(), 1);
        Assert.Equal(JsonValueKind.String, status.GetProperty("oldestWaitingSince").ValueKind);
        Assert.Equal(1, (await otherClient.GetFromJsonAsync<JsonElement>("/api/notices/sending")).GetProperty("waiting").GetInt64());
    }

    private async Task<(string Status, string? ErrorCode, string? Sid)> OutgoingAsync(NoticesFactory notices, Guid noticeId)
    {
        await using var connection = await notices.Services.GetRequiredService<NoticesDatabase>().OpenAsync();
        return await connection.QuerySingleAsync<(string, string?, string?)>("SELECT status, error_code, provider_sid FROM outgoing_messages WHERE notice_id = @id",
            new { id = noticeId.ToString() });
    }

    [Fact]
    public async Task A_send_that_times_out_after_the_provider_took_it_is_found_by_listing_messages_and_not_sent_again()
    {
        await using var notices = StartNotices(ratePerSecond: 20, timeoutSeconds: 1);
        var (org, client) = await notices.CreateOrganizationAsync();
        await notices.PublishCallingNumberAsync(org, CallingNumber);
        await notices.RecordSmsConsentAsync(org, "090-3333-0001");
        // Taken but never answered, and no status callback either: only the list lookup can tell.
        _twilio.SendCallbacks = false;
        var faults = 0;
        _twilio.NextFault = () => Interlocked.Increment(ref faults) == 1 ? FakeFault.HangAfterAccepting : FakeFault.None;

        var call = await PlanAsync(client, "090-3333-0001");

        await Eventually.AssertAsync(async () => (await OutgoingAsync(notices, call.Notices[0].Id)).Status == "sent", TimeSpan.FromSeconds(20),
            "the lookup finds the message the provider took");
        var accepted = Assert.Single(_twilio.Accepted);
        Assert.Equal(accepted.Sid, (await OutgoingAsync(notices, call.Notices[0].Id)).Sid);
        Assert.True(_twilio.Lookups >= 1, "resolved by a lookup");
        Assert.Single(_twilio.Arrivals);
        var notice = (await client.GetFromJsonAsync<CallView>($"/api/notices/calls/{call.Id}", JsonSerializerOptions.Web))!.Notices[0];
        Assert.Equal("sent", notice.Status);
    }

    [Fact]
    public async Task A_send_whose_outcome_stays_unknown_is_marked_failed_after_the_lookup_window_and_never_sent_again()
    {
        await using var notices = StartNotices(ratePerSecond: 20, timeoutSeconds: 1, new Dictionary<string, string?> { ["Sms:LookupGiveUpSeconds"] = "60" });
        var (org, client) = await notices.CreateOrganizationAsync();
        await notices.PublishCallingNumberAsync(org, CallingNumber);
        await notices.RecordSmsConsentAsync(org, "090-3333-0002");
        _twilio.SendCallbacks = false;
        // Lost on the way in: the provider never had it, but we cannot know that, so we must not send again.
        _twilio.NextFault = () => FakeFault.HangWithoutAccepting;

        var call = await PlanAsync(client, "090-3333-0002");
        await Eventually.AssertAsync(() => _twilio.Lookups >= 1, TimeSpan.FromSeconds(20), "the unanswered send is looked up");
        Assert.Equal("unknown", (await OutgoingAsync(notices, call.Notices[0].Id)).Status);
        notices.Clock.Now = notices.Clock.Now.AddMinutes(2); // past the lookup window

        await Eventually.AssertAsync(async () => (await OutgoingAsync(notices, call.Notices[0].Id)).Status == "failed", TimeSpan.FromSeconds(20),
            "the message is given up as failed");
        Assert.Equal("outcome_unknown", (await OutgoingAsync(notices, call.Notices[0].Id)).ErrorCode);
        Assert.Single(_twilio.Arrivals);
        Assert.Empty(_twilio.Accepted);
        var notice = (await client.GetFromJsonAsync<CallView>($"/api/notices/calls/{call.Id}", JsonSerializerOptions.Web))!.Notices[0];
        Assert.Equal("failed", notice.Status);
    }

    [Fact]
    public async Task Under_429s_5xx_and_timeouts_a_thousand_notices_are_each_delivered_exactly_once_within_the_rate()
    {
        const int total = 1_000;
        const double rate = 100;
        // 3 s, not 1: on a busy CI machine the fake can take over a second to accept a request, and a
        // send that times out before the provider took it is (rightly) never sent again (R18), which
        // would fail this test for a reason it does not test.
        await using var notices = StartNotices(rate, timeoutSeconds: 3);
        var (org, client) = await notices.CreateOrganizationAsync();
        await notices.PublishCallingNumberAsync(org, CallingNumber);
        await client.PutAsJsonAsync("/api/notices/settings", new { allowedFrom = "00:00", allowedUntil = "23:59", frequencyCap = 10, frequencyWindowHours = 1 });
        var numbers = Enumerable.Range(0, total).Select(i => $"+8190{20000000 + i}").ToList();
        // Setup, not under test here (the consumers are, in GateTests): one transaction instead of a thousand fsyncs.
        await notices.SeedSmsConsentsAsync(org, numbers);

        // 30% 429; 10% 5xx and timeouts: 4% 503 (not taken), 3% 500 after taking it, 3% taken and never answered (timeout after the request was sent).
        var random = new Random(17);
        _twilio.NextFault = () =>
        {
            lock (random)
            {
                var roll = random.NextDouble();
                return roll switch
                {
                    < 0.30 => FakeFault.TooManyRequests,
                    < 0.34 => FakeFault.ServiceUnavailable,
                    < 0.37 => FakeFault.ErrorAfterAccepting,
                    < 0.40 => FakeFault.HangAfterAccepting,
                    _ => FakeFault.None,
                };
            }
        };
        // Planned by several reps at once, as a dialer does: the sends overlap the planning.
        var links = new string[total];
        await Parallel.ForEachAsync(Enumerable.Range(0, total), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
        {
            var call = await PlanAsync(client, numbers[i]);
            Assert.Null(call.Notices[0].Reason);
            links[i] = call.Notices[0].Link!;
        });
        var database = notices.Services.GetRequiredService<NoticesDatabase>();
        async Task<long> SettledAsync()
        {
            await using var connection = await database.OpenAsync();
            return await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM outgoing_messages WHERE status IN ('queued', 'sent', 'delivered')");
        }
        try
        {
            await Eventually.AssertAsync(async () => await SettledAsync() == total, TimeSpan.FromMinutes(6), "every notice is accepted by the provider", TimeSpan.FromSeconds(1));
        }
        finally
        {
            await using var connection = await database.OpenAsync();
            var counts = await connection.QueryAsync<(string, string?, long)>("SELECT status, error_code, COUNT(*) FROM outgoing_messages GROUP BY status, error_code");
            Console.WriteLine($"fake accepted {_twilio.Accepted.Count}, arrivals {_twilio.Arrivals.Count}; " + string.Join(", ", counts.Select(c => $"{c.Item1}/{c.Item2}: {c.Item3}")));
        }
        await Task.Delay(TimeSpan.FromSeconds(2)); // room for a duplicate to show up

        var accepted = _twilio.Accepted.ToList();
        var perNotice = links.ToDictionary(l => l, l => accepted.Count(m => m.Body.Contains(l)));
        Assert.All(perNotice, p => Assert.True(p.Value == 1, $"{p.Key} was delivered {p.Value} times"));
        Assert.Equal(total, accepted.Count);

        var arrivals = _twilio.Arrivals.Order().ToArray();
        var second = Stopwatch.Frequency;
        var worst = 0;
        for (int i = 0, j = 0; i < arrivals.Length; i++)
        {
            while (arrivals[i] - arrivals[j] >= second) j++;
            worst = Math.Max(worst, i - j + 1);
        }
        Assert.True(worst <= rate, $"{worst} requests reached the provider within one second; the limit is {rate}");
        Assert.True(arrivals.Length > total, "faults were injected and retried");
    }
}
