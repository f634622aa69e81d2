using Microsoft.Extensions.Logging;

namespace ConsentPlatform.ServiceDefaults.Work;

/// <summary>
/// The one claim/poll/backoff loop of the outbox relay and every worker (issue 17). Each lane calls the
/// step again at once while it finds work, otherwise waits for the <see cref="Wake"/> signal or
/// <see cref="Poll"/>, whichever comes first; after consecutive failures it waits
/// <see cref="FirstBackoff"/> doubled per failure up to <see cref="MaxBackoff"/>. Lane 0 also runs
/// <see cref="Recover"/> (claims left by a stopped worker) every <see cref="RecoverEvery"/>. It ends
/// when the token is cancelled. The step does the work and logs what it did; the loop logs only
/// the failure count and the exception, which must name ids, never numbers, addresses or texts.
/// </summary>
public sealed class WorkLoop(string name, TimeProvider time, ILogger logger)
{
    public int Lanes { get; init; } = 1;
    public required TimeSpan Poll { get; init; }
    public WakeSignal? Wake { get; init; }
    public TimeSpan FirstBackoff { get; init; } = TimeSpan.FromMilliseconds(200);
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(10);
    public Func<CancellationToken, Task>? Recover { get; init; }
    public TimeSpan RecoverEvery { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The wait after <paramref name="failures"/> failures in a row.</summary>
    public TimeSpan BackoffAfter(int failures) =>
        TimeSpan.FromTicks((long)Math.Min(MaxBackoff.Ticks, FirstBackoff.Ticks * Math.Pow(2, Math.Min(failures - 1, 30))));

    /// <summary>Runs the lanes until <paramref name="stoppingToken"/> is cancelled; <paramref name="step"/> returns whether it found work.</summary>
    public Task RunAsync(Func<CancellationToken, Task<bool>> step, CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, Lanes).Select(lane => RunLaneAsync(lane == 0 ? Recover : null, step, stoppingToken)));

    /// <summary>Runs <paramref name="poll"/> now and then every <see cref="Poll"/> (or at a wake) until cancelled: a periodic poll with the same backoff.</summary>
    public Task PollAsync(Func<CancellationToken, Task> poll, CancellationToken stoppingToken) => RunAsync(async ct =>
    {
        await poll(ct);
        return false;
    }, stoppingToken);

    private async Task RunLaneAsync(Func<CancellationToken, Task>? recover, Func<CancellationToken, Task<bool>> step, CancellationToken stoppingToken)
    {
        // Elapsed time, not the date: a clock set to another day must not stop or rush recovery.
        long? lastRecovery = null;
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            bool worked;
            try
            {
                if (recover is not null && (lastRecovery is not { } last || time.GetElapsedTime(last) >= RecoverEvery))
                {
                    lastRecovery = time.GetTimestamp();
                    await recover(stoppingToken);
                }
                worked = await step(stoppingToken);
                failures = 0;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception error)
            {
                failures++;
                var backoff = BackoffAfter(failures);
                logger.LogWarning(error, "{Loop} failed ({Failures} in a row); trying again in {Backoff}", name, failures, backoff);
                if (!await WaitAsync(backoff, null, stoppingToken)) return;
                continue;
            }
            if (!worked && !await WaitAsync(Poll, Wake, stoppingToken)) return;
        }
    }

    /// <summary>Waits for the delay or the signal; false once stopping.</summary>
    private async Task<bool> WaitAsync(TimeSpan delay, WakeSignal? signal, CancellationToken stoppingToken)
    {
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var elapsed = Task.Delay(delay, time, waiting.Token);
        if (signal is null) await elapsed.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        else await Task.WhenAny(elapsed, signal.WaitAsync(waiting.Token));
        // Ends the loser: a signal wait left behind would take the next wake meant for a lane that waits.
        await waiting.CancelAsync();
        return !stoppingToken.IsCancellationRequested;
    }
}
