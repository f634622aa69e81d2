using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using ConsentPlatform.Contracts;
using ConsentPlatform.Telephony;
using ConsentPlatform.Testing;
using Xunit.Abstractions;

namespace ConsentPlatform.Host.Tests;

/// <summary>
/// Responses issue, acceptance 5: the recipient presses "stop" on the short link's page (Responses,
/// its own process) and Notices (another process) refuses the next notice, over RabbitMQ. The
/// time from the POST to Notices' gate answering opted_out is measured over 1,000 opt-outs.
/// </summary>
[Collection(RabbitMqFixture.CollectionName)]
public sealed partial class OptOutPropagationTests(RabbitMqFixture rabbit, ITestOutputHelper output) : IDisposable
{
    private const int Total = 1_000;
    private const int InFlight = 8;
    private const string CallingNumber = "+81312345678";
    private const string PhoneBrowser = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
    private readonly DistributedRun _run = new(rabbit.Node, "cp-propagation-", [.. Enumerable.Range(21, 32).Select(i => (byte)i)]);

    // The product's defaults (outbox poll, prefetch) apart from what a test run needs.
    private Dictionary<string, string?> Environment()
    {
        var environment = _run.Environment();
        environment["Logging__LogLevel__Default"] = "Warning";
        return environment;
    }

    [GeneratedRegex("name=\"__formToken\" value=\"([^\"]+)\"")]
    private static partial Regex FormToken();

    [BrokerFact]
    public async Task Stop_pressed_on_the_short_link_makes_notices_refuse_the_number_and_the_latency_is_reported()
    {
        var (organization, apiKey) = await _run.CreateKeyAsync("Propagation K.K.", "notices");
        await using var responses = await ServiceProcess.StartAsync("ConsentPlatform.Responses", Environment());
        await using var notices = await ServiceProcess.StartAsync("ConsentPlatform.Notices", Environment());
        using var dialer = notices.CreateClient();
        dialer.DefaultRequestHeaders.Authorization = new("Bearer", apiKey);
        var bus = await rabbit.Node.StartPublisherAsync();
        var hasher = new PhoneNumberHasher(DistributedRun.HashKeyId, _run.HashKey);
        // Noon in Tokyo tomorrow: quiet hours never decide these checks, whenever the test runs.
        var noon = new DateTimeOffset(DateTimeOffset.UtcNow.UtcDateTime.Date.AddDays(1).AddHours(3), TimeSpan.Zero);
        try
        {
            // What Consent, Directory and Notices would have published before anyone is called.
            var numbers = Enumerable.Range(0, Total).Select(i => PhoneNumbers.Parse($"090-{6000 + i / 10_000:0000}-{i % 10_000:0000}").Number).ToArray();
            var codes = numbers.Select((_, i) => $"prop{i:0000}x{Guid.NewGuid():N}"[..20]).ToArray();
            await bus.Publish(new CallerNumberPublished { OrganizationId = organization, CallerNumberId = Guid.NewGuid(), PhoneNumber = CallingNumber, PublishedAt = DateTimeOffset.UtcNow });
            // Notices checks a purpose against the organization's events, as Consent announces them.
            await bus.Publish(new EventPurposeSaved { EventId = "ev_propagation", OrganizationId = organization, Purpose = "sales", SavedAt = DateTimeOffset.UtcNow });
            for (var i = 0; i < Total; i++)
            {
                var hash = hasher.Hash(numbers[i]);
                await bus.Publish(new ConsentRecorded
                {
                    ConsentId = Guid.NewGuid(), OrganizationId = organization, Channel = Channels.Sms, Purpose = "sales", ContactHash = hash, RecordedAt = DateTimeOffset.UtcNow,
                });
                await bus.Publish(new ResponseLinkIssued
                {
                    Code = codes[i], NoticeId = Guid.NewGuid(), OrganizationId = organization, MaskedNumber = numbers[i].FormatMasked(), ContactHash = hash,
                    Topic = "New plan", CallerName = "Yamada", IssuedAt = DateTimeOffset.UtcNow,
                });
            }

            using var browser = responses.CreateClient();
            browser.DefaultRequestHeaders.UserAgent.ParseAdd(PhoneBrowser);
            await Eventually.AssertAsync(async () => (await GateAsync(dialer, numbers[^1], noon)).Allowed &&
                (await browser.GetAsync($"/r/{codes[^1]}?lang=en")).StatusCode == HttpStatusCode.OK,
                TimeSpan.FromSeconds(60), $"consents reach Notices and links reach Responses;\nnotices:\n{notices.Output}\nresponses:\n{responses.Output}");

            var latencies = new double[Total];
            var next = -1;
            await Task.WhenAll(Enumerable.Range(0, InFlight).Select(async _ =>
            {
                for (var i = Interlocked.Increment(ref next); i < Total; i = Interlocked.Increment(ref next))
                {
                    var page = await browser.GetStringAsync($"/r/{codes[i]}?lang=en");
                    var clock = Stopwatch.StartNew();
                    var posted = await browser.PostAsync($"/r/{codes[i]}", new FormUrlEncodedContent(
                    [
                        new("__formToken", WebUtility.HtmlDecode(FormToken().Match(page).Groups[1].Value)), new("preferredContact", "no_further_contact"), new("lang", "en"),
                    ]));
                    Assert.True(posted.StatusCode == HttpStatusCode.OK, $"stop {i}: {(int)posted.StatusCode}");
                    var number = numbers[i];
                    await Eventually.AssertAsync(async () => (await GateAsync(dialer, number, noon)).Reason == "opted_out", TimeSpan.FromSeconds(30),
                        $"stop {i} reaches Notices;\nnotices:\n{notices.Output}\nresponses:\n{responses.Output}", pollInterval: TimeSpan.FromMilliseconds(2));
                    latencies[i] = clock.Elapsed.TotalMilliseconds;
                }
            }));

            Array.Sort(latencies);
            double Percentile(double p) => latencies[(int)Math.Ceiling(p / 100 * latencies.Length) - 1];
            output.WriteLine($"POST stop → Notices refuses (opted_out), {Total} opt-outs, {InFlight} at a time, RabbitMQ, separate processes, gate polled every 2 ms: " +
                $"p50 {Percentile(50):0.0} ms, p90 {Percentile(90):0.0} ms, p99 {Percentile(99):0.0} ms, max {latencies[^1]:0.0} ms");
        }
        finally
        {
            await bus.StopAsync();
        }
    }

    private static async Task<(bool Allowed, string? Reason)> GateAsync(HttpClient dialer, PhoneNumber number, DateTimeOffset at)
    {
        var response = await dialer.PostAsJsonAsync("/api/notices/gate/checks", new { phoneNumber = number.E164, callingNumber = CallingNumber, purpose = "sales", at });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.IsSuccessStatusCode, body.ToString());
        return (body.GetProperty("allowed").GetBoolean(), body.TryGetProperty("reason", out var reason) && reason.ValueKind == JsonValueKind.String ? reason.GetString() : null);
    }

    public void Dispose() => _run.Dispose();
}
