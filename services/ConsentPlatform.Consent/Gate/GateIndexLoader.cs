using System.Diagnostics;
using ConsentPlatform.Consent.Ledger;
using ConsentPlatform.Consent.Suppression;
using Microsoft.Extensions.Hosting;

namespace ConsentPlatform.Consent.Gate;

/// <summary>
/// Builds the gate index from the database at start-up (the service is not ready before that,
/// and the gate denies meanwhile), then polls for rows that another process of this service
/// wrote, so several replicas converge within Consent:IndexRefreshMilliseconds.
/// </summary>
public sealed class GateIndexLoader(ConsentDatabase database, GateIndex index, ContactHoursStore hours, ConsentOptions options, ILogger<GateIndexLoader> logger)
    : IHostedService, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private Task? _polling;
    private volatile bool _disposed;
    private long _suppressionSeq;
    private long _ledgerSeq;
    private long _liftSeq;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        await hours.LoadAsync(cancellationToken);
        await PresizeAsync(cancellationToken);
        var (suppressions, rows) = await CatchUpAsync(cancellationToken);
        index.MarkReady();
        logger.LogInformation("Gate index loaded: {Suppressions} suppression entries, {Rows} ledger rows, {Contacts} contacts in {Elapsed} ms",
            suppressions, rows, index.ContactCount, clock.ElapsedMilliseconds);
        _polling = PollAsync(_stopping.Token);
    }

    private async Task PollAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromMilliseconds(options.IndexRefreshMilliseconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, stoppingToken);
                await CatchUpAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception error)
            {
                logger.LogWarning(error, "Gate index catch-up failed; retrying");
            }
        }
    }

    /// <summary>
    /// Sizes the index for every suppression entry before loading them: one allocation instead of a
    /// series of doublings, each of which briefly holds the old and the new table at once.
    /// </summary>
    private async Task PresizeAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        index.EnsureCapacity(await SuppressionStore.CountAsync(connection, cancellationToken));
    }

    /// <summary>Applies rows newer than the last seen ones; applying a row twice changes nothing.</summary>
    private async Task<(long Suppressions, long Rows)> CatchUpAsync(CancellationToken cancellationToken)
    {
        long suppressions = 0, rows = 0;
        await using var connection = await database.OpenAsync(cancellationToken);
        // Unbuffered: at start-up this reads every row, and millions must not be held twice.
        await foreach (var s in SuppressionStore.ActiveEntriesAfter(connection, _suppressionSeq).WithCancellation(cancellationToken))
        {
            if (ContactKey.TryParse(s.ContactHash, out var key))
                index.AddSuppression(key, new SuppressionFact(Guid.Parse(s.Id), s.OrganizationId, s.Channel, s.Purpose, s.Reason, s.CreatedAt, s.Until));
            _suppressionSeq = s.Seq;
            suppressions++;
        }

        // After the entries: a lift read before its entry would find nothing to lift, but an entry read
        // after its lift is already left out by the query above.
        await foreach (var lift in SuppressionStore.LiftsAfter(connection, _liftSeq).WithCancellation(cancellationToken))
        {
            if (ContactKey.TryParse(lift.ContactHash, out var key)) index.LiftSuppression(key, Guid.Parse(lift.SuppressionId));
            _liftSeq = lift.Seq;
        }

        await foreach (var row in LedgerStore.RowsAfter(connection, _ledgerSeq).WithCancellation(cancellationToken))
        {
            LedgerStore.Apply(index, row);
            _ledgerSeq = row.Seq;
            rows++;
        }
        return (suppressions, rows);
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
