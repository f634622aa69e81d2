using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using ConsentPlatform.Contracts;
using ConsentPlatform.Notices.Sending;
using ConsentPlatform.Notices.Webhooks;
using ConsentPlatform.Telephony;
using ConsentPlatform.Testing;
using Dapper;
using Npgsql;
using Xunit.Abstractions;

namespace ConsentPlatform.Host.Tests;

/// <summary>
/// Issue 18, acceptance 2: the replica fault test. One PostgreSQL cluster and one RabbitMQ node; Consent ×2, Notices ×3,
/// Responses ×2 and Directory ×1 as separate processes on the same databases; a fake Twilio (real HTTP) that the senders
/// share under the ceiling R. 2,000 contacts are imported as consents at Consent, 2,000 calls are planned (each queues
/// its pre-call SMS) and 1,000 of those contacts opt out while the SMS go out, a third each from the short link's stop
/// button (Responses), a STOP reply (Twilio's signed webhook at Notices) and a call logged as refused (Notices' API).
/// Meanwhile one replica of each service is killed with SIGKILL and restarted, and the broker is stopped and started.
/// <para>
/// Then: every SMS the fake took went out exactly once; none reached a contact later than <see cref="SendBound"/>
/// after the contact's opt-out was written at Consent; no sliding second at the fake held more than R requests;
/// every replica's gate (both Consents, all three Notices) refuses every opted-out contact; every outbox is empty;
/// every consent reached Notices and every opt-out is a suppression at Consent and a confirmed one at Notices.
/// </para>
/// <para>
/// Sized for a 2-core machine shared with other builds: the issue's numbers (2,000 calls, 1,000 opt-outs) at a
/// driving rate such a machine carries (calls planned at <see cref="PlansPerSecond"/>/s, R = <see cref="Ceiling"/>/s).
/// The test plays the load balancer: a replica is taken out of the client's rotation, and its requests in flight are
/// let finish, before it is killed (a request cut off mid-way cannot be told apart from one never made, and planning a
/// call is not idempotent); the kill still lands on whatever the process itself was doing (sends, relays, consumers).
/// The calling number is published by the test, standing in for Directory's verified number (that verification is
/// a call a person answers); Directory's part here is the organization profile, renamed across its own kill.
/// </para>
/// </summary>
[Collection(RabbitMqFixture.CollectionName)]
public sealed partial class ReplicaFaultTests(RabbitMqFixture rabbit, ITestOutputHelper output)
{
    private const int Contacts = 2_000;
    private const int Ceiling = 20;
    private const double PlansPerSecond = 40;
    private const int PlanInFlight = 4;
    private const int OptOutInFlight = 6;
    private const string Purpose = "sales";
    private const string CallingNumber = "03-1234-5678";
    private const string PublicBase = "https://notices.example.test";
    private const string LinkBase = "https://links.example.test/r/";
    private const string PhoneBrowser = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
    private static readonly string[] Sources = ["responses", "sms_reply", "call_refused"];
    private static readonly string[] ServiceDatabases = ["consent", "notices", "responses", "directory"];

    /// <summary>
    /// The most an SMS may reach a contact after the contact's opt-out was written at Consent. A send checks the gate
    /// once its rate slot is reserved, at most a second ahead, and the other Notices replicas reload a changed
    /// contact within a quarter of a second; the rest is room for a machine under load.
    /// </summary>
    private static readonly TimeSpan SendBound = TimeSpan.FromSeconds(10);

    [GeneratedRegex("name=\"__formToken\" value=\"([^\"]+)\"")]
    private static partial Regex FormToken();

    [BrokerAndPostgresFact]
    public async Task Calls_and_opt_outs_through_replica_kills_and_a_broker_restart_send_each_notice_once_within_the_ceiling_and_lose_nothing()
    {
        var clock = Stopwatch.StartNew();
        await using var postgres = await PostgresNode.StartAsync();
        var connections = new Dictionary<string, string>();
        var settings = new Dictionary<string, string?> { ["Database:Provider"] = "PostgreSql" };
        foreach (var name in ServiceDatabases.Prepend("identity"))
            settings[$"ConnectionStrings:{char.ToUpperInvariant(name[0])}{name[1..]}"] = connections[name] = await postgres.CreateDatabaseAsync("cp_" + name);
        using var run = new DistributedRun(rabbit.Node, "cp-replica-fault-", [.. Enumerable.Range(91, 32).Select(i => (byte)i)]) { DatabaseSettings = settings };
        await using var twilio = await FakeTwilio.StartAsync();
        // The status callbacks would go to the public address, which does not exist here.
        twilio.SendCallbacks = false;

        var environment = run.Environment();
        environment["Logging__LogLevel__Default"] = "Warning";
        environment["Sms__Provider"] = "Twilio";
        environment["Sms__Twilio__AccountSid"] = FakeTwilio.AccountSid;
        environment["Sms__Twilio__AuthToken"] = FakeTwilio.AuthToken;
        environment["Sms__Twilio__From"] = "+15005550006";
        environment["Sms__Twilio__BaseUrl"] = twilio.BaseAddress.ToString();
        environment["Sms__RatePerSecond"] = Ceiling.ToString(CultureInfo.InvariantCulture);
        // J, the allowance for a request reaching the provider later than its slot, at its largest: on this 2-core machine
        // with other builds at load 40-90 a request reached the fake over 200 ms late (one run saw 21 in a second with
        // J = 200). A send that wakes up to J late also moves the later slots instead of letting its own go; the sender
        // then sustains R × 1000 / (1000 + J) = 13.3/s.
        environment["Sms__RateJitterMilliseconds"] = "500";
        // A send that timed out before the fake took it is marked failed after a minute of lookups instead of ten.
        environment["Sms__LookupGiveUpSeconds"] = "60";
        environment["Notices__PublicBaseUrl"] = PublicBase;
        environment["Notices__ShortLinkBaseUrl"] = LinkBase;

        var (organization, apiKey) = await run.CreateKeyAsync("Replica Fault K.K.");
        var started = new List<ServiceProcess>();
        async Task<ServiceProcess[]> StartAsync(string project, int count)
        {
            // A start, and every restart after a kill, may take minutes while other builds hold the cores (load 30-80 seen here).
            var processes = await Task.WhenAll(Enumerable.Range(0, count).Select(_ => ServiceProcess.StartAsync(project, environment, readyTimeout: TimeSpan.FromSeconds(240))));
            lock (started) started.AddRange(processes);
            return processes;
        }

        var timeline = new ConcurrentQueue<string>();
        var printed = false;
        try
        {
            // The first replica of each service migrates its database; the others start against it.
            var first = await Task.WhenAll(StartAsync("ConsentPlatform.Consent", 1), StartAsync("ConsentPlatform.Notices", 1),
                StartAsync("ConsentPlatform.Responses", 1), StartAsync("ConsentPlatform.Directory", 1));
            var more = await Task.WhenAll(StartAsync("ConsentPlatform.Consent", 1), StartAsync("ConsentPlatform.Notices", 2), StartAsync("ConsentPlatform.Responses", 1));
            using var consent = new Replicas([.. first[0], .. more[0]], apiKey);
            using var notices = new Replicas([.. first[1], .. more[1]], apiKey);
            using var responses = new Replicas([.. first[2], .. more[2]], null, PhoneBrowser);
            using var directory = new Replicas(first[3], apiKey);
            string Logs() => string.Concat(started.Select(p => $"\n--- {p} ---\n{p.Output}"));
            timeline.Enqueue($"{clock.Elapsed.TotalSeconds:0}s 8 service processes ready");

            // The set-up every call rests on: the profile (Directory), the calling number, the event with its purpose and
            // the imported consents (Consent), the organization's sending hours (Notices).
            await RenameAsync(directory, "Replica Fault K.K. 1");
            var bus = await rabbit.Node.StartPublisherAsync();
            try
            {
                await bus.Publish(new CallerNumberPublished
                {
                    OrganizationId = organization, CallerNumberId = Guid.NewGuid(), PhoneNumber = PhoneNumbers.Parse(CallingNumber).Number.E164, PublishedAt = DateTimeOffset.UtcNow,
                });
            }
            finally
            {
                await bus.StopAsync();
            }

            var eventId = await CreateEventAsync(consent);
            var numbers = Enumerable.Range(0, Contacts).Select(i => PhoneNumbers.Parse($"090-{6300 + i / 10_000:0000}-{i % 10_000:0000}").Number).ToArray();
            var hasher = new PhoneNumberHasher(DistributedRun.HashKeyId, run.HashKey);
            var hashes = numbers.Select(hasher.Hash).ToArray();
            var index = Enumerable.Range(0, Contacts).ToDictionary(i => numbers[i].E164);
            await ImportAsync(consent, eventId, numbers);
            await WaitForTokyoDayAsync();
            var hours = await notices.SendAsync(c => c.PutAsJsonAsync("/api/notices/settings", new { allowedFrom = "00:00", allowedUntil = "23:59", frequencyCap = 10, frequencyWindowHours = 1 }));
            Assert.True(hours.IsSuccessStatusCode, await hours.Content.ReadAsStringAsync());
            await Eventually.AssertAsync(async () => await CountAsync(connections["notices"], "SELECT COUNT(*) FROM consents WHERE organization_id = @organization", organization) >= Contacts,
                TimeSpan.FromSeconds(180), $"the {Contacts} imported consents reach Notices{Logs()}", TimeSpan.FromMilliseconds(500));
            foreach (var replica in notices.Processes.Indices())
                await Eventually.AssertAsync(async () => (await NoticeGateAsync(notices.Client(replica), numbers[^1])).Allowed, TimeSpan.FromSeconds(60),
                    $"Notices replica {replica} lets the last contact be called{Logs()}");
            timeline.Enqueue($"{clock.Elapsed.TotalSeconds:0}s consents imported and replicated; driving starts");

            // Driving: the calls at a steady rate, each second contact's opt-out as soon as its call is planned, and the faults.
            var drive = Stopwatch.StartNew();
            var calls = new string?[Contacts];
            var codes = new string?[Contacts];
            var optOuts = Channel.CreateUnbounded<int>();
            var planned = 0;
            var refusedPlans = 0;
            var planning = Task.Run(async () =>
            {
                var next = -1;
                await Task.WhenAll(Enumerable.Range(0, PlanInFlight).Select(async _ =>
                {
                    for (var i = Interlocked.Increment(ref next); i < Contacts; i = Interlocked.Increment(ref next))
                    {
                        if (TimeSpan.FromSeconds(i / PlansPerSecond) - drive.Elapsed is var due && due > TimeSpan.Zero) await Task.Delay(due);
                        var deadline = Stopwatch.StartNew();
                        while (true)
                        {
                            var (id, link, refusal) = await PlanAsync(notices, numbers[i]);
                            if (id is not null)
                            {
                                (calls[i], codes[i]) = (id, link![LinkBase.Length..]);
                                break;
                            }
                            Interlocked.Increment(ref refusedPlans);
                            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(120), $"call {i} is still refused after 2 minutes: {refusal}{Logs()}");
                            await Task.Delay(200);
                        }
                        Interlocked.Increment(ref planned);
                        if (i % 2 == 1) optOuts.Writer.TryWrite(i);
                    }
                }));
                optOuts.Writer.Complete();
            });
            var optingOut = Task.WhenAll(Enumerable.Range(0, OptOutInFlight).Select(_ => Task.Run(async () =>
            {
                await foreach (var i in optOuts.Reader.ReadAllAsync())
                {
                    var answer = Source(i) switch
                    {
                        "responses" => await StopOnShortLinkAsync(responses, codes[i]!),
                        "sms_reply" => await notices.SendAsync(c => ReplyStopAsync(c, numbers[i])),
                        _ => await notices.SendAsync(c => c.PostAsJsonAsync($"/api/notices/calls/{calls[i]}/outcome", new { outcome = "refused" })),
                    };
                    Assert.True(answer.IsSuccessStatusCode, $"opt-out {i} ({Source(i)}): {(int)answer.StatusCode} {await answer.Content.ReadAsStringAsync()}");
                }
            })));
            var faults = Task.Run(async () =>
            {
                async Task At(double seconds)
                {
                    if (TimeSpan.FromSeconds(seconds) - drive.Elapsed is var due && due > TimeSpan.Zero) await Task.Delay(due);
                }
                void Note(string what) => timeline.Enqueue($"{clock.Elapsed.TotalSeconds:0}s (driving +{drive.Elapsed.TotalSeconds:0}s, {Volatile.Read(ref planned)} planned, {twilio.AcceptedCount} sent) {what}");

                foreach (var (at, replicas, name) in new[] { (8.0, notices, "Notices"), (18.0, consent, "Consent"), (28.0, responses, "Responses"), (36.0, directory, "Directory") })
                {
                    await At(at);
                    Note($"kill -9 {name} replica 1");
                    await replicas.KillAndRestartAsync(0, TimeSpan.FromSeconds(1));
                    Note($"{name} replica 1 ready again (start took {replicas.Processes[0].LastStartDuration.TotalSeconds:0.0}s)");
                }
                await RenameAsync(directory, "Replica Fault K.K. 2");
                await At(44);
                Note("RabbitMQ node stopping");
                await rabbit.Node.StopAsync();
                Note("RabbitMQ node stopped");
                await Task.Delay(TimeSpan.FromSeconds(8));
                await rabbit.Node.RestartAsync();
                Note($"RabbitMQ node started again ({rabbit.Node.LastStartDuration.TotalSeconds:0.0}s)");
            });
            await Task.WhenAll(planning, optingOut, faults);
            timeline.Enqueue($"{clock.Elapsed.TotalSeconds:0}s all calls planned and opt-outs made ({refusedPlans} plans refused and retried while a replica caught up)");

            // Quiet: nothing left to send or look up, nothing left in an outbox, every opt-out written at Consent.
            var quiet = Stopwatch.StartNew();
            while (await CountAsync(connections["notices"],
                       "SELECT COUNT(*) FROM outgoing_messages WHERE organization_id = @organization AND status IN ('pending', 'sending', 'unknown')", organization) > 0)
            {
                Assert.True(quiet.Elapsed < TimeSpan.FromSeconds(300), $"SMS still to send 5 minutes after the driving ended ({await StatusesAsync(connections["notices"], organization)}){Logs()}");
                await Task.Delay(TimeSpan.FromSeconds(1));
            }
            timeline.Enqueue($"{clock.Elapsed.TotalSeconds:0}s every SMS sent or refused");
            foreach (var database in ServiceDatabases)
                await Eventually.AssertAsync(async () => await CountAsync(connections[database], "SELECT COUNT(*) FROM outbox_messages WHERE sent_at IS NULL", null) == 0,
                    TimeSpan.FromSeconds(120), $"{database}'s outbox is empty{Logs()}", TimeSpan.FromSeconds(1));
            var opted = Enumerable.Range(0, Contacts).Where(i => i % 2 == 1).ToArray();
            var optedHashes = opted.Select(i => hashes[i]).ToArray();
            await Eventually.AssertAsync(async () => await CountAsync(connections["consent"],
                    "SELECT COUNT(DISTINCT contact_hash) FROM suppressions WHERE contact_hash = ANY(@hashes)", null, optedHashes) == opted.Length,
                TimeSpan.FromSeconds(120), $"every opt-out is written at Consent{Logs()}", TimeSpan.FromSeconds(1));
            await Task.Delay(TimeSpan.FromSeconds(3)); // room for any late or second send to reach the fake

            // Exactly once: one planned call per contact, so one pre-call SMS per number at most.
            var sent = twilio.Accepted.ToArray();
            Assert.All(sent, m => Assert.True(index.ContainsKey(m.To), $"the fake got an SMS to {m.To}, which is none of the contacts"));
            var duplicates = sent.GroupBy(m => m.To).Where(g => g.Count() > 1).Select(g => $"{g.Key} ×{g.Count()}").ToList();
            var providerSids = await CountAsync(connections["notices"],
                "SELECT COUNT(DISTINCT provider_sid) FROM outgoing_messages WHERE organization_id = @organization AND provider_sid IS NOT NULL", organization);

            // Opt-out to send: the last send to each opted-out contact against the moment Consent wrote its opt-out.
            await using var consentDb = new NpgsqlConnection(connections["consent"]);
            var committed = (await consentDb.QueryAsync<(string Hash, long At)>(
                    "SELECT contact_hash, MIN(created_at) FROM suppressions WHERE contact_hash = ANY(@hashes) GROUP BY contact_hash", new { hashes = optedHashes }))
                .ToDictionary(r => r.Hash, r => DateTimeOffset.FromUnixTimeMilliseconds(r.At));
            var gaps = sent.Where(m => index[m.To] % 2 == 1).Select(m => (m.To, Gap: m.CreatedAt - committed[hashes[index[m.To]]])).ToList();
            var afterOptOut = gaps.Where(g => g.Gap > TimeSpan.Zero).ToList();
            var largestGap = gaps.Count == 0 ? TimeSpan.Zero : gaps.Max(g => g.Gap);

            // The ceiling: every request the fake received, in every sliding second.
            var arrivals = twilio.Arrivals.Order().ToArray();
            var (busiest, busiestAt) = BusiestSecond(arrivals);

            var refused = await CountAsync(connections["notices"], "SELECT COUNT(*) FROM outgoing_messages WHERE organization_id = @organization AND status = 'cancelled'", organization);
            var load = LoadAverage();
            output.WriteLine($"Replica fault test on PostgreSQL + RabbitMQ, Consent ×2, Notices ×3, Responses ×2, Directory ×1 as processes, {System.Environment.ProcessorCount} cores, load average {load:0.0}:");
            foreach (var line in timeline) output.WriteLine("  " + line);
            printed = true;
            output.WriteLine($"  calls planned: {Contacts}; opt-outs: {opted.Length} ({string.Join(", ", Sources.Select(s => $"{opted.Count(i => Source(i) == s)} {s}"))})");
            output.WriteLine($"  notices sent (taken by the fake): {sent.Length}; not sent after an opt-out: {refused}; duplicates: {duplicates.Count}; provider sids recorded: {providerSids}");
            output.WriteLine($"  largest opt-out-to-last-send gap: {largestGap.TotalMilliseconds:0} ms ({afterOptOut.Count} sends after the contact's opt-out was written at Consent; bound {SendBound.TotalSeconds:0} s)");
            output.WriteLine($"  busiest second at the fake: {busiest} requests (R = {Ceiling}), from {busiestAt:0.0} s into the sends; {arrivals.Length} requests in all");
            output.WriteLine($"  SMS by status at Notices: {await StatusesAsync(connections["notices"], organization)}");
            output.WriteLine($"  duration: {clock.Elapsed.TotalSeconds:0} s");

            Assert.True(duplicates.Count == 0, $"numbers that got more than one SMS: {string.Join(", ", duplicates.Take(20))}");
            Assert.Equal(sent.Length, providerSids);
            Assert.True(largestGap <= SendBound, $"an SMS reached a contact {largestGap.TotalSeconds:0.0} s after the opt-out was written at Consent (bound {SendBound.TotalSeconds} s)");
            Assert.True(busiest <= Ceiling, $"{busiest} requests reached the fake within one second (R = {Ceiling})");

            // Every replica's view: both Consent gates and all three Notices gates refuse each opted-out contact, and let the others be called.
            var wrong = new ConcurrentQueue<string>();
            await Parallel.ForEachAsync(Enumerable.Range(0, Contacts), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
            {
                foreach (var replica in consent.Processes.Indices())
                {
                    // Consent names a refusal on a call as such; the stop button and STOP are opt-outs.
                    var (channel, reason) = Source(i) == "call_refused" ? ("call", "refused_on_call") : ("sms", "opted_out");
                    var reasons = await ConsentGateAsync(consent.Client(replica), numbers[i], channel);
                    if (reasons.Contains(reason) != (i % 2 == 1)) wrong.Enqueue($"contact {i} ({Source(i)}) at Consent replica {replica + 1}: [{string.Join(' ', reasons)}]");
                }
                foreach (var replica in notices.Processes.Indices())
                {
                    var (allowed, reason) = await NoticeGateAsync(notices.Client(replica), numbers[i]);
                    if (i % 2 == 1 ? reason?.StartsWith("opted_out", StringComparison.Ordinal) != true : !allowed)
                        wrong.Enqueue($"contact {i} ({Source(i)}) at Notices replica {replica + 1}: {(allowed ? "allowed" : reason)}");
                }
            });
            Assert.True(wrong.IsEmpty, $"{wrong.Count} gate answers disagree with the opt-outs, e.g.:\n{string.Join('\n', wrong.Take(20))}");

            // Nothing lost: the consents reached Notices once each, every opt-out is confirmed at Notices, the last profile everywhere.
            Assert.Equal(Contacts, await CountAsync(connections["consent"],
                "SELECT COUNT(*) FROM consent_ledger WHERE organization_id = @organization AND action = 'granted'", organization));
            Assert.Equal(Contacts, await CountAsync(connections["notices"], "SELECT COUNT(*) FROM consents WHERE organization_id = @organization AND kind = 'recorded'", organization));
            // The stop button and STOP withdraw the SMS consent at Consent, and the withdrawal reaches Notices too (a refused call concerns calls only).
            Assert.Equal(opted.Count(i => Source(i) != "call_refused"),
                await CountAsync(connections["notices"], "SELECT COUNT(*) FROM consents WHERE organization_id = @organization AND kind = 'withdrawn'", organization));
            Assert.Equal(opted.Length, await CountAsync(connections["notices"],
                "SELECT COUNT(DISTINCT contact_hash) FROM suppressions WHERE provisional = 0 AND contact_hash = ANY(@hashes)", null, optedHashes));
            foreach (var (replicas, service) in new[] { (consent, "consent"), (notices, "notices"), (responses, "responses") })
                foreach (var replica in replicas.Processes.Indices())
                    await Eventually.AssertAsync(async () => (await ProfileNameAsync(replicas.Processes[replica], apiKey, service)) == "Replica Fault K.K. 2",
                        TimeSpan.FromSeconds(30), $"{service} replica {replica + 1} serves the profile renamed across Directory's kill{Logs()}");
        }
        finally
        {
            if (!printed) foreach (var line in timeline) output.WriteLine("  " + line);
            foreach (var process in started) await process.DisposeAsync();
        }
    }

    private static string Source(int i) => Sources[i / 2 % Sources.Length];

    /// <summary>The most arrivals (Stopwatch ticks, sorted) within any one second, and when that second began (seconds after the first).</summary>
    private static (int Count, double StartSeconds) BusiestSecond(long[] arrivals)
    {
        var (best, at) = (0, 0.0);
        for (int start = 0, end = 0; end < arrivals.Length; end++)
        {
            while (arrivals[end] - arrivals[start] >= Stopwatch.Frequency) start++;
            if (end - start + 1 > best) (best, at) = (end - start + 1, (double)(arrivals[start] - arrivals[0]) / Stopwatch.Frequency);
        }
        return (best, at);
    }

    /// <summary>The notice planner refuses every call in the last minute of Tokyo's day (the window ends 23:59): the test waits it out.</summary>
    private static async Task WaitForTokyoDayAsync()
    {
        var tokyo = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo"));
        if (tokyo.Hour == 23 && tokyo.Minute >= 50) await Task.Delay(TimeSpan.FromMinutes(60 - tokyo.Minute) - TimeSpan.FromSeconds(tokyo.Second - 30));
    }

    private static async Task RenameAsync(Replicas directory, string legalName)
    {
        var answer = await directory.SendAsync(c => c.PutAsJsonAsync("/api/directory/organization", new { legalName, contactEmail = "privacy@replica-fault.example" }));
        Assert.True(answer.StatusCode == HttpStatusCode.OK, await answer.Content.ReadAsStringAsync());
    }

    private static async Task<string?> ProfileNameAsync(ServiceProcess service, string apiKey, string name)
    {
        using var client = service.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", apiKey);
        var profile = await client.GetFromJsonAsync<JsonElement>($"/api/{name}/organization");
        return profile.GetProperty("legalName").GetString();
    }

    private static async Task<string> CreateEventAsync(Replicas consent)
    {
        var created = await consent.SendAsync(c => c.PostAsJsonAsync("/api/consent/events", new
        {
            title = "Replica fault seminar", purpose = Purpose, purposeText = new { ja = "セミナーのご案内", en = "About the seminar" }, channels = new[] { "sms", "email" },
            texts = new { sms = new { ja = "SMSでの案内に同意します。", en = "I agree to SMS." }, email = new { ja = "メールでの案内に同意します。", en = "I agree to email." } },
            senderLegalName = "Replica Fault K.K.", lifetimeMonths = 12,
        }));
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    /// <summary>The contacts' SMS consents, collected on paper at the event and imported in one file.</summary>
    private static async Task ImportAsync(Replicas consent, string eventId, PhoneNumber[] numbers)
    {
        var collected = DateTimeOffset.UtcNow.AddDays(-3).ToOffset(TimeSpan.FromHours(9)).ToString("yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture);
        var csv = new StringBuilder("phone,email,channels,language,source,collected_at,text_shown,text_reference,capture_method,evidence,ip,user_agent,page_url,third_parties\r\n");
        for (var i = 0; i < numbers.Length; i++)
            csv.Append(CultureInfo.InvariantCulture, $"{numbers[i].E164},,sms,ja,Seminar booth,{collected},SMSでの案内に同意します。,paper form v1,paper_form,Paper form #{i:0000},,,,\r\n");
        var imported = await consent.SendAsync(c => c.PostAsync($"/api/consent/events/{eventId}/imports", new StringContent(csv.ToString(), Encoding.UTF8, "text/csv")));
        Assert.True(imported.StatusCode == HttpStatusCode.Created, await imported.Content.ReadAsStringAsync());
    }

    /// <summary>The call's id and its notice's short link once the notice is queued; the refusal while Notices' replica has not the consent yet.</summary>
    private static async Task<(string? Id, string? Link, string? Refusal)> PlanAsync(Replicas notices, PhoneNumber number)
    {
        var planned = await notices.SendAsync(c => c.PostAsJsonAsync("/api/notices/calls",
            new { phoneNumber = number.E164, callerName = "Sato", topic = "New plan", callingNumber = CallingNumber, purpose = Purpose }));
        var body = await planned.Content.ReadAsStringAsync();
        if (!planned.IsSuccessStatusCode) return (null, null, $"{(int)planned.StatusCode} {body}");
        var notice = JsonDocument.Parse(body).RootElement.GetProperty("notices")[0];
        return notice.GetProperty("status").GetString() == "refused"
            ? (null, null, body)
            : (JsonDocument.Parse(body).RootElement.GetProperty("id").GetString(), notice.GetProperty("link").GetString(), null);
    }

    /// <summary>
    /// The stop button on the short link's page, once the link has reached Responses (it waits out the broker's stop).
    /// The page and its form on one replica, as a browser keeps its connection; another replica that was asked before
    /// the link arrived answers 404 for up to two seconds (unknown codes are cached that long), so a 404 is asked again.
    /// </summary>
    private static async Task<HttpResponseMessage> StopOnShortLinkAsync(Replicas responses, string code)
    {
        HttpResponseMessage? answer = null;
        await Eventually.AssertAsync(async () => (answer = await responses.SendAsync(async c =>
            {
                using var page = await c.GetAsync($"/r/{code}?lang=en");
                if (page.StatusCode != HttpStatusCode.OK) return null;
                var html = await page.Content.ReadAsStringAsync();
                return await c.PostAsync($"/r/{code}", new FormUrlEncodedContent(
                [
                    new("__formToken", WebUtility.HtmlDecode(FormToken().Match(html).Groups[1].Value)), new("preferredContact", "no_further_contact"), new("lang", "en"),
                ]));
            })) is not null,
            TimeSpan.FromSeconds(180), $"the link {code} reaches Responses", TimeSpan.FromMilliseconds(250));
        return answer!;
    }

    /// <summary>"STOP" from the number, posted as Twilio posts an inbound SMS, signed over the public address Notices is configured with.</summary>
    private static async Task<HttpResponseMessage> ReplyStopAsync(HttpClient notices, PhoneNumber number)
    {
        KeyValuePair<string, string>[] form = [new("MessageSid", "SM" + Guid.NewGuid().ToString("N")), new("From", number.E164), new("To", "+15005550006"), new("Body", "STOP")];
        using var request = new HttpRequestMessage(HttpMethod.Post, TwilioSender.InboundPath) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Add("X-Twilio-Signature", TwilioSignature.Compute(FakeTwilio.AuthToken, PublicBase + TwilioSender.InboundPath, form));
        return await notices.SendAsync(request);
    }

    private static async Task<(bool Allowed, string? Reason)> NoticeGateAsync(HttpClient notices, PhoneNumber number)
    {
        var response = await notices.PostAsJsonAsync("/api/notices/gate/checks", new { phoneNumber = number.E164, callingNumber = CallingNumber, purpose = Purpose });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.IsSuccessStatusCode, body.ToString());
        return (body.GetProperty("allowed").GetBoolean(), body.TryGetProperty("reason", out var reason) && reason.ValueKind == JsonValueKind.String ? reason.GetString() : null);
    }

    private static async Task<string[]> ConsentGateAsync(HttpClient consent, PhoneNumber number, string channel)
    {
        var response = await consent.PostAsJsonAsync("/api/consent/checks", new { phoneNumber = number.E164, channel, purpose = Purpose });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.IsSuccessStatusCode, body.ToString());
        return body.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()!).ToArray();
    }

    private static async Task<string> StatusesAsync(string notices, string organization)
    {
        await using var connection = new NpgsqlConnection(notices);
        var rows = await connection.QueryAsync<(string Status, string? Error, long Count)>(
            "SELECT status, error_code, COUNT(*) FROM outgoing_messages WHERE organization_id = @organization GROUP BY status, error_code ORDER BY status", new { organization });
        return string.Join(", ", rows.Select(r => $"{r.Status}{(r.Error is null ? "" : $" ({r.Error})")}: {r.Count}"));
    }

    private static async Task<long> CountAsync(string connectionString, string sql, string? organization, string[]? hashes = null)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        return await connection.ExecuteScalarAsync<long>(sql, new { organization, hashes });
    }

    /// <summary>The one-minute load average (Linux); null where the system does not say.</summary>
    private static double? LoadAverage()
    {
        try
        {
            return double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }

    /// <summary>
    /// The replicas of one service behind a round-robin client, as a load balancer sees them: a replica about to be
    /// killed is first taken out of the rotation and its requests in flight are let finish.
    /// </summary>
    private sealed class Replicas : IDisposable
    {
        private readonly string? _apiKey;
        private readonly string? _userAgent;
        private readonly HttpClient[] _clients;
        private readonly int[] _out;
        private readonly int[] _inFlight;
        private int _next = -1;

        public Replicas(ServiceProcess[] processes, string? apiKey, string? userAgent = null)
        {
            Processes = processes;
            (_apiKey, _userAgent) = (apiKey, userAgent);
            _clients = processes.Select(NewClient).ToArray();
            _out = new int[processes.Length];
            _inFlight = new int[processes.Length];
        }

        public ServiceProcess[] Processes { get; }

        public HttpClient Client(int replica) => Volatile.Read(ref _clients[replica]);

        public async Task<T> SendAsync<T>(Func<HttpClient, Task<T>> send)
        {
            while (true)
            {
                var replica = (int)((uint)Interlocked.Increment(ref _next) % (uint)Processes.Length);
                Interlocked.Increment(ref _inFlight[replica]);
                try
                {
                    // Read after counting ourselves in: the killer sets the flag first and then waits for the count to drop.
                    if (Interlocked.CompareExchange(ref _out[replica], 0, 0) == 1)
                    {
                        await Task.Delay(5);
                        continue;
                    }
                    return await send(Client(replica));
                }
                finally
                {
                    Interlocked.Decrement(ref _inFlight[replica]);
                }
            }
        }

        /// <summary>Out of the rotation, SIGKILL, down for a while, started again (on the same port), back in the rotation.</summary>
        public async Task KillAndRestartAsync(int replica, TimeSpan down)
        {
            Interlocked.Exchange(ref _out[replica], 1);
            while (Volatile.Read(ref _inFlight[replica]) > 0) await Task.Delay(5);
            await Processes[replica].KillAsync();
            await Task.Delay(down);
            await Processes[replica].RestartAsync();
            // Connections to the killed process are dead: a new client rather than a pool that may hand one out.
            Interlocked.Exchange(ref _clients[replica], NewClient(Processes[replica])).Dispose();
            Interlocked.Exchange(ref _out[replica], 0);
        }

        private HttpClient NewClient(ServiceProcess process)
        {
            var client = process.CreateClient();
            client.Timeout = TimeSpan.FromSeconds(60);
            if (_apiKey is not null) client.DefaultRequestHeaders.Authorization = new("Bearer", _apiKey);
            if (_userAgent is not null) client.DefaultRequestHeaders.UserAgent.ParseAdd(_userAgent);
            return client;
        }

        public void Dispose()
        {
            foreach (var client in _clients) client.Dispose();
        }
    }
}

internal static class ReplicaIndices
{
    public static IEnumerable<int> Indices<T>(this T[] array) => Enumerable.Range(0, array.Length);
}
