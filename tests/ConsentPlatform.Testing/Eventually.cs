using System.Diagnostics;
using Xunit.Sdk;

namespace ConsentPlatform.Testing;

/// <summary>Polls a condition that becomes true asynchronously (a message arriving, a queue draining).</summary>
public static class Eventually
{
    private static readonly TimeSpan DefaultPollInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Succeeds as soon as <paramref name="condition"/> returns true; fails with
    /// <paramref name="because"/> once <paramref name="timeout"/> has passed. An exception from
    /// the condition counts as "not yet" (a queue that does not exist yet, a service still
    /// starting) and is reported if the condition never holds.
    /// </summary>
    public static async Task AssertAsync(
        Func<Task<bool>> condition,
        TimeSpan timeout,
        string because,
        TimeSpan? pollInterval = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var interval = pollInterval ?? DefaultPollInterval;
        var clock = Stopwatch.StartNew();
        var attempts = 0;
        Exception? lastError = null;

        while (true)
        {
            attempts++;
            try
            {
                if (await condition())
                {
                    return;
                }

                lastError = null;
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                lastError = e;
            }

            if (clock.Elapsed >= timeout)
            {
                break;
            }

            var remaining = timeout - clock.Elapsed;
            await Task.Delay(remaining < interval ? remaining : interval, cancellationToken);
        }

        var message = $"Expected {because}, but it was still not the case after {clock.Elapsed.TotalSeconds:0.0} s " +
                      $"(timeout {timeout.TotalSeconds:0.0} s, {attempts} checks).";
        if (lastError is not null)
        {
            message += $"{Environment.NewLine}The last check threw {lastError.GetType().Name}: {lastError.Message}";
        }

        throw new XunitException(message);
    }

    /// <summary>Synchronous-condition form of <see cref="AssertAsync(Func{Task{bool}}, TimeSpan, string, TimeSpan?, CancellationToken)"/>.</summary>
    public static Task AssertAsync(
        Func<bool> condition,
        TimeSpan timeout,
        string because,
        TimeSpan? pollInterval = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(condition);
        return AssertAsync(() => Task.FromResult(condition()), timeout, because, pollInterval, cancellationToken);
    }
}
