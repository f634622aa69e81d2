using System.Diagnostics;
using ConsentPlatform.ServiceDefaults.Work;
using Microsoft.Extensions.Hosting;

namespace ConsentPlatform.Consent.Gate;

/// <summary>
/// Builds the gate index from the database at start-up (the service is not ready before that,
/// and the gate denies meanwhile), then polls for rows that another process of this service
/// wrote, so several replicas converge within Consent:IndexRefreshMilliseconds. The rows come from
/// the features that own them (<see cref="IGateIndexSource"/>), in the order they are registered.
/// </summary>
public sealed class GateIndexLoader(ConsentDatabase database, GateIndex index, IEnumerable<IGateIndexSource> sources, ContactHoursStore hours, ConsentOptions options,
    TimeProvider time, ILogger<GateIndexLoader> logger)
    : IHostedService, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private Task? _polling;
    private volatile bool _disposed;
    private readonly IReadOnlyList<IGateIndexSource> _sources = sources.ToList();

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        await hours.LoadAsync(cancellationToken);
        await PresizeAsync(cancellationToken);
        var loaded = await CatchUpAsync(cancellationToken);
        index.MarkReady();
        logger.LogInformation("Gate index loaded: {Rows}, {Contacts} contacts in {Elapsed} ms",
            string.Join(", ", _sources.Select((s, i) => $"{loaded[i]} {s.Name}")), index.ContactCount, clock.ElapsedMilliseconds);
        _polling = Task.Run(() => PollAsync(_stopping.Token));
    }

    // A failing database is retried no sooner than the next poll; the cap keeps the index at most seconds behind once it is back.
    private Task PollAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromMilliseconds(options.IndexRefreshMilliseconds);
        return new WorkLoop("Gate index catch-up", time, logger) { Poll = interval, FirstBackoff = interval, MaxBackoff = TimeSpan.FromSeconds(5) }
            .PollAsync(async ct => await CatchUpAsync(ct), stoppingToken);
    }

    private async Task PresizeAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        foreach (var source in _sources) await source.PrepareAsync(connection, index, cancellationToken);
    }

    /// <summary>Applies rows newer than the last seen ones; applying a row twice changes nothing.</summary>
    private async Task<long[]> CatchUpAsync(CancellationToken cancellationToken)
    {
        var applied = new long[_sources.Count];
        await using var connection = await database.OpenAsync(cancellationToken);
        for (var i = 0; i < _sources.Count; i++) applied[i] = await _sources[i].CatchUpAsync(connection, index, cancellationToken);
        return applied;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // The test host may dispose the container before the app's own shutdown calls this.
        if (_disposed) return;
        await _stopping.CancelAsync();
        if (_polling is not null) await _polling.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _stopping.Cancel();
        _stopping.Dispose();
    }
}
