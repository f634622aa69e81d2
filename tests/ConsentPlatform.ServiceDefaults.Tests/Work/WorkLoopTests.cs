using ConsentPlatform.ServiceDefaults.Work;
using ConsentPlatform.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace ConsentPlatform.ServiceDefaults.Tests.Work;

public sealed class WorkLoopTests
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);
    private readonly ManualTime _time = new(new DateTimeOffset(2026, 12, 5, 0, 0, 0, TimeSpan.Zero));
    private readonly CancellationTokenSource _stop = new();
    private int _steps;

    private WorkLoop Loop(WakeSignal? wake = null, Func<CancellationToken, Task>? recover = null, int lanes = 1) =>
        new("Test loop", _time, NullLogger.Instance)
        {
            Poll = Poll, Wake = wake, Recover = recover, Lanes = lanes,
            FirstBackoff = TimeSpan.FromMilliseconds(200), MaxBackoff = TimeSpan.FromSeconds(1), RecoverEvery = TimeSpan.FromSeconds(5),
        };

    private Task<bool> Step(Func<int, bool> worked)
    {
        var step = Interlocked.Increment(ref _steps);
        return Task.FromResult(worked(step));
    }

    /// <summary>Waits (in real time) until the loop has made <paramref name="steps"/> steps and waits on <paramref name="timers"/> timers.</summary>
    private async Task SettledAsync(int steps, int timers = 1)
    {
        for (var i = 0; i < 500 && (Volatile.Read(ref _steps) != steps || _time.Waiting != timers); i++) await Task.Delay(10);
        Assert.Equal(steps, Volatile.Read(ref _steps));
        Assert.Equal(timers, _time.Waiting);
    }

    [Fact]
    public async Task A_lane_that_finds_work_takes_the_next_item_at_once_and_waits_for_the_poll_when_there_is_none()
    {
        var run = Loop().RunAsync(_ => Step(n => n <= 3), _stop.Token);
        await SettledAsync(steps: 4);

        _time.Advance(Poll - TimeSpan.FromMilliseconds(1));
        await SettledAsync(steps: 4);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        await SettledAsync(steps: 5);

        await _stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_wake_starts_a_waiting_lane_before_the_poll()
    {
        var wake = new WakeSignal();
        var run = Loop(wake).RunAsync(_ => Step(_ => false), _stop.Token);
        await SettledAsync(steps: 1);

        wake.Wake();
        await SettledAsync(steps: 2);

        await _stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Consecutive_failures_double_the_wait_up_to_the_cap_and_a_success_starts_again_from_the_first()
    {
        var run = Loop().RunAsync(_ => Step(n => n == 5 ? false : throw new InvalidOperationException("down")), _stop.Token);
        await SettledAsync(steps: 1);

        var step = 1;
        foreach (var expected in new[] { 200, 400, 800, 1000 })
        {
            _time.Advance(TimeSpan.FromMilliseconds(expected - 1));
            await SettledAsync(steps: step);
            _time.Advance(TimeSpan.FromMilliseconds(1));
            await SettledAsync(steps: ++step);
        }
        // Step 5 succeeded (nothing to do): the poll, then step 6 fails and backs off from the first wait.
        _time.Advance(Poll);
        await SettledAsync(steps: 6);
        _time.Advance(TimeSpan.FromMilliseconds(199));
        await SettledAsync(steps: 6);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        await SettledAsync(steps: 7);

        await _stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Recovery_runs_on_one_lane_at_start_and_again_only_once_its_interval_has_passed()
    {
        var recoveries = 0;
        var run = Loop(recover: _ => { Interlocked.Increment(ref recoveries); return Task.CompletedTask; }, lanes: 3)
            .RunAsync(_ => Step(_ => false), _stop.Token);
        await SettledAsync(steps: 3, timers: 3);
        Assert.Equal(1, recoveries);

        for (var polls = 1; polls <= 4; polls++)
        {
            _time.Advance(Poll);
            await SettledAsync(steps: 3 + 3 * polls, timers: 3);
        }
        Assert.Equal(1, recoveries);
        _time.Advance(Poll);
        await SettledAsync(steps: 18, timers: 3);
        Assert.Equal(2, recoveries);

        await _stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Cancelling_ends_every_lane_whether_it_waits_backs_off_or_is_inside_a_step()
    {
        var inside = new TaskCompletionSource();
        var run = Loop(lanes: 3).RunAsync(async ct =>
        {
            switch (Interlocked.Increment(ref _steps))
            {
                case 1: return false;
                case 2: throw new InvalidOperationException("down");
                default:
                    inside.TrySetResult();
                    await Task.Delay(Timeout.Infinite, ct);
                    return true;
            }
        }, _stop.Token);
        await inside.Task.WaitAsync(TimeSpan.FromSeconds(5));

        await _stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(run.IsCompletedSuccessfully);
    }
}
