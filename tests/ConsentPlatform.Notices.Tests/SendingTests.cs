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

    private NoticesFactory StartNotices(double ratePerSecond, int timeoutSeconds = 10)
    {
        var port = FreePort.Next();
        var factory = new NoticesFactory(new Dictionary<string, string?>
        {
            ["Sms:Provider"] = "Twilio", ["Sms:Twilio:AccountSid"] = FakeTwilio.AccountSid, ["Sms:Twilio:AuthToken"] = FakeTwilio.AuthToken,
            ["Sms:Twilio:From"] = "+15005550006", ["Sms:Twilio:BaseUrl"] = _twilio.BaseAddress.ToString(),
            ["Notices:PublicBaseUrl"] = $"http://127.0.0.1:{port}",
            ["Sms:RatePerSecond"] = ratePerSecond.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Sms:RequestTimeoutSeconds"] = timeoutSeconds.ToString(), ["Sms:SendConcurrency"] = "8",
        });
        factory.UseKestrel(port);
        factory.KestrelAddress = new Uri($"http://127.0.0.1:{port}");
        factory.StartServer();
        return factory;
    }

    private static async Task<CallView> PlanAsync(HttpClient client, string number, string topic = "新サービスのご案内")
    {
        var response = await client.PostAsJsonAsync("/api/notices/calls", new { phoneNumber = number, callerName = "山田", topic, callingNumber = CallingNumber });
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<CallView>(JsonSerializerOptions.Web))!;
    }

    [Fact]
    public async Task Plan_a_call_sends_a_pre_call_sms_and_an_opt_out_from_another_service_refuses_the_next()
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
        var next = await PlanAsync(client, "090-1111-2222");
        Assert.Equal(("refused", "opted_out"), (next.Notices[0].Status, next.Notices[0].Reason));
        await Task.Delay(500);
        Assert.Single(_twilio.Accepted);
    }

    [Fact]
    public async Task Under_429s_5xx_and_timeouts_a_thousand_notices_are_each_delivered_exactly_once_within_the_rate()
    {
        const int total = 1_000;
        const double rate = 100;
        await using var notices = StartNotices(rate, timeoutSeconds: 1);
        var (org, client) = await notices.CreateOrganizationAsync();
        await notices.PublishCallingNumberAsync(org, CallingNumber);
        await client.PutAsJsonAsync("/api/notices/settings", new { allowedFrom = "00:00", allowedUntil = "23:59", frequencyCap = 10, frequencyWindowHours = 1 });
        var numbers = Enumerable.Range(0, total).Select(i => $"+8190{20000000 + i}").ToList();
        foreach (var number in numbers)
            await notices.Bus.Publish(new ConsentRecorded
            {
                ConsentId = Guid.NewGuid(), OrganizationId = org, Channel = Channels.Sms, Purpose = "sales", ContactHash = notices.HashOf(number), RecordedAt = notices.Clock.Now.AddDays(-1),
            });
        await Eventually.AssertAsync(() => numbers.All(n => notices.Index.Find(notices.HashOf(n)).Consents.Length > 0), TimeSpan.FromSeconds(60), "all consents replicated");

        // 30% 429, 5% 503, 5% accepted-then-no-answer (timeout after the request was sent).
        var random = new Random(17);
        _twilio.NextFault = () =>
        {
            lock (random)
            {
                var roll = random.NextDouble();
                return roll < 0.30 ? FakeFault.TooManyRequests : roll < 0.35 ? FakeFault.ServiceUnavailable : roll < 0.40 ? FakeFault.HangAfterAccepting : FakeFault.None;
            }
        };
        var links = new List<string>();
        foreach (var number in numbers)
        {
            var call = await PlanAsync(client, number);
            Assert.Null(call.Notices[0].Reason);
            links.Add(call.Notices[0].Link!);
        }

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
