using System.Data;
using System.Threading.Channels;
using ConsentPlatform.Contracts;
using ConsentPlatform.ServiceDefaults.Data;
using ConsentPlatform.ServiceDefaults.Messaging;
using Dapper;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ConsentPlatform.ServiceDefaults.Telemetry;

/// <summary>
/// The propagation histogram's samples, kept in the database of the service that applied each opt-out
/// (opt_out_propagation) so the compliance console can show p50/p99 per service for any period: the meter
/// only publishes to whoever collects it now. One value is measured and goes both to the meter and here.
/// The row is written behind the opt-out, in batches, so the opt-out's own transaction gains no statement;
/// a crash or a stop loses the samples still queued (statistics, not a record anyone relies on). Rows hold
/// the organization, the source and two numbers, nothing of the person, and are pruned after
/// <see cref="RetentionDays"/> (ADR 0038).
/// </summary>
public sealed class PropagationHistory<TDatabase>(TDatabase database, TimeProvider time, ILogger<PropagationHistory<TDatabase>> logger) : BackgroundService
    where TDatabase : ServiceDatabase
{
    public const int RetentionDays = 400;
    private const int BatchSize = 1_000;
    private static readonly TimeSpan PruneEvery = TimeSpan.FromHours(1);

    private readonly Channel<Sample> _queue = Channel.CreateBounded<Sample>(
        new BoundedChannelOptions(100_000) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite });
    private DateTimeOffset _prunedAt = DateTimeOffset.MinValue;
    private volatile bool _writing;

    private readonly record struct Sample(string? OrganizationId, string Source, long AppliedAt, long LatencyMicroseconds);

    /// <summary>This service has applied an opt-out made at <paramref name="requestedAt"/>: recorded in the meter and kept.</summary>
    public void OptOutApplied(string? organizationId, DateTimeOffset requestedAt, string source)
    {
        var now = time.GetUtcNow();
        var seconds = PlatformTelemetry.OptOutApplied(database.Name, requestedAt, now, source);
        _queue.Writer.TryWrite(new Sample(organizationId, source, now.ToUnixTimeMilliseconds(), (long)Math.Round(seconds * 1_000_000)));
    }

    /// <summary>Written so far is every sample queued before this call (tests and shutdown).</summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        while (_queue.Reader.Count > 0 || _writing)
            await Task.Delay(10, cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Sample>(BatchSize);
        while (await _queue.Reader.WaitToReadAsync(stoppingToken))
        {
            _writing = true;
            while (batch.Count < BatchSize && _queue.Reader.TryRead(out var sample)) batch.Add(sample);
            try
            {
                await WriteAsync(batch, stoppingToken);
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                // Statistics: a batch that cannot be written is dropped rather than held up behind a retry.
                logger.LogWarning(error, "Writing {Count} propagation samples failed; they are dropped", batch.Count);
            }
            batch.Clear();
            _writing = false;
        }
    }

    private const string InsertSample =
        "INSERT INTO opt_out_propagation (organization_id, source, applied_at, latency_us) VALUES (@organizationId, @source, @appliedAt, @latency)";

    private static readonly (string Name, DbType Type, Func<Sample, object?> Value)[] SampleColumns =
    [
        ("@organizationId", DbType.String, s => s.OrganizationId), ("@source", DbType.String, s => s.Source),
        ("@appliedAt", DbType.Int64, s => s.AppliedAt), ("@latency", DbType.Int64, s => s.LatencyMicroseconds),
    ];

    private async Task WriteAsync(List<Sample> batch, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var transaction = await database.BeginAsync(cancellationToken);
        await transaction.ExecuteForEachAsync(InsertSample, SampleColumns, batch, cancellationToken);
        if (now - _prunedAt >= PruneEvery)
        {
            await transaction.Connection.ExecuteAsync(new CommandDefinition("DELETE FROM opt_out_propagation WHERE applied_at < @before",
                new { before = now.AddDays(-RetentionDays).ToUnixTimeMilliseconds() }, transaction.Inner, cancellationToken: cancellationToken));
            _prunedAt = now;
        }
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// An organization's opt-outs this service applied in [from, to): how many, and the median and 99th
    /// percentile of their latency (nearest rank), in milliseconds.
    /// </summary>
    public static async Task<PropagationFigures> FiguresAsync(ServiceDatabase database, string organizationId, DateTimeOffset from, DateTimeOffset to,
        CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var latencies = (await connection.QueryAsync<long>(new CommandDefinition("""
            SELECT latency_us FROM opt_out_propagation WHERE organization_id = @organizationId AND applied_at >= @from AND applied_at < @to
            """, new { organizationId, from = from.ToUnixTimeMilliseconds(), to = to.ToUnixTimeMilliseconds() }, cancellationToken: cancellationToken))).ToArray();
        Array.Sort(latencies);
        double? Rank(double q) => latencies.Length == 0 ? null : latencies[Math.Max(0, (int)Math.Ceiling(q * latencies.Length) - 1)] / 1000.0;
        return new PropagationFigures(database.Name, latencies.Length, Rank(0.50), Rank(0.99));
    }
}

/// <summary>Answers the console's question for this service's database (Consent asks each service's queue in turn).</summary>
public sealed class PropagationFiguresConsumer<TDatabase>(TDatabase database) : IConsumer<PropagationFiguresRequested> where TDatabase : ServiceDatabase
{
    public async Task Consume(ConsumeContext<PropagationFiguresRequested> context)
    {
        var m = context.Message;
        await context.RespondAsync(await PropagationHistory<TDatabase>.FiguresAsync(database, m.OrganizationId, m.From, m.To, context.CancellationToken));
    }
}

/// <summary>One queue per answering service ("notices-propagation-figures").</summary>
public sealed class PropagationFiguresConsumerDefinition<TDatabase>()
    : PlatformConsumerDefinition<PropagationFiguresConsumer<TDatabase>>(Queues.PropagationFigures(typeof(TDatabase).Name.Replace("Database", "").ToLowerInvariant()))
    where TDatabase : ServiceDatabase;

public static class PropagationHistoryRegistration
{
    /// <summary>Keeps this service's propagation samples (and writes them in the background).</summary>
    public static IServiceCollection AddPropagationHistory<TDatabase>(this IServiceCollection services) where TDatabase : ServiceDatabase
    {
        services.AddSingleton<PropagationHistory<TDatabase>>();
        services.AddHostedService(sp => sp.GetRequiredService<PropagationHistory<TDatabase>>());
        return services;
    }
}
