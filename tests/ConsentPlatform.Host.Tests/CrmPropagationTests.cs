using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using ConsentPlatform.Contracts;
using ConsentPlatform.Notices.Sending;
using ConsentPlatform.Notices.Webhooks;
using ConsentPlatform.Responses.Crm;
using ConsentPlatform.Responses.Tests;
using ConsentPlatform.Telephony;
using ConsentPlatform.Testing;
using Xunit.Abstractions;

namespace ConsentPlatform.Host.Tests;

/// <summary>
/// Issue 13, acceptance 5: a person's "no" from one of several channels reaches the organization's CRM webhook, over
/// RabbitMQ with Responses, Consent and Notices each in its own process. 1,000 opt-outs, a third each from the short
/// link's stop button (Responses), a STOP reply to the pre-call SMS (Twilio's signed inbound webhook at Notices) and a
/// call logged as refused (Notices' API); each goes to Consent, whose decision Responses delivers to the fake CRM
/// (real HTTP, signatures checked), which timestamps each delivery on arrival. Latency: arrival minus the moment the
/// action's request was sent. Every opt-out must arrive exactly once; the latency figures and the load average are printed
/// against the 1 s p99 target, not asserted (a benchmark, like the other propagation figures).
/// </summary>
[Collection(RabbitMqFixture.CollectionName)]
public sealed partial class CrmPropagationTests(RabbitMqFixture rabbit, ITestOutputHelper output) : IDisposable
{
    private const int Total = 1_000;
    private const int InFlight = 8;
    private const string Purpose = "sales";
    private const string CallingNumber = "03-1234-5678";
    private const string TwilioToken = "crm-propagation-twilio-token";
    private const string PhoneBrowser = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
    private static readonly string[] Sources = ["responses", "sms_reply", "call_refused"];
    private readonly DistributedRun _run = new(rabbit.Node, "cp-crm-propagation-", [.. Enumerable.Range(61, 32).Select(i => (byte)i)]);

    // The product's defaults (outbox poll, prefetch, CRM worker) apart from what a test run needs.
    private Dictionary<string, string?> Environment()
    {
        var environment = _run.Environment();
        environment["Logging__LogLevel__Default"] = "Warning";
        environment["Responses__Crm__AllowedHosts"] = "127.0.0.1";
        environment["Sms__Twilio__AuthToken"] = TwilioToken;
        return environment;
    }

    [BrokerFact]
    public async Task Opt_outs_from_mixed_channels_reach_the_crm_webhook_exactly_once_and_the_latency_is_reported()
    {
        var (organization, apiKey) = await _run.CreateKeyAsync("CRM Propagation K.K.");
        await using var crm = await FakeCrm.StartAsync();
        await using var consent = await ServiceProcess.StartAsync("ConsentPlatform.Consent", Environment());
        await using var responses = await ServiceProcess.StartAsync("ConsentPlatform.Responses", Environment());
        await using var notices = await ServiceProcess.StartAsync("ConsentPlatform.Notices", Environment());
        string Logs() => $"\nconsent:\n{consent.Output}\nresponses:\n{responses.Output}\nnotices:\n{notices.Output}";
        using var company = responses.CreateClient();
        company.DefaultRequestHeaders.Authorization = new("Bearer", apiKey);
        using var rep = notices.CreateClient();
        rep.DefaultRequestHeaders.Authorization = new("Bearer", apiKey);
        var bus = await rabbit.Node.StartPublisherAsync();
        var hasher = new PhoneNumberHasher(DistributedRun.HashKeyId, _run.HashKey);
        try
        {
            var connector = await company.PostAsJsonAsync("/api/responses/connectors", new { kind = "webhook", name = "Fake CRM", url = crm.Url });
            Assert.True(connector.StatusCode == HttpStatusCode.Created, await connector.Content.ReadAsStringAsync());
            crm.Secret = (await connector.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("signingSecret").GetString()!;
            var settings = await rep.PutAsJsonAsync("/api/notices/settings", new { allowedFrom = "00:00", allowedUntil = "23:59", frequencyCap = 10, frequencyWindowHours = 1 });
            Assert.True(settings.IsSuccessStatusCode, await settings.Content.ReadAsStringAsync());

            // What Consent and Directory would have published before anyone is called: the calling number, the event's
            // purpose and each person's SMS consent (which the CRM hears of first).
            var numbers = Enumerable.Range(0, Total).Select(i => PhoneNumbers.Parse($"090-{6100 + i / 10_000:0000}-{i % 10_000:0000}").Number).ToArray();
            var hashes = numbers.Select(hasher.Hash).ToArray();
            var codes = numbers.Select((_, i) => $"crm{i:0000}x{Guid.NewGuid():N}"[..20]).ToArray();
            await bus.Publish(new CallerNumberPublished { OrganizationId = organization, CallerNumberId = Guid.NewGuid(), PhoneNumber = PhoneNumbers.Parse(CallingNumber).Number.E164, PublishedAt = DateTimeOffset.UtcNow });
            await bus.Publish(new EventPurposeSaved { EventId = "ev_crm_propagation", OrganizationId = organization, Purpose = Purpose, SavedAt = DateTimeOffset.UtcNow });
            for (var i = 0; i < Total; i++)
            {
                await bus.Publish(new ConsentRecorded
                {
                    ConsentId = Guid.NewGuid(), OrganizationId = organization, Channel = Channels.Sms, Purpose = Purpose, ContactHash = hashes[i], RecordedAt = DateTimeOffset.UtcNow,
                });
                if (Channel(i) == "responses")
                    await bus.Publish(new ResponseLinkIssued
                    {
                        Code = codes[i], NoticeId = Guid.NewGuid(), OrganizationId = organization, MaskedNumber = numbers[i].FormatMasked(), ContactHash = hashes[i],
                        Topic = "New plan", CallerName = "Yamada", IssuedAt = DateTimeOffset.UtcNow,
                    });
            }
            await Eventually.AssertAsync(() => crm.Preferences.Count(p => p.Preference.Change.Kind == PreferenceKinds.Consented) >= Total, TimeSpan.FromSeconds(120),
                $"the CRM hears of every consent before the opt-outs start{Logs()}");

            // The replies and refusals answer a call the rep planned, whose pre-call SMS Notices sent.
            var calls = new string?[Total];
            await Parallel.ForEachAsync(Enumerable.Range(0, Total).Where(i => Channel(i) != "responses"), new ParallelOptions { MaxDegreeOfParallelism = InFlight }, async (i, _) =>
                await Eventually.AssertAsync(async () => (calls[i] = await PlanAsync(rep, numbers[i])) is not null, TimeSpan.FromSeconds(60),
                    $"call {i} is planned with its notice once Notices has the consent{Logs()}", TimeSpan.FromMilliseconds(100)));
            using var browser = responses.CreateClient();
            browser.DefaultRequestHeaders.UserAgent.ParseAdd(PhoneBrowser);
            await Eventually.AssertAsync(async () => (await browser.GetAsync($"/r/{codes[0]}?lang=en")).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(60),
                $"the links reach Responses{Logs()}");

            var index = hashes.Select((h, i) => (h, i)).ToDictionary(p => p.h, p => p.i);
            var stops = new int[Total];
            var arrived = new TaskCompletionSource<long>[Total];
            for (var i = 0; i < Total; i++) arrived[i] = new(TaskCreationOptions.RunContinuationsAsynchronously);
            var wrongSource = new ConcurrentQueue<string>();
            crm.PreferenceArrived += (preference, at) =>
            {
                if (preference.Change.Kind != PreferenceKinds.Stopped || preference.ContactHash is null || !index.TryGetValue(preference.ContactHash, out var i)) return;
                Interlocked.Increment(ref stops[i]);
                if (preference.Source != Channel(i)) wrongSource.Enqueue($"{i}: {preference.Source} for {Channel(i)}");
                arrived[i].TrySetResult(at);
            };

            var loadBefore = LoadAverage();
            var latencies = new double[Total];
            var next = -1;
            await Task.WhenAll(Enumerable.Range(0, InFlight).Select(async _ =>
            {
                for (var i = Interlocked.Increment(ref next); i < Total; i = Interlocked.Increment(ref next))
                {
                    var page = Channel(i) == "responses" ? await browser.GetStringAsync($"/r/{codes[i]}?lang=en") : null;
                    var sent = Stopwatch.GetTimestamp();
                    var answer = Channel(i) switch
                    {
                        "responses" => await browser.PostAsync($"/r/{codes[i]}", new FormUrlEncodedContent(
                        [
                            new("__formToken", WebUtility.HtmlDecode(FormToken().Match(page!).Groups[1].Value)), new("preferredContact", "no_further_contact"), new("lang", "en"),
                        ])),
                        "sms_reply" => await ReplyStopAsync(rep, numbers[i]),
                        _ => await rep.PostAsJsonAsync($"/api/notices/calls/{calls[i]}/outcome", new { outcome = "refused" }),
                    };
                    Assert.True(answer.IsSuccessStatusCode, $"opt-out {i} ({Channel(i)}): {(int)answer.StatusCode} {await answer.Content.ReadAsStringAsync()}");
                    var at = await arrived[i].Task.WaitAsync(TimeSpan.FromSeconds(60)).ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : (long?)null);
                    Assert.True(at is not null, $"opt-out {i} ({Channel(i)}) did not reach the CRM within 60 s{Logs()}");
                    latencies[i] = Stopwatch.GetElapsedTime(sent, at.Value).TotalMilliseconds;
                }
            }));

            await Task.Delay(TimeSpan.FromSeconds(3)); // room for a second delivery of any opt-out
            Assert.Equal(0, crm.BadSignatures);
            Assert.Equal(0, crm.Duplicates);
            Assert.Empty(wrongSource);
            Assert.All(Enumerable.Range(0, Total), i => Assert.True(stops[i] == 1, $"opt-out {i} ({Channel(i)}) reached the CRM {stops[i]} times"));

            foreach (var source in Sources)
                output.WriteLine($"  {source}: {Figures(Enumerable.Range(0, Total).Where(i => Channel(i) == source).Select(i => latencies[i]).ToArray())}");
            var all = Figures(latencies);
            var load = Math.Max(loadBefore ?? 0, LoadAverage() ?? 0);
            output.WriteLine($"Action → CRM webhook (stopped), {Total} opt-outs from three channels, {InFlight} at a time, RabbitMQ, Responses/Consent/Notices as separate processes, " +
                $"load average {load:0.0} on {System.Environment.ProcessorCount} cores: {all}");
            Array.Sort(latencies);
            // A benchmark, like the other propagation figures: exactly-once is asserted, the latency is printed (a timed
            // assertion in the test run would judge whatever else the machine is doing; the README's figures are quiet runs).
            output.WriteLine($"p99 {Percentile(latencies, 99):0.0} ms against the target of 1 s: {(Percentile(latencies, 99) <= 1000 ? "met" : "missed")}");
        }
        finally
        {
            await bus.StopAsync();
        }
    }

    private static string Channel(int i) => Sources[i % Sources.Length];

    /// <summary>The one-minute load average (Linux); null where the system does not say.</summary>
    private static double? LoadAverage()
    {
        try
        {
            var first = File.ReadAllText("/proc/loadavg").Split(' ')[0];
            return double.Parse(first, System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }

    private static double Percentile(double[] sorted, double p) => sorted[(int)Math.Ceiling(p / 100 * sorted.Length) - 1];

    private static string Figures(double[] latencies)
    {
        var sorted = latencies.Order().ToArray();
        return $"p50 {Percentile(sorted, 50):0.0} ms, p90 {Percentile(sorted, 90):0.0} ms, p99 {Percentile(sorted, 99):0.0} ms, max {sorted[^1]:0.0} ms";
    }

    /// <summary>The call's id once its pre-call notice is queued; null while Notices refuses it (its replica has not the consent yet).</summary>
    private static async Task<string?> PlanAsync(HttpClient rep, PhoneNumber number)
    {
        var planned = await rep.PostAsJsonAsync("/api/notices/calls", new { phoneNumber = number.E164, callerName = "Sato", topic = "New plan", callingNumber = CallingNumber, purpose = Purpose });
        if (!planned.IsSuccessStatusCode) return null;
        var answer = await planned.Content.ReadFromJsonAsync<JsonElement>();
        return answer.GetProperty("notices")[0].GetProperty("status").GetString() == "refused" ? null : answer.GetProperty("id").GetString();
    }

    /// <summary>"STOP" from the number, posted as Twilio posts an inbound SMS (signed over the URL Notices sees).</summary>
    private static async Task<HttpResponseMessage> ReplyStopAsync(HttpClient notices, PhoneNumber number)
    {
        KeyValuePair<string, string>[] form = [new("MessageSid", "SM" + Guid.NewGuid().ToString("N")), new("From", number.E164), new("To", "+15005550006"), new("Body", "STOP")];
        using var request = new HttpRequestMessage(HttpMethod.Post, TwilioSender.InboundPath) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Add("X-Twilio-Signature", TwilioSignature.Compute(TwilioToken, notices.BaseAddress!.GetLeftPart(UriPartial.Authority) + TwilioSender.InboundPath, form));
        return await notices.SendAsync(request);
    }

    [GeneratedRegex("name=\"__formToken\" value=\"([^\"]+)\"")]
    private static partial Regex FormToken();

    public void Dispose() => _run.Dispose();
}
