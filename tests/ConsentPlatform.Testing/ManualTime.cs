namespace ConsentPlatform.Testing;

/// <summary>
/// A clock that moves only when the test says so, timers included (Task.Delay, PeriodicTimer and
/// CancellationTokenSource given this provider fire as <see cref="Advance"/> passes their time).
/// </summary>
public sealed class ManualTime(DateTimeOffset start) : TimeProvider
{
    private readonly Lock _lock = new();
    private readonly List<ManualTimer> _timers = [];
    private DateTimeOffset _now = start;
    private long _ticks;

    public override DateTimeOffset GetUtcNow() { lock (_lock) return _now; }
    public override long GetTimestamp() { lock (_lock) return _ticks; }
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <summary>How many timers wait now (a loop that waits has one).</summary>
    public int Waiting { get { lock (_lock) return _timers.Count(t => t.Due is not null); } }

    /// <summary>Moves the clock on and fires, in order, every timer that comes due on the way.</summary>
    public void Advance(TimeSpan by)
    {
        long end;
        lock (_lock) end = _ticks + by.Ticks;
        while (true)
        {
            ManualTimer? next;
            lock (_lock)
            {
                next = _timers.Where(t => t.Due <= end).MinBy(t => t.Due);
                if (next is null)
                {
                    _now += TimeSpan.FromTicks(end - _ticks);
                    _ticks = end;
                    return;
                }
                _now += TimeSpan.FromTicks(next.Due!.Value - _ticks);
                _ticks = next.Due!.Value;
                next.Due = next.Period is { } period ? _ticks + period : null;
            }
            next.Fire();
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        lock (_lock) _timers.Add(timer);
        timer.Change(dueTime, period);
        return timer;
    }

    private sealed class ManualTimer(ManualTime owner, TimerCallback callback, object? state) : ITimer
    {
        public long? Due;
        public long? Period;

        public void Fire() => callback(state);

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._lock)
            {
                Due = dueTime == Timeout.InfiniteTimeSpan ? null : owner._ticks + dueTime.Ticks;
                Period = period == Timeout.InfiniteTimeSpan || period == TimeSpan.Zero ? null : period.Ticks;
            }
            return true;
        }

        public void Dispose() { lock (owner._lock) owner._timers.Remove(this); }
        public ValueTask DisposeAsync() { Dispose(); return ValueTask.CompletedTask; }
    }
}
