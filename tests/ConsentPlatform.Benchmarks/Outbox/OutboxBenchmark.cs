using System.Diagnostics;
using System.Globalization;
using ConsentPlatform.Contracts;
using ConsentPlatform.ServiceDefaults;
using ConsentPlatform.ServiceDefaults.Data;
using ConsentPlatform.ServiceDefaults.Messaging;
using PlatformOutbox = ConsentPlatform.ServiceDefaults.Messaging.Outbox;
using ConsentPlatform.Testing;
using Dapper;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ConsentPlatform.Benchmarks.Outbox;

/// <summary>
/// End-to-end harness for the messaging path every service uses: producers write through the
/// transactional outbox on SQLite (WAL, synchronous=FULL), the real <see cref="OutboxRelay{TDatabase}"/>
/// publishes to RabbitMQ with publisher confirms, and a consumer records each message through the
/// inbox in its own SQLite database. Open-loop producers, 5 s warm-up, then a measured window.
/// See Outbox/README.md.
/// </summary>
public static class OutboxBenchmark
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static async Task<int> RunAsync(string[] args)
    {
        OutboxBenchSettings settings;
        try { settings = OutboxBenchSettings.Parse(args); }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            if (e.Message.Length > 0) Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine(OutboxBenchSettings.Usage);
            return 2;
        }

        if (settings.MinThreads > 0) ThreadPool.SetMinThreads(settings.MinThreads, settings.MinThreads);

        var folder = Path.Combine(Path.GetTempPath(), "cp-outbox-bench-" + Guid.NewGuid().ToString("N")[..8]);
        System.IO.Directory.CreateDirectory(folder);
        RabbitMqNode? node = null;
        PostgresNode? postgres = null;
        try
        {
            var connectionStrings = new Dictionary<string, string?>();
            if (settings.Postgres)
            {
                Console.WriteLine("database: starting a private PostgreSQL cluster …");
                postgres = await PostgresNode.StartDurableAsync();
                foreach (var name in new[] { "benchoutbox", "benchinbox" })
                    connectionStrings["ConnectionStrings:" + ServiceDatabase.ConnectionKey(name)] = await postgres.CreateDatabaseAsync(name);
                Console.WriteLine($"database: {postgres}");
            }
            string host; int port;
            if (settings.Amqp is { } amqp)
            {
                var parts = amqp.Split(':');
                host = parts[0];
                port = parts.Length > 1 ? int.Parse(parts[1], Inv) : 5672;
                Console.WriteLine($"broker: {host}:{port} (given with --amqp)");
            }
            else
            {
                Console.WriteLine("broker: starting a private RabbitMQ node …");
                node = await RabbitMqNode.StartAsync();
                (host, port) = (node.Host, node.Port);
                Console.WriteLine($"broker: {node} started in {node.LastStartDuration.TotalSeconds:0.0} s");
            }
            return await RunWithBrokerAsync(settings, folder, host, port, node, connectionStrings);
        }
        finally
        {
            if (node is not null) await node.DisposeAsync();
            if (postgres is not null) await postgres.DisposeAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            if (settings.Keep) Console.WriteLine($"data kept in {folder}");
            else try { System.IO.Directory.Delete(folder, recursive: true); } catch (IOException) { }
        }
    }

    private static async Task<int> RunWithBrokerAsync(OutboxBenchSettings settings, string folder, string rabbitHost, int rabbitPort, RabbitMqNode? node,
        Dictionary<string, string?> connectionStrings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ContentRootPath = folder });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = settings.Postgres ? "PostgreSql" : "Sqlite",
            ["Database:DataFolder"] = folder,
            ["Hashing:Key"] = Convert.ToBase64String(new byte[32]),
            ["Bus:Transport"] = "RabbitMq",
            ["Bus:RabbitMq:Host"] = rabbitHost,
            ["Bus:RabbitMq:Port"] = rabbitPort.ToString(Inv),
            ["Bus:PrefetchCount"] = settings.Prefetch.ToString(Inv),
            ["Outbox:BatchSize"] = settings.BatchSize.ToString(Inv),
            ["Outbox:PollMilliseconds"] = settings.PollMilliseconds.ToString(Inv),
            ["Outbox:ClaimSeconds"] = settings.ClaimSeconds.ToString(Inv),
        });
        builder.Configuration.AddInMemoryCollection(connectionStrings);
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);

        var options = PlatformOptions.Read(builder.Configuration);
        if (options.Errors.Count > 0) throw new InvalidOperationException(string.Join(Environment.NewLine, options.Errors));

        using var metrics = new BenchMetrics();
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(metrics);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<BenchOutboxDatabase>();
        builder.Services.AddSingleton<BenchInboxDatabase>();

        // The same bus as BusRegistration.AddPlatformBus (internal there): kebab-case endpoints,
        // publisher confirms, the configured prefetch, and a start-up that waits for the broker.
        builder.Services.AddMassTransit(x =>
        {
            x.SetKebabCaseEndpointNameFormatter();
            if (settings.ConsumerBatch > 0) x.AddConsumer<BenchBatchConsumer, BenchBatchConsumerDefinition>();
            else x.AddConsumer<BenchProfileConsumer, BenchProfileConsumerDefinition>();
            x.UsingRabbitMq((context, cfg) =>
            {
                cfg.Host(options.RabbitHost, options.RabbitPort, options.RabbitVirtualHost, h =>
                {
                    h.Username(options.RabbitUsername);
                    h.Password(options.RabbitPassword);
                    h.PublisherConfirmation = true;
                    h.RequestedConnectionTimeout(TimeSpan.FromSeconds(5));
                });
                cfg.PrefetchCount = options.PrefetchCount;
                cfg.ConfigureEndpoints(context);
            });
        });
        builder.Services.AddOptions<MassTransitHostOptions>().Configure(o =>
        {
            o.WaitUntilStarted = true;
            o.StartTimeout = TimeSpan.FromSeconds(options.BusStartTimeoutSeconds);
            o.StopTimeout = TimeSpan.FromSeconds(10);
        });

        // The real relay, registered after the bus as AddServiceDatabase does (one per database
        // in the platform; --relays N adds competing relays on the same database).
        for (var i = 0; i < settings.Relays; i++)
        {
            builder.Services.AddSingleton<IHostedService>(sp => ActivatorUtilities.CreateInstance<OutboxRelay<BenchOutboxDatabase>>(sp));
        }

        using var app = builder.Build();
        var outboxDb = app.Services.GetRequiredService<BenchOutboxDatabase>();
        var inboxDb = app.Services.GetRequiredService<BenchInboxDatabase>();
        foreach (ServiceDatabase db in new ServiceDatabase[] { outboxDb, inboxDb })
        {
            await Migrator.ApplyAsync(db.Name, db.OpenAsync, db.Dialect,
                Migrator.FindScripts(typeof(ServiceDatabase).Assembly, "Migrations", db.Dialect, "platform"), NullLogger.Instance, default);
        }

        await using (var c = await outboxDb.OpenAsync())
        {
            if (settings.Postgres)
            {
                var version = await c.ExecuteScalarAsync<string>("SHOW server_version") ?? "?";
                var commit = await c.ExecuteScalarAsync<string>("SHOW synchronous_commit") ?? "?";
                var fsync = await c.ExecuteScalarAsync<string>("SHOW fsync") ?? "?";
                Console.WriteLine($"machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}, PostgreSQL {version} synchronous_commit={commit} fsync={fsync}");
            }
            else
            {
                var sqliteVersion = await c.ExecuteScalarAsync<string>("SELECT sqlite_version()") ?? "?";
                var journal = await c.ExecuteScalarAsync<string>("PRAGMA journal_mode") ?? "?";
                var busyTimeout = await c.ExecuteScalarAsync<long>("PRAGMA busy_timeout");
                var sync = (await c.ExecuteScalarAsync<long>("PRAGMA synchronous")) switch { 2 => "FULL", 3 => "EXTRA", 1 => "NORMAL", 0 => "OFF", var v => v.ToString(Inv) };
                Console.WriteLine($"machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}, SQLite {sqliteVersion} journal_mode={journal} synchronous={sync} busy_timeout={busyTimeout}, data in {folder}");
            }
        }
        Console.WriteLine($"settings: {settings}");
        ThreadPool.GetMinThreads(out var minWorkers, out _);
        Console.WriteLine($"thread pool: min workers {minWorkers}");

        await app.StartAsync();
        var beamPid = ReadBeamPid(node);
        var result = await DriveAsync(settings, metrics, outboxDb, inboxDb, beamPid);
        await app.StopAsync();
        return result;
    }

    private sealed record Sample(double At, long OutboxBacklog, long InFlight);

    private static async Task<int> DriveAsync(OutboxBenchSettings settings, BenchMetrics metrics, BenchOutboxDatabase outboxDb, BenchInboxDatabase inboxDb, int? beamPid)
    {
        var clock = Stopwatch.StartNew();
        var startedAt = DateTimeOffset.UtcNow;
        var windowStart = startedAt.AddSeconds(settings.WarmupSeconds);
        var windowEnd = windowStart.AddSeconds(settings.Seconds);
        metrics.OpenWindow(windowStart, windowEnd);
        var stopAfter = TimeSpan.FromSeconds(settings.WarmupSeconds + settings.Seconds);
        long sequence = 0, producerErrors = 0, forgiven = 0;
        var windowAfter = TimeSpan.FromSeconds(settings.WarmupSeconds);

        async Task ProduceAsync(int producer)
        {
            var perProducer = settings.Rate / settings.Producers;
            long written = 0;
            var onSchedule = false;
            while (clock.Elapsed < stopAfter)
            {
                if (perProducer > 0)
                {
                    // The window starts on schedule: what a producer fell behind in the warm-up (the tiered JIT's slow
                    // first seconds) is dropped rather than offered on top of --rate inside the window. Lag within the
                    // window is still made up, as an open-loop schedule must.
                    if (!onSchedule && clock.Elapsed >= windowAfter)
                    {
                        onSchedule = true;
                        var owed = (long)(perProducer * windowAfter.TotalSeconds) - written;
                        if (owed > 0) { written += owed; Interlocked.Add(ref forgiven, owed); }
                    }
                    var due = TimeSpan.FromSeconds(written / perProducer);
                    var wait = due - clock.Elapsed;
                    if (wait > TimeSpan.FromMilliseconds(1)) await Task.Delay(wait);
                    else metrics.RecordLag(-wait);
                    if (clock.Elapsed >= stopAfter) break;
                }
                var writtenAt = DateTimeOffset.UtcNow;
                var started = Stopwatch.GetTimestamp();
                try
                {
                    // As a request handler does: its own transaction, the business row(s) and the outbox row(s), commit.
                    await using var transaction = await outboxDb.BeginAsync();
                    for (var k = 0; k < settings.PerTransaction; k++)
                    {
                        PlatformOutbox.Write(transaction, new OrganizationProfileChanged
                        {
                            OrganizationId = $"org_bench_{producer}",
                            Revision = Interlocked.Increment(ref sequence),
                            LegalName = "Benchmark K.K.",
                            ContactEmail = "privacy@example.jp",
                            WebsiteUrl = "https://example.jp",
                            ChangedAt = writtenAt,
                        });
                    }
                    await transaction.CommitAsync();
                    metrics.RecordProduced(settings.PerTransaction, writtenAt, Stopwatch.GetElapsedTime(started));
                }
                catch (Exception e)
                {
                    if (Interlocked.Increment(ref producerErrors) <= 5) Console.Error.WriteLine($"producer {producer}: {e.GetType().Name}: {e.Message}");
                }
                written += settings.PerTransaction;
            }
        }

        var producers = Enumerable.Range(0, settings.Producers).Select(p => Task.Run(() => ProduceAsync(p))).ToArray();

        // Periodic report until the producers stop and the pipeline has drained.
        var samples = new List<Sample>();
        var cpu = new CpuSampler(beamPid);
        var cpuInWindow = new CpuPerMessage();
        long lastProduced = 0, lastPublished = 0, lastConsumed = 0;
        var lastAt = clock.Elapsed;
        var drainDeadline = stopAfter + TimeSpan.FromSeconds(settings.DrainSeconds);
        var reportEvery = TimeSpan.FromSeconds(settings.ReportSeconds);
        var nextReport = reportEvery;
        Console.WriteLine();
        Console.WriteLine("     t  phase     produced/s  published/s  consumed/s  outbox-unsent  in-broker  e2e p50 ms  e2e p99 ms   cpu: all  harness  rabbit  other");
        var drained = false;
        while (true)
        {
            var producing = clock.Elapsed < stopAfter;
            var step = producing ? nextReport - clock.Elapsed : TimeSpan.FromMilliseconds(250);
            if (step > TimeSpan.Zero) await Task.Delay(step);
            var now = clock.Elapsed;
            var backlog = await CountAsync(outboxDb, "SELECT COUNT(*) FROM outbox_messages WHERE sent_at IS NULL");
            var produced = metrics.Produced; var published = metrics.Published; var consumed = metrics.Consumed;
            if (now >= nextReport || (!producing && produced == consumed && backlog == 0))
            {
                var dt = (now - lastAt).TotalSeconds;
                var interval = metrics.TakeInterval(); Array.Sort(interval);
                var (all, self, rabbit) = cpu.Sample();
                var phase = now.TotalSeconds <= settings.WarmupSeconds + 0.01 ? "warm-up" : producing || now <= stopAfter + TimeSpan.FromMilliseconds(50) ? "measured" : "drain";
                Console.WriteLine(string.Create(Inv,
                    $"{now.TotalSeconds,6:0.0}  {phase,-8}  {(produced - lastProduced) / dt,10:0}  {(published - lastPublished) / dt,11:0}  {(consumed - lastConsumed) / dt,10:0}  {backlog,13}  {published - consumed,9}  {Percentiles.Ms(interval, 50),10:0.0}  {Percentiles.Ms(interval, 99),10:0.0}   {all,7:0}%  {self,6:0}%  {rabbit,5:0}%  {Math.Max(0, all - self - rabbit),4:0}%"));
                if (phase == "measured")
                {
                    samples.Add(new Sample(now.TotalSeconds, backlog, produced - consumed));
                    cpuInWindow.Add(all, self, rabbit, dt, consumed - lastConsumed);
                }
                (lastProduced, lastPublished, lastConsumed, lastAt) = (produced, published, consumed, now);
                while (nextReport <= now) nextReport += reportEvery;
            }
            if (!producing && produced == consumed && backlog == 0) { drained = true; break; }
            if (now > drainDeadline) break;
        }
        await Task.WhenAll(producers);
        await Task.Delay(1000); // room for a late duplicate delivery to show up

        // Verification against the databases, not just the in-process counters.
        var outboxRows = await CountAsync(outboxDb, "SELECT COUNT(*) FROM outbox_messages");
        var unsent = await CountAsync(outboxDb, "SELECT COUNT(*) FROM outbox_messages WHERE sent_at IS NULL");
        var republished = await CountAsync(outboxDb, "SELECT COUNT(*) FROM outbox_messages WHERE attempts > 1");
        var inboxRows = await CountAsync(inboxDb, $"SELECT COUNT(*) FROM inbox_messages WHERE consumer = '{BenchProfileConsumer.InboxName}'");
        var effectRows = await CountAsync(inboxDb, "SELECT COUNT(*) FROM organization_profile_revisions");
        var distinctRevisions = await CountAsync(inboxDb, "SELECT COUNT(DISTINCT revision) FROM organization_profile_revisions");

        var latencies = metrics.WindowLatencies(); Array.Sort(latencies);
        var commits = metrics.WindowCommitLatencies(); Array.Sort(commits);
        var sustained = metrics.ConsumedInWindow / (double)settings.Seconds;
        var offered = metrics.ProducedInWindow / (double)settings.Seconds;
        var (slope, maxInFlight, maxBacklog) = Trend(samples);
        var bounded = drained && slope <= Math.Max(10, 0.01 * offered);
        var exactlyOnce = unsent == 0 && outboxRows == metrics.Produced && inboxRows == metrics.Produced && effectRows == metrics.Produced && distinctRevisions == metrics.Produced;

        Console.WriteLine();
        Console.WriteLine("=== outbox -> RabbitMQ -> consumer ===");
        Console.WriteLine($"settings:            {settings}");
        Console.WriteLine(string.Create(Inv, $"produced:            {metrics.Produced} total ({metrics.ProducedInWindow} in the {settings.Seconds} s window = {offered:0} msg/s offered); producer errors {producerErrors}; max producer lag behind schedule {metrics.MaxProducerLag.TotalMilliseconds:0} ms; behind by {Interlocked.Read(ref forgiven)} messages when the window opened (not offered)"));
        Console.WriteLine(string.Create(Inv, $"consumed:            {metrics.Consumed} total; duplicates absorbed by the inbox {metrics.Duplicates}; outbox rows republished (attempts > 1) {republished}"));
        Console.WriteLine(string.Create(Inv, $"sustained consumed:  {sustained:0} msg/s over the {settings.Seconds} s window"));
        Console.WriteLine(string.Create(Inv, $"end-to-end latency:  p50 {Percentiles.Ms(latencies, 50):0.0} ms  p95 {Percentiles.Ms(latencies, 95):0.0} ms  p99 {Percentiles.Ms(latencies, 99):0.0} ms  max {Percentiles.Ms(latencies, 100):0.0} ms  (n={latencies.Length}, producer stamp -> consumer commit)"));
        Console.WriteLine(string.Create(Inv, $"producer commit:     p50 {Percentiles.Ms(commits, 50):0.00} ms  p99 {Percentiles.Ms(commits, 99):0.00} ms  max {Percentiles.Ms(commits, 100):0.0} ms"));
        Console.WriteLine(string.Create(Inv, $"backlog:             outbox unsent max {maxBacklog}; produced-not-consumed max {maxInFlight}; trend {slope:+0.0;-0.0;0} msg/s over the window; drained after stop: {(drained ? "yes" : "NO")} -> {(bounded ? "bounded" : "NOT bounded")}"));
        Console.WriteLine($"exactly once:        outbox rows {outboxRows}, unsent {unsent}, inbox rows {inboxRows}, effect rows {effectRows}, distinct revisions {distinctRevisions} vs produced {metrics.Produced} -> {(exactlyOnce ? "OK" : "MISMATCH")}");
        Console.WriteLine(cpuInWindow.Describe(settings.TargetRate));
        var pass = sustained >= settings.TargetRate && bounded && exactlyOnce;
        Console.WriteLine(string.Create(Inv,
            $"verdict:             {(pass ? "PASS" : "FAIL")} — {sustained:0} msg/s sustained for {settings.Seconds} s vs target {settings.TargetRate:0} msg/s; p50 {Percentiles.Ms(latencies, 50):0.0} ms, p99 {Percentiles.Ms(latencies, 99):0.0} ms; backlog {(bounded ? "bounded" : "growing")}; exactly-once {(exactlyOnce ? "verified" : "FAILED")}"));
        return pass ? 0 : 1;
    }

    /// <summary>Least-squares slope of produced-not-consumed over the measured samples, and the maxima.</summary>
    private static (double Slope, long MaxInFlight, long MaxBacklog) Trend(List<Sample> samples)
    {
        if (samples.Count == 0) return (0, 0, 0);
        var maxInFlight = samples.Max(s => s.InFlight);
        var maxBacklog = samples.Max(s => s.OutboxBacklog);
        if (samples.Count < 2) return (0, maxInFlight, maxBacklog);
        var mx = samples.Average(s => s.At); var my = samples.Average(s => (double)s.InFlight);
        var num = samples.Sum(s => (s.At - mx) * (s.InFlight - my));
        var den = samples.Sum(s => (s.At - mx) * (s.At - mx));
        return (den == 0 ? 0 : num / den, maxInFlight, maxBacklog);
    }

    private static async Task<long> CountAsync(ServiceDatabase database, string sql)
    {
        await using var connection = await database.OpenAsync();
        return await connection.ExecuteScalarAsync<long>(sql);
    }

    private static int? ReadBeamPid(RabbitMqNode? node)
    {
        try
        {
            return node is not null && File.Exists(node.PidFile) && int.TryParse(File.ReadAllText(node.PidFile).Trim(), out var pid) ? pid : null;
        }
        catch (IOException) { return null; }
    }

    /// <summary>
    /// CPU time per consumed message over the measured window, by whose it was, beside what the target rate leaves
    /// on this machine's cores: a figure that compares machines of different speed, where msg/s alone does not.
    /// </summary>
    private sealed class CpuPerMessage
    {
        private double _all, _self, _rabbit;
        private long _consumed;

        /// <summary>Adds one report interval: the CPU shares (% of the whole machine) over <paramref name="seconds"/>.</summary>
        public void Add(double all, double self, double rabbit, double seconds, long consumed)
        {
            var coreSecondsPerPercent = Environment.ProcessorCount * seconds / 100;
            (_all, _self, _rabbit) = (_all + all * coreSecondsPerPercent, _self + self * coreSecondsPerPercent, _rabbit + rabbit * coreSecondsPerPercent);
            _consumed += consumed;
        }

        public string Describe(double targetRate)
        {
            if (_consumed == 0) return "cpu per message:     no message consumed in the window";
            double Us(double coreSeconds) => 1e6 * coreSeconds / _consumed;
            return string.Create(Inv,
                $"cpu per message:     {Us(_all):0} µs (this process {Us(_self):0}, RabbitMQ {Us(_rabbit):0}, the rest {Us(Math.Max(0, _all - _self - _rabbit)):0}) per consumed message; {targetRate:0} msg/s on {Environment.ProcessorCount} cores allows {1e6 * Environment.ProcessorCount / targetRate:0} µs");
        }
    }

    /// <summary>CPU use since the last sample, as % of the whole machine: everything (/proc/stat), this process, the broker's VM.</summary>
    private sealed class CpuSampler
    {
        private readonly int? _beamPid;
        private readonly long _ticksPerSecond = 100; // USER_HZ on Linux
        private (long Busy, long Total) _machine;
        private TimeSpan _self;
        private long _beam;
        private long _wall = Stopwatch.GetTimestamp();

        public CpuSampler(int? beamPid)
        {
            _beamPid = beamPid;
            _machine = Machine();
            _self = Process.GetCurrentProcess().TotalProcessorTime;
            _beam = Beam();
        }

        public (double All, double Self, double Rabbit) Sample()
        {
            var machine = Machine();
            var self = Process.GetCurrentProcess().TotalProcessorTime;
            var beam = Beam();
            var wall = Stopwatch.GetElapsedTime(_wall).TotalSeconds * Environment.ProcessorCount;
            var all = machine.Total - _machine.Total == 0 ? 0 : 100.0 * (machine.Busy - _machine.Busy) / (machine.Total - _machine.Total);
            var result = (all, 100.0 * (self - _self).TotalSeconds / wall, 100.0 * (beam - _beam) / _ticksPerSecond / wall);
            (_machine, _self, _beam, _wall) = (machine, self, beam, Stopwatch.GetTimestamp());
            return result;
        }

        private static (long Busy, long Total) Machine()
        {
            try
            {
                var cpu = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(long.Parse).ToArray();
                var idle = cpu[3] + (cpu.Length > 4 ? cpu[4] : 0);
                var total = cpu.Take(8).Sum();
                return (total - idle, total);
            }
            catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException) { return (0, 0); }
        }

        private long Beam()
        {
            if (_beamPid is not { } pid) return 0;
            try
            {
                var stat = File.ReadAllText($"/proc/{pid}/stat");
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                return long.Parse(fields[11], Inv) + long.Parse(fields[12], Inv); // utime + stime
            }
            catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException) { return 0; }
        }
    }
}
