using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using ConsentPlatform.Contracts;
using ConsentPlatform.Host.Tests.Trust;
using ConsentPlatform.Notices.Sending;
using ConsentPlatform.Notices.Webhooks;
using ConsentPlatform.Responses.Crm;
using ConsentPlatform.Responses.Tests;
using ConsentPlatform.Telephony;
using ConsentPlatform.Testing;
using MassTransit;
using Xunit.Abstractions;

namespace ConsentPlatform.Host.Tests;

/// <summary>
/// Issue 13, acceptance 5 and the Build line "every path above is measured": a person's change of mind, from each of
/// the issue's paths, reaches the organization's CRM webhook over RabbitMQ with Directory, Consent, Responses and
/// Notices each in its own process. 1,000 changes, a ninth from each path, every one through the running processes'
/// public HTTP flows: the short link's stop button (Responses); "STOP", 「停止」 and, after a STOP, "START" replied to
/// the pre-call SMS (Twilio's signed inbound webhook at Notices); a call logged as refused (Notices' API); the
/// directory entry's opt-out (Directory, with the one-time code texted to the person); the data-subject stop-use and
/// erasure requests (Consent, with their codes); and a consent given on the event's form (Consent). A person withdraws
/// a consent by one of the stops (a STOP reply, the short link's stop, stop-use): the CRM hears that as the stop, not a
/// second "withdrawn" change (ADR 0027), so withdrawal has no path of its own here. Each reaches Consent,
/// whose decision Responses delivers to the fake CRM (real HTTP, signatures checked), which timestamps each delivery
/// on arrival. Latency: arrival minus the moment the action's request was sent. Every change must arrive exactly once,
/// with its kind, source and the CRM's lead id where the organization gave one; the latency figures per path and the
/// load average are printed against the 1 s p99 target, not asserted (a benchmark, like the other propagation figures).
/// </summary>
[Collection(RabbitMqFixture.CollectionName)]
public sealed partial class CrmPropagationTests(RabbitMqFixture rabbit, ITestOutputHelper output) : IDisposable
{
    private const int Total = 1_000;
    private const int InFlight = 8;
    private const string Purpose = "sales";
    private const string EventTitle = "CRM Propagation Expo";
    private const string CallingNumber = "03-1234-5678";
    private const string TwilioToken = "crm-propagation-twilio-token";
    private const string PhoneBrowser = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";

    /// <summary>A way a person changes what the organization may do, and the change the CRM must hear for it.</summary>
    private sealed record Path(string Name, string Kind, string Source)
    {
        /// <summary>The person had an SMS notice of a planned call (which carries the CRM's lead id): replies and outcomes answer it.</summary>
        public bool Called => Name is "stop_reply" or "japanese_reply" or "start_reply" or "refused_call" or "dsr_erasure";

        /// <summary>The change is confirmed with a one-time code texted to the person.</summary>
        public bool Coded => Name is "directory_opt_out" or "dsr_stop_use" or "dsr_erasure";
    }

    private static readonly Path[] Paths =
    [
        new("short_link", PreferenceKinds.Stopped, "responses"),
        new("stop_reply", PreferenceKinds.Stopped, "sms_reply"),
        new("japanese_reply", PreferenceKinds.Stopped, "sms_reply"),
        new("refused_call", PreferenceKinds.Stopped, "call_refused"),
        new("directory_opt_out", PreferenceKinds.Stopped, "directory"),
        new("dsr_stop_use", PreferenceKinds.Stopped, "dsr_stop_use"),
        new("dsr_erasure", PreferenceKinds.Erased, "dsr_erasure"),
        new("start_reply", PreferenceKinds.Resumed, "unsuppressed"),
        new("consent_recorded", PreferenceKinds.Consented, EventTitle),
    ];

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

    private static Path PathOf(int i) => Paths[i % Paths.Length];

    [BrokerFact]
    public async Task Changes_from_every_path_reach_the_crm_webhook_exactly_once_and_the_latency_is_reported()
    {
        var (organization, apiKey) = await _run.CreateKeyAsync("CRM Propagation K.K.");
        await using var crm = await FakeCrm.StartAsync();
        await using var directory = await ServiceProcess.StartAsync("ConsentPlatform.Directory", Environment());
        await using var consent = await ServiceProcess.StartAsync("ConsentPlatform.Consent", Environment());
        await using var responses = await ServiceProcess.StartAsync("ConsentPlatform.Responses", Environment());
        await using var notices = await ServiceProcess.StartAsync("ConsentPlatform.Notices", Environment());
        string Logs() => $"\ndirectory:\n{directory.Output}\nconsent:\n{consent.Output}\nresponses:\n{responses.Output}\nnotices:\n{notices.Output}";
        using var company = responses.CreateClient();
        company.DefaultRequestHeaders.Authorization = new("Bearer", apiKey);
        using var rep = notices.CreateClient();
        rep.DefaultRequestHeaders.Authorization = new("Bearer", apiKey);
        using var organizer = consent.CreateClient();
        organizer.DefaultRequestHeaders.Authorization = new("Bearer", apiKey);
        using var registrar = directory.CreateClient();
        registrar.DefaultRequestHeaders.Authorization = new("Bearer", apiKey);
        using var person = consent.CreateClient();
        using var lookup = directory.CreateClient();
        var bus = await rabbit.Node.StartPublisherAsync();
        // Stands where the person's phone is: the codes Directory and Consent ask Notices to text.
        using var codes = CodeRecorder.Connect(bus);
        var hasher = new PhoneNumberHasher(DistributedRun.HashKeyId, _run.HashKey);
        try
        {
            var connector = await company.PostAsJsonAsync("/api/responses/connectors", new { kind = "webhook", name = "Fake CRM", url = crm.Url });
            Assert.True(connector.StatusCode == HttpStatusCode.Created, await connector.Content.ReadAsStringAsync());
            crm.Secret = (await connector.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("signingSecret").GetString()!;
            var settings = await rep.PutAsJsonAsync("/api/notices/settings", new { allowedFrom = "00:00", allowedUntil = "23:59", frequencyCap = 10, frequencyWindowHours = 1 });
            Assert.True(settings.IsSuccessStatusCode, await settings.Content.ReadAsStringAsync());
            await PublishCallingNumberAsync(registrar, bus);
            var eventId = await organizer.CreateEventAsync(new
            {
                title = EventTitle, purpose = Purpose, purposeText = new { ja = "新プランのご案内", en = "About the new plan" }, channels = new[] { "sms" },
                texts = new { sms = new { ja = "SMSでのご案内に同意します。", en = "I agree to SMS." } }, senderLegalName = "CRM Propagation K.K.", lifetimeMonths = 12,
            });

            var numbers = Enumerable.Range(0, Total).Select(i => PhoneNumbers.Parse($"090-{6100 + i / 10_000:0000}-{i % 10_000:0000}").Number).ToArray();
            var hashes = numbers.Select(hasher.Hash).ToArray();
            var links = numbers.Select((_, i) => $"crm{i:0000}x{Guid.NewGuid():N}"[..20]).ToArray();
            var leads = numbers.Select((_, i) => PathOf(i).Called || PathOf(i).Name == "short_link" ? $"lead-{i:0000}" : null).ToArray();

            // The consents the CRM hears of before anyone changes their mind, as Consent would have announced them. A person
            // who consents during the run has none yet.
            for (var i = 0; i < Total; i++)
            {
                if (PathOf(i).Name == "consent_recorded") continue;
                await bus.Publish(new ConsentRecorded
                {
                    ConsentId = Guid.NewGuid(), OrganizationId = organization, Channel = Channels.Sms, Purpose = Purpose, ContactHash = hashes[i], RecordedAt = DateTimeOffset.UtcNow,
                });
                if (PathOf(i).Name == "short_link")
                    await bus.Publish(new ResponseLinkIssued
                    {
                        Code = links[i], NoticeId = Guid.NewGuid(), OrganizationId = organization, MaskedNumber = numbers[i].FormatMasked(), ContactHash = hashes[i],
                        Topic = "New plan", CallerName = "Yamada", IssuedAt = DateTimeOffset.UtcNow, ExternalId = leads[i],
                    });
            }
            var consents = Enumerable.Range(0, Total).Count(i => PathOf(i).Name != "consent_recorded");
            string Heard() => string.Join(", ", crm.Preferences.GroupBy(p => (p.Preference.Change.Kind, p.Preference.Change.Channel)).Select(g => $"{g.Key}: {g.Count()}"));
            await Eventually.AssertAsync(() => crm.Preferences.Count(p => p.Preference.Change.Kind == PreferenceKinds.Consented) >= consents
                    ? true : throw new InvalidOperationException($"heard {Heard()}"), TimeSpan.FromSeconds(120),
                $"the CRM hears of every consent before the changes start{Logs()}");

            // The replies and refusals answer a call the rep planned (with the CRM's lead id), whose pre-call SMS Notices sent.
            var calls = new string?[Total];
            await Parallel.ForEachAsync(Enumerable.Range(0, Total).Where(i => PathOf(i).Called), new ParallelOptions { MaxDegreeOfParallelism = InFlight }, async (i, _) =>
                await Eventually.AssertAsync(async () => (calls[i] = await PlanAsync(rep, numbers[i], leads[i]!)) is not null, TimeSpan.FromSeconds(60),
                    $"call {i} is planned with its notice once Notices has the consent and the calling number{Logs()}", TimeSpan.FromMilliseconds(100)));
            using var browser = responses.CreateClient();
            browser.DefaultRequestHeaders.UserAgent.ParseAdd(PhoneBrowser);
            await Eventually.AssertAsync(async () => (await browser.GetAsync($"/r/{links[0]}?lang=en")).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(60),
                $"the links reach Responses{Logs()}");

            // START answers an earlier STOP: that stop reaches the CRM first.
            var restarting = Enumerable.Range(0, Total).Where(i => PathOf(i).Name == "start_reply").ToArray();
            foreach (var i in restarting)
            {
                var stopped = await ReplyAsync(rep, numbers[i], "STOP");
                Assert.True(stopped.IsSuccessStatusCode, $"STOP before START {i}: {(int)stopped.StatusCode}");
            }
            var restartingHashes = restarting.Select(i => hashes[i]).ToHashSet();
            await Eventually.AssertAsync(() => crm.Preferences.Count(p => p.Preference.Change.Kind == PreferenceKinds.Stopped && restartingHashes.Contains(p.Preference.ContactHash!)) >= restarting.Length,
                TimeSpan.FromSeconds(120), $"the CRM hears of the stops that START answers{Logs()}");

            // The codes are asked for ahead: the change itself is the code's entry.
            await Eventually.AssertAsync(async () => (await lookup.GetFromJsonAsync<JsonElement>($"/api/public/directory/lookup?number={Uri.EscapeDataString(CallingNumber)}"))
                .GetProperty("registered").GetBoolean(), TimeSpan.FromSeconds(60), $"the directory lists the calling number{Logs()}");
            var requests = new (string Id, string Code)[Total];
            await Parallel.ForEachAsync(Enumerable.Range(0, Total).Where(i => PathOf(i).Coded), new ParallelOptions { MaxDegreeOfParallelism = InFlight }, async (i, _) =>
            {
                using var started = PathOf(i).Name == "directory_opt_out"
                    ? await lookup.PostAsJsonAsync("/api/public/directory/opt-out", new { callerNumber = CallingNumber, phoneNumber = numbers[i].E164 })
                    : await person.PostAsJsonAsync("/api/public/consent/requests", new
                    {
                        phoneNumber = numbers[i].E164, kind = PathOf(i).Name == "dsr_stop_use" ? "stop_use" : "erasure",
                    });
                Assert.True(started.StatusCode == HttpStatusCode.Accepted, $"code for {i} ({PathOf(i).Name}): {(int)started.StatusCode} {await started.Content.ReadAsStringAsync()}");
                var id = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("requestId").GetString()!;
                requests[i] = (id, (await codes.SentAsync(c => c.PhoneNumber == numbers[i].E164)).Code);
            });

            var byHash = hashes.Select((h, i) => (h, i)).ToDictionary(p => p.h, p => p.i);
            var byLead = leads.Select((l, i) => (l, i)).Where(p => p.l is not null).ToDictionary(p => p.l!, p => p.i);
            var heard = Enumerable.Range(0, Total).Select(_ => new ConcurrentQueue<CrmPreference>()).ToArray();
            var arrived = new TaskCompletionSource<long>[Total];
            for (var i = 0; i < Total; i++) arrived[i] = new(TaskCreationOptions.RunContinuationsAsynchronously);
            crm.PreferenceArrived += (preference, at) =>
            {
                // An erasure names the contact by the CRM's lead id alone.
                var i = preference.ContactHash is { } hash ? byHash.GetValueOrDefault(hash, -1) : preference.ExternalId is { } lead ? byLead.GetValueOrDefault(lead, -1) : -1;
                if (i < 0) return;
                heard[i].Enqueue(preference);
                arrived[i].TrySetResult(at);
            };

            // The short link's answer is itself delivered to the CRM, ahead of its stop in the contact's order: when it
            // arrives says which hop a slow stop waited on.
            var answered = new long?[Total];
            crm.ResponseArrived += (response, at) =>
            {
                if (byHash.TryGetValue(response.ContactHash, out var i)) answered[i] = at;
            };

            var loadBefore = LoadAverage();
            var latencies = new double[Total];
            var sent = new long[Total];
            var arrivedAt = new long[Total];
            var next = -1;
            await Task.WhenAll(Enumerable.Range(0, InFlight).Select(async _ =>
            {
                for (var i = Interlocked.Increment(ref next); i < Total; i = Interlocked.Increment(ref next))
                {
                    var path = PathOf(i);
                    // What a browser has before the person presses the button.
                    var page = path.Name == "short_link" ? await browser.GetStringAsync($"/r/{links[i]}?lang=en") : null;
                    var form = path.Name == "consent_recorded" ? await person.FormHiddenFieldsAsync(eventId) : null;
                    sent[i] = Stopwatch.GetTimestamp();
                    using var answer = path.Name switch
                    {
                        "short_link" => await browser.PostAsync($"/r/{links[i]}", new FormUrlEncodedContent(
                        [
                            new("__formToken", WebUtility.HtmlDecode(FormToken().Match(page!).Groups[1].Value)), new("preferredContact", "no_further_contact"), new("lang", "en"),
                        ])),
                        "stop_reply" => await ReplyAsync(rep, numbers[i], "STOP"),
                        "japanese_reply" => await ReplyAsync(rep, numbers[i], "停止"),
                        "start_reply" => await ReplyAsync(rep, numbers[i], "START"),
                        "refused_call" => await rep.PostAsJsonAsync($"/api/notices/calls/{calls[i]}/outcome", new { outcome = "refused" }),
                        "directory_opt_out" => await lookup.PostAsJsonAsync($"/api/public/directory/opt-out/{requests[i].Id}/code", new { code = requests[i].Code }),
                        "consent_recorded" => await person.PostAsync($"/consent/forms/{eventId}", new FormUrlEncodedContent(
                            [.. form!, new("channels", "sms"), new("phone", numbers[i].E164)])),
                        _ => await person.PostAsJsonAsync($"/api/public/consent/requests/{requests[i].Id}/verify", new { code = requests[i].Code }),
                    };
                    Assert.True(answer.IsSuccessStatusCode, $"change {i} ({path.Name}): {(int)answer.StatusCode} {await answer.Content.ReadAsStringAsync()}");
                    var at = await arrived[i].Task.WaitAsync(TimeSpan.FromSeconds(60)).ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : (long?)null);
                    Assert.True(at is not null, $"change {i} ({path.Name}) did not reach the CRM within 60 s{Logs()}");
                    arrivedAt[i] = at.Value;
                    latencies[i] = Stopwatch.GetElapsedTime(sent[i], at.Value).TotalMilliseconds;
                }
            }));

            await Task.Delay(TimeSpan.FromSeconds(3)); // room for a second delivery or a second change of any action
            Assert.Equal(0, crm.BadSignatures);
            Assert.Equal(0, crm.Duplicates);
            Assert.All(Enumerable.Range(0, Total), i =>
            {
                var path = PathOf(i);
                var change = Assert.Single(heard[i]);
                Assert.True((change.Change.Kind, change.Source, change.ExternalId) == (path.Kind, path.Source, leads[i]),
                    $"change {i} ({path.Name}): {change.Change.Kind} from {change.Source} for {change.ExternalId}, expected {path.Kind} from {path.Source} for {leads[i]}");
            });

            foreach (var path in Paths)
                output.WriteLine($"  {path.Name} ({path.Kind}): {Figures(Enumerable.Range(0, Total).Where(i => PathOf(i) == path).Select(i => latencies[i]).ToArray())}");
            var shortLinks = Enumerable.Range(0, Total).Where(i => PathOf(i).Name == "short_link").ToArray();
            Assert.All(shortLinks, i => Assert.True(answered[i] is not null, $"the answer of short link {i} reached the CRM"));
            var answerAfter = shortLinks.Select(i => Stopwatch.GetElapsedTime(sent[i], answered[i]!.Value).TotalMilliseconds).ToArray();
            var stopAfterAnswer = shortLinks.Select(i => Stopwatch.GetElapsedTime(answered[i]!.Value, arrivedAt[i]).TotalMilliseconds).ToArray();
            output.WriteLine($"  short_link, its answer after the press: {Figures(answerAfter)}; its stop after the answer: {Figures(stopAfterAnswer)}");
            var all = Figures(latencies);
            var load = Math.Max(loadBefore ?? 0, LoadAverage() ?? 0);
            output.WriteLine($"Action → CRM webhook, {Total} changes from {Paths.Length} paths, {InFlight} at a time, RabbitMQ, Directory/Consent/Responses/Notices as separate processes, " +
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

    /// <summary>The organization's landline, published in the directory as a company does it: registered, then verified with the code read out to it.</summary>
    private static async Task PublishCallingNumberAsync(HttpClient registrar, IBus bus)
    {
        var landline = PhoneNumbers.Parse(CallingNumber).Number.E164;
        // Stands where the landline is: the call Directory asks the voice provider to place.
        var spoken = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var line = bus.ConnectReceiveEndpoint("crm-propagation-landline-" + Guid.NewGuid().ToString("N"), e => e.Handler<PlaceVerificationCall>(call =>
        {
            if (call.Message.PhoneNumber == landline) spoken.TrySetResult(call.Message.Code);
            return Task.CompletedTask;
        }));
        await line.Ready;
        var profile = await registrar.PutAsJsonAsync("/api/directory/organization", new
        {
            legalName = "CRM Propagation K.K.", contactEmail = "privacy@crm-propagation.example", privacyPolicyUrl = "https://crm-propagation.example/privacy",
        });
        Assert.True(profile.StatusCode == HttpStatusCode.OK, await profile.Content.ReadAsStringAsync());
        var added = await registrar.PostAsJsonAsync("/api/directory/numbers", new
        {
            phoneNumber = CallingNumber, department = "Sales", purposes = new[] { "New plan" }, callingHoursStart = "09:00", callingHoursEnd = "18:00",
        });
        Assert.True(added.StatusCode == HttpStatusCode.Created, await added.Content.ReadAsStringAsync());
        var id = (await added.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        var started = await registrar.PostAsync($"/api/directory/numbers/{id}/verification", null);
        Assert.True(started.StatusCode == HttpStatusCode.Accepted, await started.Content.ReadAsStringAsync());
        var code = await spoken.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await line.StopAsync();
        var verified = await registrar.PostAsJsonAsync($"/api/directory/numbers/{id}/verification/code", new { code });
        Assert.True(verified.StatusCode == HttpStatusCode.OK, await verified.Content.ReadAsStringAsync());
    }

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
    private static async Task<string?> PlanAsync(HttpClient rep, PhoneNumber number, string externalId)
    {
        var planned = await rep.PostAsJsonAsync("/api/notices/calls", new
        {
            phoneNumber = number.E164, callerName = "Sato", topic = "New plan", callingNumber = CallingNumber, purpose = Purpose, externalId,
        });
        if (!planned.IsSuccessStatusCode) return null;
        var answer = await planned.Content.ReadFromJsonAsync<JsonElement>();
        return answer.GetProperty("notices")[0].GetProperty("status").GetString() == "refused" ? null : answer.GetProperty("id").GetString();
    }

    /// <summary>A reply from the number, posted as Twilio posts an inbound SMS (signed over the URL Notices sees).</summary>
    private static async Task<HttpResponseMessage> ReplyAsync(HttpClient notices, PhoneNumber number, string body)
    {
        KeyValuePair<string, string>[] form = [new("MessageSid", "SM" + Guid.NewGuid().ToString("N")), new("From", number.E164), new("To", "+15005550006"), new("Body", body)];
        using var request = new HttpRequestMessage(HttpMethod.Post, TwilioSender.InboundPath) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Add("X-Twilio-Signature", TwilioSignature.Compute(TwilioToken, notices.BaseAddress!.GetLeftPart(UriPartial.Authority) + TwilioSender.InboundPath, form));
        return await notices.SendAsync(request);
    }

    [GeneratedRegex("name=\"__formToken\" value=\"([^\"]+)\"")]
    private static partial Regex FormToken();

    public void Dispose() => _run.Dispose();
}
