using System.Diagnostics.Metrics;

namespace ConsentPlatform.Benchmarks.Outbox;

/// <summary>
/// Counters and latency samples shared by the producers, the relay (through its
/// <c>outbox.published</c> meter) and the consumer. Latencies are kept as raw microsecond
/// samples (a 60 s run at 2,500 msg/s is 150,000 longs) and sorted for percentiles.
/// </summary>
public sealed class BenchMetrics : IDisposable
{
    private readonly object _gate = new();
    private readonly MeterListener _listener = new();
    private List<long> _windowLatencies = new(200_000);
    private List<long> _intervalLatencies = new(20_000);
    private List<long> _windowCommits = new(200_000);
    private long _windowStartTicks = long.MaxValue;
    private long _windowEndTicks = long.MaxValue;

    private long _produced;
    private long _published;
    private long _consumed;
    private long _duplicates;
    private long _consumedInWindow;
    private long _producedInWindow;
    private long _maxLagTicks;

    public BenchMetrics()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "ConsentPlatform.Outbox" && instrument.Name == "outbox.published")
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _published, value));
        _listener.Start();
    }

    public long Produced => Interlocked.Read(ref _produced);
    public long Published => Interlocked.Read(ref _published);
    public long Consumed => Interlocked.Read(ref _consumed);
    public long Duplicates => Interlocked.Read(ref _duplicates);
    public long ConsumedInWindow => Interlocked.Read(ref _consumedInWindow);
    public long ProducedInWindow => Interlocked.Read(ref _producedInWindow);
    public TimeSpan MaxProducerLag => TimeSpan.FromTicks(Interlocked.Read(ref _maxLagTicks));

    public void OpenWindow(DateTimeOffset start, DateTimeOffset end)
    {
        Interlocked.Exchange(ref _windowEndTicks, end.UtcTicks);
        Interlocked.Exchange(ref _windowStartTicks, start.UtcTicks);
    }

    private bool InWindow(long ticks) => ticks >= Interlocked.Read(ref _windowStartTicks) && ticks < Interlocked.Read(ref _windowEndTicks);

    public void RecordLag(TimeSpan lag)
    {
        if (!InWindow(DateTimeOffset.UtcNow.UtcTicks)) return;
        long seen;
        while (lag.Ticks > (seen = Interlocked.Read(ref _maxLagTicks)) && Interlocked.CompareExchange(ref _maxLagTicks, lag.Ticks, seen) != seen) { }
    }

    /// <summary>A producer committed <paramref name="count"/> messages stamped at <paramref name="writtenAt"/>.</summary>
    public void RecordProduced(int count, DateTimeOffset writtenAt, TimeSpan commitLatency)
    {
        Interlocked.Add(ref _produced, count);
        if (!InWindow(writtenAt.UtcTicks)) return;
        Interlocked.Add(ref _producedInWindow, count);
        lock (_gate) _windowCommits.Add(commitLatency.Ticks / 10);
    }

    /// <summary>The consumer committed its effect for a message the producer stamped at <paramref name="writtenAt"/>.</summary>
    public void RecordConsumed(DateTimeOffset writtenAt)
    {
        var now = DateTimeOffset.UtcNow;
        var micros = (now.UtcTicks - writtenAt.UtcTicks) / 10;
        Interlocked.Increment(ref _consumed);
        if (InWindow(now.UtcTicks)) Interlocked.Increment(ref _consumedInWindow);
        var measured = InWindow(writtenAt.UtcTicks);
        lock (_gate)
        {
            _intervalLatencies.Add(micros);
            if (measured) _windowLatencies.Add(micros);
        }
    }

    public void Duplicate() => Interlocked.Increment(ref _duplicates);

    /// <summary>Latencies of messages consumed since the last call (for the periodic line).</summary>
    public long[] TakeInterval()
    {
        lock (_gate)
        {
            var taken = _intervalLatencies.ToArray();
            _intervalLatencies.Clear();
            return taken;
        }
    }

    public long[] WindowLatencies() { lock (_gate) return _windowLatencies.ToArray(); }

    public long[] WindowCommitLatencies() { lock (_gate) return _windowCommits.ToArray(); }

    public void Dispose() => _listener.Dispose();
}

public static class Percentiles
{
    /// <summary>Nearest-rank percentile of a sorted array (microseconds in, milliseconds out).</summary>
    public static double Ms(long[] sorted, double percentile)
    {
        if (sorted.Length == 0) return double.NaN;
        var rank = (int)Math.Ceiling(percentile / 100.0 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)] / 1000.0;
    }
}
