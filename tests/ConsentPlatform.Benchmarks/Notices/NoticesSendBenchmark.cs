using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using ConsentPlatform.Contracts;
using ConsentPlatform.Notices;
using ConsentPlatform.Notices.Replica;
using ConsentPlatform.Notices.Sending;
using ConsentPlatform.ServiceDefaults;
using ConsentPlatform.ServiceDefaults.Identity;
using ConsentPlatform.Telephony;
using ConsentPlatform.Testing;
using Dapper;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ConsentPlatform.Benchmarks.Notices;

/// <summary>
/// Acceptance 6 (issue 5), "notices through the fake Twilio at the configured rate without the
/// backlog growing without bound", and acceptance 3, "the per-sender rate never exceeded in any
/// one-second window". Runs the Notices module in process (Kestrel on loopback, SQLite, in-memory
/// bus) against a fake Twilio, offers pre-call notices over the HTTP API at a fixed rate (open loop)
/// and prints, per second, what was offered, planned and taken by the provider and the backlog
/// (offered, not yet taken), then the sent rate, the backlog's slope over the last third, the most
/// requests the provider saw in any sliding one-second window, and a verdict.
/// <para>
/// The configured rate is the sending rate S = R × 1000 / (1000 + J) that Sms:RatePerSecond (R, the
/// provider's ceiling) and Sms:RateJitterMilliseconds (J) give (ADR 13): no sender can sustain R itself
/// and keep every sliding second at the provider at R. Runs, each on a fresh instance: offered S (the
/// backlog must stay bounded), offered R (the sender must run at its full S, so the backlog grows by
/// R − S and no faster), offered R × over (the ceiling holds), and a closed-loop run with the limit
/// lifted to find the most one instance sustains. In every run the provider must never see more than
/// R requests in a second. Exit code 0 on PASS.
/// </para>
/// <code>
/// dotnet run -c Release --project tests/ConsentPlatform.Benchmarks -- notices-send [--rate 20] [--seconds 20] [--over 1.25] [--skip-ceiling]
///     [--jitter-ms 10] [--concurrency 8] [--max-seconds 15] [--max-clients 8] [--skip-over] [--skip-max] [--throttle 0.3]
/// </code>
/// </summary>
public static class NoticesSendBenchmark
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private static readonly byte[] HashKey = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
    private const string CallingNumber = "+81312345678";

    private sealed record Settings(double Rate, int Seconds, double Over, int MaxSeconds, int MaxClients, bool SkipMax, bool SkipOver, bool SkipCeiling, double Throttle, int Concurrency, int JitterMs)
    {
        /// <summary>The sending rate S the ceiling R and the allowance J give: what the sender is configured to send at.</summary>
        public double SendingRate => new SenderPacing(null!, Rate, JitterMs).SustainedPerSecond;
    }

    private sealed record RunResult(double Offered, double Sustained, double SentRate, double Slope, bool Bounded, int Worst, long NotPlanned);

    private sealed record Sample(double At, long Offered, long Planned, long Sent, long Backlog, long InFlight);

    public static async Task<int> RunAsync(string[] args)
    {
        Settings settings;
        try { settings = Parse(args); }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }
        Console.WriteLine($"notices-send: Sms:RatePerSecond={settings.Rate.ToString(Inv)}, Sms:SendConcurrency={settings.Concurrency}, {settings.Seconds} s per run, {Environment.ProcessorCount} cores, " +
                          $"fake 429 share {settings.Throttle.ToString(Inv)}; SQLite synchronous=FULL; figures are from a shared machine unless it was quiet.");

        var sending = settings.SendingRate;
        var atRate = await RunOpenLoopAsync(settings, settings.Rate, sending);
        var atCeiling = settings.SkipCeiling ? null : await RunOpenLoopAsync(settings, settings.Rate, settings.Rate);
        var above = settings.SkipOver ? null : await RunOpenLoopAsync(settings, settings.Rate, settings.Rate * settings.Over);
        Console.WriteLine();
        Console.WriteLine($"summary (Sms:RatePerSecond={settings.Rate.ToString(Inv)} is the ceiling R, Sms:RateJitterMilliseconds={settings.JitterMs}: " +
                          $"configured sending rate S = {sending.ToString("0.00", Inv)}/s):");
        string Ceiling(RunResult run) => $"busiest second at the provider {run.Worst} → {(run.Worst <= settings.Rate ? "within the ceiling" : "CEILING EXCEEDED")}";
        Console.WriteLine($"  offered S = {atRate.Offered.ToString("0.00", Inv)}/s: sent {atRate.SentRate.ToString("0.00", Inv)}/s, backlog last-third slope " +
                          $"{atRate.Slope.ToString("0.00", Inv)} msg/s → {(atRate.Bounded ? "BOUNDED" : "GROWING")}; {Ceiling(atRate)}");
        // At the ceiling the offer exceeds S by R − S: the backlog must grow by that and no more, which shows the sender at its full rate.
        var ceilingGrowth = settings.Rate - sending;
        var fullRate = atCeiling is null || atCeiling.Slope <= ceilingGrowth + Math.Max(0.25, settings.Rate * 0.01);
        if (atCeiling is not null)
            Console.WriteLine($"  offered R = {atCeiling.Offered.ToString("0.00", Inv)}/s: sent {atCeiling.SentRate.ToString("0.00", Inv)}/s, backlog slope {atCeiling.Slope.ToString("0.00", Inv)} msg/s " +
                              $"(R − S = {ceilingGrowth.ToString("0.00", Inv)}) → {(fullRate ? "the sender runs at its full rate" : "SENDER BELOW ITS RATE")}; {Ceiling(atCeiling)}");
        if (above is not null)
            Console.WriteLine($"  offered {above.Offered.ToString("0.0", Inv)}/s (above the ceiling): sent {above.SentRate.ToString("0.00", Inv)}/s, backlog slope " +
                              $"{above.Slope.ToString("0.00", Inv)} msg/s → {(above.Bounded ? "bounded" : "grows, as it must")}; {Ceiling(above)}");
        var runs = new[] { atRate, atCeiling, above }.OfType<RunResult>().ToList();
        // A refused or failed plan is not a notice offered: such a run measures nothing.
        if (runs.Sum(r => r.NotPlanned) is > 0 and var notPlanned) Console.WriteLine($"  {notPlanned} offers were refused or failed: the runs are not valid");
        var verdict = atRate.Bounded && fullRate && runs.All(r => r.Worst <= settings.Rate && r.NotPlanned == 0);
        Console.WriteLine($"verdict: {(verdict ? "PASS" : "FAIL")} (backlog bounded at the configured sending rate, the sender at its full rate at the ceiling, " +
                          "and the ceiling never exceeded in any sliding one-second window)");
        if (!settings.SkipMax) await RunClosedLoopAsync(settings);
        return verdict ? 0 : 1;
    }

    private static Settings Parse(string[] args)
    {
        string? Value(string name)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        }
        double Number(string name, double fallback, double min, double max)
        {
            var raw = Value(name);
            if (raw is null) return fallback;
            return double.TryParse(raw, NumberStyles.Float, Inv, out var v) && v >= min && v <= max
                ? v
                : throw new ArgumentException($"{name}: '{raw}' is not a number {min}-{max}.");
        }
        return new Settings(Number("--rate", 20, 0.5, 5_000), (int)Number("--seconds", 20, 3, 3_600), Number("--over", 1.25, 1.01, 10),
            (int)Number("--max-seconds", 15, 3, 3_600), (int)Number("--max-clients", 8, 1, 256), args.Contains("--skip-max"), args.Contains("--skip-over"), args.Contains("--skip-ceiling"), Number("--throttle", 0, 0, 0.9),
            (int)Number("--concurrency", new NoticesOptions().SendConcurrency, 1, 64), (int)Number("--jitter-ms", new NoticesOptions().RateJitterMilliseconds, 2, 500));
    }

    /// <summary>
    /// Offers <paramref name="offered"/> notices per second for the configured time. The backlog is every notice offered
    /// and not yet taken by the provider (plan requests in flight plus the send queue); it is bounded when its slope over
    /// the last third of the offer is within max(0.25, 1% of the ceiling) msg/s of zero: a sender 1% under its offer
    /// grows it by 1% of the offer per second, which this still calls growing.
    /// </summary>
    private static async Task<RunResult> RunOpenLoopAsync(Settings settings, double limit, double offered)
    {
        Console.WriteLine();
        Console.WriteLine($"== offered {offered.ToString("0.##", Inv)}/s against a ceiling of {limit.ToString(Inv)}/s for {settings.Seconds} s ==");
        await using var fake = await FakeTwilio.StartAsync();
        // A share of requests answered 429 (Twilio 20429) before anything is taken.
        if (settings.Throttle > 0) fake.NextFault = () => Random.Shared.NextDouble() < settings.Throttle ? FakeFault.TooManyRequests : FakeFault.None;
        var total = (int)Math.Ceiling(offered * settings.Seconds) + 10;
        await using var instance = await NoticesInstance.StartAsync(fake, limit, settings.Concurrency, total, settings.JitterMs);

        var planned = 0L;
        var refused = 0L;
        var errors = 0L;
        var inFlight = 0L;
        var issued = 0L;
        var samples = new List<Sample>();
        var sampling = SampleAsync(instance, fake, () => issued, () => Interlocked.Read(ref planned), () => Interlocked.Read(ref inFlight), samples, out var stopSampling);

        var clock = Stopwatch.StartNew();
        var requests = new List<Task>(total);
        while (clock.Elapsed < TimeSpan.FromSeconds(settings.Seconds))
        {
            var due = (long)(clock.Elapsed.TotalSeconds * offered);
            while (issued < due && issued < instance.Numbers.Count)
            {
                var number = instance.Numbers[(int)issued++];
                Interlocked.Increment(ref inFlight);
                requests.Add(Task.Run(async () =>
                {
                    try
                    {
                        var result = await instance.PlanAsync(number);
                        if (result is null) Interlocked.Increment(ref planned);
                        else if (result == "error") Interlocked.Increment(ref errors);
                        else Interlocked.Increment(ref refused);
                    }
                    finally { Interlocked.Decrement(ref inFlight); }
                }));
            }
            await Task.Delay(5);
        }
        await Task.WhenAll(requests);
        var offeringEnded = clock.Elapsed.TotalSeconds;

        // Let the queue drain: at the limit this takes the backlog's worth of seconds.
        var drainBy = clock.Elapsed + TimeSpan.FromSeconds(await instance.BacklogAsync() / limit * 1.5 + 10);
        while (await instance.BacklogAsync() > 0 && clock.Elapsed < drainBy) await Task.Delay(250);
        var drained = clock.Elapsed.TotalSeconds - offeringEnded;
        stopSampling.Cancel();
        await sampling;

        var during = samples.Where(s => s.At <= offeringEnded).ToList();
        var lastThird = during.Where(s => s.At >= offeringEnded * 2 / 3).ToList();
        var slope = Slope(lastThird.Select(s => (s.At, (double)(s.Backlog + s.InFlight))).ToList());
        var bounded = slope <= Math.Max(0.25, limit * 0.01);
        // After the first third: the start-up of an empty queue is not the sustained rate.
        var steady = during.Where(s => s.At >= offeringEnded / 3).ToList();
        var sentRate = steady.Count > 1 ? (steady[^1].Sent - steady[0].Sent) / (steady[^1].At - steady[0].At) : 0;
        var worst = WorstWindow(fake.Arrivals.Order().ToArray());
        var bodies = fake.Accepted.Select(m => m.Body).ToList();
        Console.WriteLine($"planned {planned} (refused {refused}, errors {errors}) in {offeringEnded:0.0} s; provider took {fake.AcceptedCount}, " +
                          $"duplicates {bodies.Count - bodies.Distinct().Count()}; requests at the provider {fake.Arrivals.Count}");
        Console.WriteLine($"offered {offered:0.00}/s; sent {sentRate:0.00}/s after the first third (sender sustains at most {instance.Sustained:0.00}/s); " +
                          $"backlog slope over the last third {slope:0.00} msg/s → {(bounded ? "bounded" : "growing")}; " +
                          $"max backlog {samples.Select(s => s.Backlog + s.InFlight).DefaultIfEmpty(0).Max()}; drained {drained:0.0} s after the offer stopped");
        Console.WriteLine($"most requests at the provider in any 1 s window: {worst} (limit {limit.ToString(Inv)}) → {(worst <= limit ? "within the limit" : "LIMIT EXCEEDED")}; " +
                          $"late wake-ups kept by moving the later slots: {instance.PostponedSlots}, slots let go: {instance.LateSlots}");
        return new RunResult(offered, instance.Sustained, sentRate, slope, bounded, worst, Interlocked.Read(ref refused) + Interlocked.Read(ref errors));
    }

    /// <summary>No rate limit, several clients planning as fast as answers come back: the most one instance sustains.</summary>
    private static async Task RunClosedLoopAsync(Settings settings)
    {
        Console.WriteLine();
        Console.WriteLine($"== max: Sms:RatePerSecond=5000, {settings.MaxClients} clients planning back to back for {settings.MaxSeconds} s ==");
        await using var fake = await FakeTwilio.StartAsync();
        await using var instance = await NoticesInstance.StartAsync(fake, 5_000, sendConcurrency: 16, settings.MaxSeconds * 1_500);
        var next = -1;
        var planned = 0L;
        var samples = new List<Sample>();
        var sampling = SampleAsync(instance, fake, () => Interlocked.Read(ref planned), () => Interlocked.Read(ref planned), () => settings.MaxClients, samples, out var stopSampling);
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, settings.MaxClients).Select(_ => Task.Run(async () =>
        {
            while (clock.Elapsed < TimeSpan.FromSeconds(settings.MaxSeconds))
            {
                var i = Interlocked.Increment(ref next);
                if (i >= instance.Numbers.Count) break;
                if (await instance.PlanAsync(instance.Numbers[i]) is null) Interlocked.Increment(ref planned);
            }
        })));
        var elapsed = clock.Elapsed.TotalSeconds;
        var backlogAtEnd = await instance.BacklogAsync();
        var sentAtEnd = fake.AcceptedCount;
        var drainBy = clock.Elapsed + TimeSpan.FromSeconds(60);
        while (await instance.BacklogAsync() > 0 && clock.Elapsed < drainBy) await Task.Delay(250);
        stopSampling.Cancel();
        await sampling;
        var sendRate = sentAtEnd / elapsed;
        var planRate = planned / elapsed;
        Console.WriteLine($"planned {planned} in {elapsed:0.0} s = {planRate:0.0}/s; provider took {sentAtEnd} = {sendRate:0.0}/s; backlog at the end {backlogAtEnd}; " +
                          $"drained {(clock.Elapsed.TotalSeconds - elapsed):0.0} s later");
        Console.WriteLine($"max sustained by one instance ≈ {Math.Min(planRate, sendRate):0.0} notices/s (the lower of planning and sending)");
    }

    private static Task SampleAsync(NoticesInstance instance, FakeTwilio fake, Func<long> offered, Func<long> planned, Func<long> inFlight,
        List<Sample> samples, out CancellationTokenSource stop)
    {
        var cancel = stop = new CancellationTokenSource();
        return Task.Run(async () =>
        {
            var clock = Stopwatch.StartNew();
            var previous = new Sample(0, 0, 0, 0, 0, 0);
            Console.WriteLine("   t(s)  offered/s  planned/s  sent/s  queued  planning  backlog");
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
            try
            {
                while (await timer.WaitForNextTickAsync(cancel.Token))
                {
                    var sample = new Sample(clock.Elapsed.TotalSeconds, offered(), planned(), fake.AcceptedCount, await instance.BacklogAsync(), inFlight());
                    samples.Add(sample);
                    Console.WriteLine($"{sample.At,7:0.0}  {sample.Offered - previous.Offered,9}  {sample.Planned - previous.Planned,9}  {sample.Sent - previous.Sent,6}  " +
                                      $"{sample.Backlog,6}  {sample.InFlight,8}  {sample.Backlog + sample.InFlight,7}");
                    previous = sample;
                }
            }
            catch (OperationCanceledException) { }
        });
    }

    /// <summary>Least-squares slope of y over x.</summary>
    private static double Slope(List<(double X, double Y)> points)
    {
        if (points.Count < 2) return 0;
        var mx = points.Average(p => p.X);
        var my = points.Average(p => p.Y);
        var den = points.Sum(p => (p.X - mx) * (p.X - mx));
        return den == 0 ? 0 : points.Sum(p => (p.X - mx) * (p.Y - my)) / den;
    }

    private static int WorstWindow(long[] arrivals)
    {
        var worst = 0;
        for (int i = 0, j = 0; i < arrivals.Length; i++)
        {
            while (arrivals[i] - arrivals[j] >= Stopwatch.Frequency) j++;
            worst = Math.Max(worst, i - j + 1);
        }
        return worst;
    }

    /// <summary>The Notices module on loopback Kestrel with its own data folder, an organization, a published calling number and consented recipients.</summary>
    private sealed class NoticesInstance : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly string _folder;
        private readonly HttpClient _client;
        private readonly NoticesDatabase _database;

        private NoticesInstance(WebApplication app, string folder, HttpClient client, IReadOnlyList<string> numbers)
        {
            _app = app;
            _folder = folder;
            _client = client;
            Numbers = numbers;
            _database = app.Services.GetRequiredService<NoticesDatabase>();
        }

        public IReadOnlyList<string> Numbers { get; }

        public long LateSlots => _app.Services.GetRequiredService<SenderPacing>().LateSlots;

        public long PostponedSlots => _app.Services.GetRequiredService<SenderPacing>().PostponedSlots;

        public double Sustained => _app.Services.GetRequiredService<SenderPacing>().SustainedPerSecond;

        public static async Task<NoticesInstance> StartAsync(FakeTwilio fake, double rate, int sendConcurrency, int recipients, int? jitterMs = null)
        {
            var folder = Path.Combine(Path.GetTempPath(), "cp-notices-send-" + Guid.NewGuid().ToString("N"));
            System.IO.Directory.CreateDirectory(folder);
            var port = FreePort.Next();
            var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production", ContentRootPath = folder });
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Database:DataFolder"] = folder,
                ["Hashing:Key"] = Convert.ToBase64String(HashKey),
                ["RateLimiting:PublicRequestsPerMinute"] = "10000000",
                ["Sms:Provider"] = "Twilio",
                ["Sms:Twilio:AccountSid"] = FakeTwilio.AccountSid,
                ["Sms:Twilio:AuthToken"] = FakeTwilio.AuthToken,
                ["Sms:Twilio:From"] = "+15005550006",
                ["Sms:Twilio:BaseUrl"] = fake.BaseAddress.ToString(),
                ["Sms:RatePerSecond"] = rate.ToString(Inv),
                ["Sms:SendConcurrency"] = sendConcurrency.ToString(Inv),
                ["Notices:PublicBaseUrl"] = $"http://127.0.0.1:{port}",
                ["Notices:ShortLinkBaseUrl"] = "https://links.example.test/r/",
                ["Sms:RateJitterMilliseconds"] = jitterMs?.ToString(Inv),
            });
            builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
            builder.AddServiceDefaults(NoticesService.Module);
            builder.Logging.ClearProviders();
            builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Error);
            // The relay's publishes cancelled at shutdown are reported as faults; they say nothing about the run.
            builder.Logging.AddFilter("MassTransit", LogLevel.Critical);
            var app = builder.Build();
            app.MapServiceDefaults();
            await app.StartAsync();

            var identity = app.Services.GetRequiredService<IdentityStore>();
            var org = await identity.CreateOrganizationAsync("Bench K.K.");
            var key = await identity.CreateKeyAsync(org.Id, [Scopes.Notices], "bench");
            var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(60) };
            client.DefaultRequestHeaders.Authorization = new("Bearer", key.Key);

            var numbers = Enumerable.Range(0, recipients).Select(i => "+8190" + (10_000_000 + i).ToString(Inv)).ToList();
            await PrepareAsync(app.Services, org.Id, numbers);
            return new NoticesInstance(app, folder, client, numbers);
        }

        /// <summary>What Directory and Consent would have sent: the calling number, the event purpose, every recipient's SMS consent, and an all-day window.</summary>
        private static async Task PrepareAsync(IServiceProvider services, string organizationId, IReadOnlyList<string> numbers)
        {
            var database = services.GetRequiredService<NoticesDatabase>();
            var hasher = services.GetRequiredService<PhoneNumberHasher>();
            // The store reloads the index for what each transaction wrote once it commits.
            var replica = services.GetRequiredService<ReplicaStore>();
            var now = DateTimeOffset.UtcNow;
            await using (var tx = await database.BeginAsync())
            {
                await replica.PublishCallerNumberAsync(tx, new CallerNumberPublished
                {
                    OrganizationId = organizationId, CallerNumberId = Guid.NewGuid(), PhoneNumber = CallingNumber, PublishedAt = now.AddDays(-1),
                });
                await ConsentPlatform.Notices.Replica.Purposes.SaveAsync(tx, new EventPurposeSaved { EventId = "ev_bench", OrganizationId = organizationId, Purpose = "sales", SavedAt = now });
                await tx.CommitAsync();
            }
            foreach (var chunk in numbers.Chunk(5_000))
            {
                await using var tx = await database.BeginAsync();
                foreach (var number in chunk)
                {
                    var hash = hasher.Hash(PhoneNumbers.Parse(number).Number);
                    await replica.RecordConsentAsync(tx, "r:" + Guid.NewGuid(), "recorded", hash, organizationId, Channels.Sms, "sales", now.AddDays(-1), null);
                }
                await tx.CommitAsync();
            }
            // Open all day but one minute twelve hours from now (windows may run over midnight): "00:00–23:59"
            // refused every notice in the minute before midnight in Tokyo, whenever a run crossed it.
            var far = TimeOnly.FromTimeSpan(DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(9)).TimeOfDay).Add(TimeSpan.FromHours(12));
            await services.GetRequiredService<RulesStore>().SaveAsync(organizationId, new OrganizationRules(far.AddMinutes(1), far, 1_000, 1), default);
        }

        /// <summary>Null when the pre-call notice was queued; the refusal reason, or "error".</summary>
        public async Task<string?> PlanAsync(string number)
        {
            try
            {
                using var response = await _client.PostAsJsonAsync("/api/notices/calls", new
                {
                    phoneNumber = number, callerName = "山田", topic = "新サービスのご案内", callingNumber = CallingNumber, purpose = "sales",
                });
                if (!response.IsSuccessStatusCode) return "error";
                var call = await response.Content.ReadFromJsonAsync<JsonElement>();
                var reason = call.GetProperty("notices")[0].GetProperty("reason");
                return reason.ValueKind == JsonValueKind.Null ? null : reason.GetString();
            }
            catch (HttpRequestException)
            {
                return "error";
            }
        }

        public async Task<long> BacklogAsync()
        {
            await using var connection = await _database.OpenAsync();
            return await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM outgoing_messages WHERE status IN ('pending', 'sending', 'unknown')");
        }

        public async ValueTask DisposeAsync()
        {
            _client.Dispose();
            await _app.StopAsync();
            await _app.DisposeAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { System.IO.Directory.Delete(_folder, recursive: true); } catch (IOException) { }
        }
    }
}
