using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ConsentPlatform.Consent;
using ConsentPlatform.Consent.Gate;
using ConsentPlatform.Consent.Import;
using ConsentPlatform.Contracts;
using ConsentPlatform.ServiceDefaults;
using ConsentPlatform.ServiceDefaults.Identity;
using ConsentPlatform.Telephony;
using ConsentPlatform.Testing;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ConsentPlatform.Benchmarks.Consent;

/// <summary>
/// Does a bulk import hold up opt-outs? Runs the Consent module in process (Kestrel on loopback,
/// SQLite with the platform's synchronous=FULL, in-memory bus), then issues opt-outs open-loop every
/// <c>--interval-ms</c>: each is an <see cref="OptOutRequested"/> published on the bus, as Responses,
/// Notices and Directory send them, and its latency runs until the gate index denies the number (the
/// opt-out has taken effect). First for <c>--baseline-seconds</c> without an import, then while
/// <c>--rows</c> registrations are imported through <c>POST /api/consent/events/{id}/imports</c>.
/// Prints the import's wall time, the longest write transaction the import held (the importer's
/// <see cref="ImportMetrics.WriteTransactionName"/> histogram) and opt-out latency p50/p99/max for both phases.
/// <c>--existing N</c> first imports N other registrations (in files of 20,000), so the import lands in a ledger whose
/// indexes are already spread over many pages. <c>--db postgres</c> puts the Consent and identity databases on a private
/// PostgreSQL 15 cluster with its durable defaults instead.
/// <code>
/// dotnet run -c Release --project tests/ConsentPlatform.Benchmarks -- consent-import [--rows 20000] [--channels "call sms"]
///     [--interval-ms 50] [--baseline-seconds 5] [--existing 0] [--db sqlite|postgres]
/// </code>
/// </summary>
public static class ConsentImportBenchmark
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private static readonly byte[] HashKey = Enumerable.Range(3, 32).Select(i => (byte)i).ToArray();

    private sealed record Settings(int Rows, string[] Channels, int IntervalMs, int BaselineSeconds, int Existing, bool Postgres);

    public static async Task<int> RunAsync(string[] args)
    {
        Settings settings;
        try { settings = Parse(args); }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }
        Console.WriteLine($"consent-import: {settings.Rows:N0} registrations × channels [{string.Join(' ', settings.Channels)}], an opt-out every {settings.IntervalMs} ms, " +
                          $"{Environment.ProcessorCount} cores; {(settings.Postgres ? "a private PostgreSQL 15 (fsync, synchronous_commit on)" : "SQLite synchronous=FULL")}; figures are from a shared machine unless it was quiet.");

        var held = new ConcurrentQueue<double>();
        using var listener = ListenToImportTransactions(held);
        await using var postgres = settings.Postgres ? await PostgresNode.StartDurableAsync() : null;
        await using var instance = await ConsentInstance.StartAsync(settings.Rows, postgres);

        // A ledger that already holds registrations: index pages are then spread out, as in a service that has run for a while.
        for (var loaded = 0; loaded < settings.Existing; loaded += 20_000)
        {
            var (existingStatus, existingBody) = await instance.ImportAsync(Csv(Math.Min(20_000, settings.Existing - loaded), settings.Channels, first: 30_000_000 + loaded));
            if (existingStatus != 201) throw new InvalidOperationException($"loading existing rows: {existingStatus} {existingBody}");
        }
        if (settings.Existing > 0) Console.WriteLine($"ledger: {settings.Existing:N0} registrations imported before the run");
        // Warm up the import path too (JIT, tiered compilation): a service that has run a while has compiled it.
        var (warmStatus, warmBody) = await instance.ImportAsync(Csv(2_000, settings.Channels, first: 50_000_000));
        if (warmStatus != 201) throw new InvalidOperationException($"warm-up import: {warmStatus} {warmBody}");
        held.Clear();

        var csv = Csv(settings.Rows, settings.Channels, first: 10_000_000);
        Console.WriteLine($"file: {Encoding.UTF8.GetByteCount(csv) / 1024.0 / 1024.0:0.0} MiB CSV");

        // Warm up the opt-out path (JIT, pools) so the baseline measures the steady state.
        for (var i = 0; i < 10; i++) await instance.OptOutAsync();

        var baseline = await OptOutsWhileAsync(instance, settings.IntervalMs, Task.Delay(TimeSpan.FromSeconds(settings.BaselineSeconds)));

        var clock = Stopwatch.StartNew();
        var import = instance.ImportAsync(csv);
        var during = await OptOutsWhileAsync(instance, settings.IntervalMs, import);
        var wall = clock.Elapsed;
        var (status, body) = await import;
        if (status != 201)
        {
            Console.Error.WriteLine($"import failed: {status} {body}");
            return 1;
        }

        Console.WriteLine();
        Console.WriteLine($"import: {settings.Rows:N0} registrations, {JsonDocument.Parse(body).RootElement.GetProperty("ledgerRows").GetInt32():N0} ledger rows " +
                          $"in {wall.TotalSeconds.ToString("0.00", Inv)} s wall time (HTTP request to 201)");
        Console.WriteLine(held.IsEmpty
            ? "import write transactions: none recorded"
            : $"import write transactions: {held.Count}, longest held the writer {held.Max().ToString("0", Inv)} ms, all together {held.Sum().ToString("0", Inv)} ms");
        Print("opt-out latency without an import", baseline);
        Print("opt-out latency during the import ", during);
        return 0;
    }

    private static Settings Parse(string[] args)
    {
        string? Value(string name)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        }
        int Number(string name, int fallback, int min, int max)
        {
            var raw = Value(name);
            if (raw is null) return fallback;
            return int.TryParse(raw, NumberStyles.Integer, Inv, out var v) && v >= min && v <= max
                ? v
                : throw new ArgumentException($"{name}: '{raw}' is not a whole number {min}-{max}.");
        }
        var channels = (Value("--channels") ?? "call sms").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (channels.Length == 0 || channels.Any(c => c is not ("call" or "sms" or "email")))
            throw new ArgumentException("--channels: a space-separated list of call, sms, email.");
        return new Settings(Number("--rows", 20_000, 1, 10_000_000), channels, Number("--interval-ms", 50, 5, 10_000), Number("--baseline-seconds", 5, 1, 600),
            Number("--existing", 0, 0, 10_000_000), (Value("--db") ?? "sqlite") switch
            {
                "sqlite" => false,
                "postgres" => true,
                var other => throw new ArgumentException($"--db: '{other}' is not sqlite or postgres."),
            });
    }

    private static MeterListener ListenToImportTransactions(ConcurrentQueue<double> held)
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == ImportMetrics.MeterName && instrument.Name == ImportMetrics.WriteTransactionName) l.EnableMeasurementEvents(instrument);
            },
        };
        listener.SetMeasurementEventCallback<double>((_, value, _, _) => held.Enqueue(value));
        listener.Start();
        return listener;
    }

    /// <summary>Open loop: one opt-out every interval until <paramref name="until"/> ends, each timed on its own, then waits for the stragglers.</summary>
    private static async Task<List<double>> OptOutsWhileAsync(ConsentInstance instance, int intervalMs, Task until)
    {
        var running = new List<Task<double>>();
        using var ticks = new PeriodicTimer(TimeSpan.FromMilliseconds(intervalMs));
        while (!until.IsCompleted)
        {
            running.Add(instance.OptOutAsync());
            await Task.WhenAny(ticks.WaitForNextTickAsync().AsTask(), until);
        }
        return [.. await Task.WhenAll(running)];
    }

    private static void Print(string label, List<double> latencies)
    {
        if (latencies.Count == 0)
        {
            Console.WriteLine($"{label}: no opt-outs issued");
            return;
        }
        latencies.Sort();
        double At(double quantile) => latencies[Math.Clamp((int)Math.Ceiling(quantile * latencies.Count) - 1, 0, latencies.Count - 1)];
        Console.WriteLine($"{label}: n={latencies.Count}, p50 {At(0.50).ToString("0.0", Inv)} ms, p99 {At(0.99).ToString("0.0", Inv)} ms, " +
                          $"max {latencies[^1].ToString("0.0", Inv)} ms");
    }

    /// <summary>Paper-form registrations with distinct mobile numbers and the provenance an import requires.</summary>
    private static string Csv(int rows, string[] channels, int first)
    {
        var csv = new StringBuilder(rows * 260);
        csv.Append("phone,email,channels,language,source,collected_at,text_shown,text_reference,capture_method,evidence\r\n");
        var collected = DateTimeOffset.UtcNow.AddDays(-30).ToOffset(TimeSpan.FromHours(9)).ToString("yyyy-MM-dd'T'HH:mm:ssK", Inv);
        var withEmail = channels.Contains("email");
        for (var i = 0; i < rows; i++)
        {
            csv.Append(Inv, $"+8190{first + i},{(withEmail ? $"person{first + i}@example.jp" : "")},{string.Join(' ', channels)},ja,Tokyo Expo 2026 booth,{collected},");
            csv.Append(Inv, $"お電話とSMSでのご連絡に同意します。,paper form v3,paper_form,Paper form #{i:D6} scanned to DMS folder expo-2026\r\n");
        }
        return csv.ToString();
    }

    private sealed class ConsentInstance : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly string _folder;
        private readonly HttpClient _client;
        private readonly string _organizationId;
        private readonly string _eventId;
        private readonly IBus _bus;
        private readonly GateIndex _index;
        private readonly PhoneNumberHasher _hasher;
        private readonly ConcurrentDictionary<Waiter, byte> _waiting = new();
        private readonly CancellationTokenSource _stopping = new();
        private readonly Thread _watching;
        private int _nextOptOut;

        private ConsentInstance(WebApplication app, string folder, HttpClient client, string organizationId, string eventId)
        {
            _app = app;
            _folder = folder;
            _client = client;
            _organizationId = organizationId;
            _eventId = eventId;
            _bus = app.Services.GetRequiredService<IBus>();
            _index = app.Services.GetRequiredService<GateIndex>();
            _hasher = app.Services.GetRequiredService<PhoneNumberHasher>();
            _watching = new Thread(Watch) { IsBackground = true, Name = "opt-out watch" };
            _watching.Start();
        }

        public static async Task<ConsentInstance> StartAsync(int rows, PostgresNode? postgres)
        {
            var folder = Path.Combine(Path.GetTempPath(), "cp-consent-import-" + Guid.NewGuid().ToString("N"));
            System.IO.Directory.CreateDirectory(folder);
            var port = FreePort.Next();
            var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production", ContentRootPath = folder });
            var settings = new Dictionary<string, string?>
            {
                ["Database:DataFolder"] = folder,
                ["Hashing:Key"] = Convert.ToBase64String(HashKey),
                ["RateLimiting:PublicRequestsPerMinute"] = "10000000",
                ["Consent:ImportMaxRows"] = Math.Max(rows, 20_000).ToString(Inv),
                ["Consent:ImportMaxBytes"] = (1024L * 1024 * 1024).ToString(Inv),
            };
            if (postgres is not null)
            {
                settings["Database:Provider"] = "PostgreSql";
                settings["ConnectionStrings:Consent"] = await postgres.CreateDatabaseAsync("consent");
                settings["ConnectionStrings:Identity"] = await postgres.CreateDatabaseAsync("identity");
            }
            builder.Configuration.AddInMemoryCollection(settings);
            builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
            builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = null);
            builder.AddServiceDefaults(ConsentService.Module);
            builder.Logging.ClearProviders();
            builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Error);
            builder.Logging.AddFilter("MassTransit", LogLevel.Critical);
            var app = builder.Build();
            app.MapServiceDefaults();
            await app.StartAsync();

            var identity = app.Services.GetRequiredService<IdentityStore>();
            var org = await identity.CreateOrganizationAsync("Bench K.K.");
            var key = await identity.CreateKeyAsync(org.Id, [Scopes.Consent], "bench");
            var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(30) };
            client.DefaultRequestHeaders.Authorization = new("Bearer", key.Key);
            var created = await client.PostAsJsonAsync("/api/consent/events", new
            {
                title = "Import bench", startsOn = "2026-04-01", endsOn = "2026-04-02", purpose = "seminar",
                purposeText = new { ja = "セミナーのご案内のため", en = "To follow up on the seminar" },
                channels = new[] { "call", "sms", "email" },
                texts = new Dictionary<string, object>
                {
                    ["call"] = new { ja = "お電話でのご連絡に同意します。", en = "I agree to be called." },
                    ["sms"] = new { ja = "SMSでのご案内に同意します。", en = "I agree to receive SMS." },
                    ["email"] = new { ja = "メールでのご案内に同意します。", en = "I agree to receive email." },
                },
                senderLegalName = "Bench Kabushiki Kaisha", lifetimeMonths = 12, allowedOrigins = new[] { "https://events.example.com" }, thirdParties = Array.Empty<string>(),
            });
            var json = await created.Content.ReadFromJsonAsync<JsonElement>();
            if (!created.IsSuccessStatusCode) throw new InvalidOperationException($"create event: {(int)created.StatusCode} {json}");
            return new ConsentInstance(app, folder, client, org.Id, json.GetProperty("id").GetString()!);
        }

        public async Task<(int Status, string Body)> ImportAsync(string csv)
        {
            using var response = await _client.PostAsync($"/api/consent/events/{_eventId}/imports", new StringContent(csv, Encoding.UTF8, "text/csv"));
            return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
        }

        /// <summary>Publishes an opt-out for a number nobody opted out before and waits until the gate knows it; milliseconds.</summary>
        public async Task<double> OptOutAsync()
        {
            var n = Interlocked.Increment(ref _nextOptOut);
            var hash = _hasher.Hash(PhoneNumbers.Parse("+8180" + (20_000_000 + n).ToString(Inv), "JP").Number);
            var waiter = new Waiter(ContactKey.Parse(hash), Stopwatch.GetTimestamp());
            _waiting[waiter] = 0;
            await _bus.Publish(new OptOutRequested
            {
                RequestId = Guid.NewGuid(), ContactHash = hash, OrganizationId = _organizationId, Channels = [], Purpose = null,
                Source = "responses", RequestedAt = DateTimeOffset.UtcNow,
            });
            return await waiter.Done.Task;
        }

        private sealed record Waiter(ContactKey Key, long Started)
        {
            public TaskCompletionSource<double> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        /// <summary>
        /// One thread watches every outstanding opt-out: a timer per opt-out, or a pool-thread loop, would wake the
        /// thread pool thousands of times a second while an import blocks them, and on two cores the pool's spinning
        /// competes with the import being measured. The gate index is updated after the consumer's commit: from then
        /// on every check denies.
        /// </summary>
        private void Watch()
        {
            while (!_stopping.IsCancellationRequested)
            {
                foreach (var waiter in _waiting.Keys)
                {
                    if (_index.Find(waiter.Key) is not { Suppressions.Length: > 0 }) continue;
                    _waiting.TryRemove(waiter, out _);
                    waiter.Done.TrySetResult(Stopwatch.GetElapsedTime(waiter.Started).TotalMilliseconds);
                }
                Thread.Sleep(1);
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stopping.CancelAsync();
            _watching.Join();
            _stopping.Dispose();
            _client.Dispose();
            await _app.StopAsync();
            await _app.DisposeAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { System.IO.Directory.Delete(_folder, recursive: true); }
            catch (IOException) { /* a file still closing; the temp folder is cleaned eventually */ }
        }
    }
}
