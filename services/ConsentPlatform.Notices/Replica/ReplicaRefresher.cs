using ConsentPlatform.ServiceDefaults.Work;
using Microsoft.Extensions.Logging;

namespace ConsentPlatform.Notices.Replica;

/// <summary>
/// Loads the replica into <see cref="ReplicaIndex"/> before the service takes requests, then
/// follows the change log so a change consumed by another instance reaches this one too.
/// </summary>
public sealed class ReplicaRefresher(NoticesDatabase database, ReplicaIndex index, ILogger<ReplicaRefresher> logger) : BackgroundService
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(250);
    // Rows become visible in commit order, not in changed_at order: re-reading a few seconds back
    // catches a transaction that committed after a later one was already seen.
    private const long LookbackMs = 5_000;

    /// <summary>
    /// The clock of the change log: the system's, so the order of changes across processes holds even
    /// when the service's business clock is set to another date (tests, replays).
    /// </summary>
    public static readonly TimeProvider ChangeClock = TimeProvider.System;
    private long _since;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        _since = ChangeClock.GetUtcNow().ToUnixTimeMilliseconds();
        await using (var connection = await database.OpenAsync(cancellationToken))
        {
            index.Replace(await ReplicaStore.LoadContactsAsync(connection, null, cancellationToken));
            index.ReplacePublished(await ReplicaStore.LoadPublishedNumbersAsync(connection, cancellationToken));
        }
        index.MarkLoaded();
        logger.LogInformation("Notices replica loaded: {Contacts} contacts", index.Count);
        await base.StartAsync(cancellationToken);
    }

    // A failing database is retried no sooner than the next poll; the cap keeps the replica at most seconds behind once it is back.
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        new WorkLoop("Notices replica refresh", ChangeClock, logger) { Poll = Poll, FirstBackoff = Poll, MaxBackoff = TimeSpan.FromSeconds(5) }
            .PollAsync(RefreshAsync, stoppingToken);

    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var startedAt = ChangeClock.GetUtcNow().ToUnixTimeMilliseconds();
        await using var connection = await database.OpenAsync(cancellationToken);
        var (hashes, numbersChanged) = await ReplicaStore.ChangesSinceAsync(connection, _since - LookbackMs, cancellationToken);
        foreach (var chunk in hashes.Chunk(500))
            index.Replace(await ReplicaStore.LoadContactsAsync(connection, chunk, cancellationToken));
        if (numbersChanged)
            index.ReplacePublished(await ReplicaStore.LoadPublishedNumbersAsync(connection, cancellationToken));
        _since = startedAt;
    }
}
