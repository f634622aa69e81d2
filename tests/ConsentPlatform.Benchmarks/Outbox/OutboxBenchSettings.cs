using System.Globalization;

namespace ConsentPlatform.Benchmarks.Outbox;

/// <summary>The harness's command line: <c>outbox [--seconds 60] [--rate 2500] [--producers 2] ...</c>.</summary>
public sealed record OutboxBenchSettings
{
    public int Seconds { get; init; } = 60;
    public int WarmupSeconds { get; init; } = 5;
    /// <summary>Messages per second across all producers; 0 = closed loop (each producer as fast as it can).</summary>
    public double Rate { get; init; } = 2500;
    public int Producers { get; init; } = 2;
    /// <summary>Outbox messages written per producer transaction (1 = one request, one message).</summary>
    public int PerTransaction { get; init; } = 1;
    public int BatchSize { get; init; } = 200;
    public int PollMilliseconds { get; init; } = 100;
    public int ClaimSeconds { get; init; } = 30;
    public int Prefetch { get; init; } = 32;
    public int Concurrency { get; init; } = 8;
    public int Relays { get; init; } = 1;
    /// <summary>0 = leave the thread pool's minimum alone (what the services do).</summary>
    public int MinThreads { get; init; }
    public int DrainSeconds { get; init; } = 120;
    public int ReportSeconds { get; init; } = 5;
    public string? Amqp { get; init; }
    public bool Keep { get; init; }
    public double TargetRate { get; init; } = 2000;
    /// <summary>Up to N messages per consumer transaction, each with its inbox row (0 = one per message).</summary>
    public int ConsumerBatch { get; init; }
    public int ConsumerBatchMilliseconds { get; init; } = 10;
    /// <summary>Where the two databases live: SQLite files (default) or a private PostgreSQL cluster.</summary>
    public bool Postgres { get; init; }

    public const string Usage = """
        outbox harness: producers -> outbox (SQLite or PostgreSQL) -> OutboxRelay (publisher confirms) -> RabbitMQ -> consumer with inbox

          dotnet run -c Release --project tests/ConsentPlatform.Benchmarks -- outbox [options]

          --seconds N        measured window (default 60)
          --warmup N         warm-up seconds, not counted (default 5)
          --rate R           target msg/s over all producers, open loop (default 2500); 0 = closed loop, flat out
          --producers N      concurrent producers, each its own transaction per write (default 2)
          --per-tx N         outbox messages per producer transaction (default 1)
          --batch N          Outbox:BatchSize (default 200)
          --poll MS          Outbox:PollMilliseconds (default 100)
          --prefetch N       Bus:PrefetchCount (default 32)
          --concurrency N    consumer ConcurrentMessageLimit (default 8, as the platform's consumers)
          --relays N         OutboxRelay instances on the database (default 1, as the platform)
          --min-threads N    ThreadPool.SetMinThreads(N, N) (default: untouched)
          --amqp HOST:PORT   use this broker (guest/guest) instead of starting a private node
          --drain N          seconds to wait for the backlog to drain after the window (default 120)
          --target R         the rate the verdict is judged against (default 2000)
          --keep             keep the temp data folder
          --db sqlite|postgres  the two databases: SQLite files (default) or a private PostgreSQL 15 cluster
          consumer shape:
          --consumer-batch N     batch consumer: up to N messages per consumer transaction
          --consumer-batch-ms MS how long a batch waits to fill (default 10)
        """;

    public static OutboxBenchSettings Parse(IReadOnlyList<string> args)
    {
        var s = new OutboxBenchSettings();
        for (var i = 0; i < args.Count; i++)
        {
            string Next() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int Int() => int.Parse(Next(), CultureInfo.InvariantCulture);
            s = args[i] switch
            {
                "--seconds" => s with { Seconds = Int() },
                "--warmup" => s with { WarmupSeconds = Int() },
                "--rate" => s with { Rate = double.Parse(Next(), CultureInfo.InvariantCulture) },
                "--producers" => s with { Producers = Int() },
                "--per-tx" => s with { PerTransaction = Int() },
                "--batch" => s with { BatchSize = Int() },
                "--poll" => s with { PollMilliseconds = Int() },
                "--prefetch" => s with { Prefetch = Int() },
                "--concurrency" => s with { Concurrency = Int() },
                "--relays" => s with { Relays = Int() },
                "--min-threads" => s with { MinThreads = Int() },
                "--amqp" => s with { Amqp = Next() },
                "--drain" => s with { DrainSeconds = Int() },
                "--target" => s with { TargetRate = double.Parse(Next(), CultureInfo.InvariantCulture) },
                "--keep" => s with { Keep = true },
                "--consumer-batch" => s with { ConsumerBatch = Int() },
                "--consumer-batch-ms" => s with { ConsumerBatchMilliseconds = Int() },
                "--db" => Next() switch
                {
                    "sqlite" => s with { Postgres = false },
                    "postgres" => s with { Postgres = true },
                    var db => throw new ArgumentException($"--db must be sqlite or postgres, not {db}"),
                },
                "-h" or "--help" => throw new ArgumentException(""),
                var other => throw new ArgumentException($"unknown option {other}"),
            };
        }
        if (s.Seconds < 1 || s.Producers < 1 || s.PerTransaction < 1 || s.Relays < 1 || s.Concurrency < 1 || s.Rate < 0)
            throw new ArgumentException("--seconds, --producers, --per-tx, --relays, --concurrency must be ≥ 1 and --rate ≥ 0");
        return s;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"rate={(Rate == 0 ? "closed-loop" : Rate.ToString("0", CultureInfo.InvariantCulture) + "/s")} producers={Producers} per-tx={PerTransaction} " +
        $"Outbox:BatchSize={BatchSize} Outbox:PollMilliseconds={PollMilliseconds} Bus:PrefetchCount={Prefetch} " +
        $"consumer-concurrency={Concurrency} relays={Relays} min-threads={(MinThreads == 0 ? "default" : MinThreads.ToString(CultureInfo.InvariantCulture))} " +
        $"db={(Postgres ? "postgres" : "sqlite")} window={Seconds}s warmup={WarmupSeconds}s{(ConsumerBatch > 0 ? $" consumer-batch={ConsumerBatch}/{ConsumerBatchMilliseconds}ms" : "")}");
}
