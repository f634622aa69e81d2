using System.Collections.Concurrent;
using System.Collections.Frozen;
using ConsentPlatform.Directory.Feeds;
using ConsentPlatform.Directory.Numbers;
using ConsentPlatform.Directory.Organizations;
using ConsentPlatform.Telephony;

namespace ConsentPlatform.Directory.Published;

/// <summary>A published number with everything the lookup shows about it, built once per snapshot so a lookup allocates little.</summary>
public sealed record PublishedNumber(CallerNumber Number, PhoneNumber Phone, PublishedOrganization Organization)
{
    public LookupEntry Entry { get; } = LookupEntry.From(Number, Organization);
}

/// <summary>
/// What the public sees, held in memory as one immutable snapshot: the lookup is a dictionary hit
/// (the same work for a registered and an unregistered number, and no database round trip), and
/// each feed is rendered once per snapshot. Local changes refresh it right after they commit;
/// a timer (<see cref="DirectoryOptions.RefreshInterval"/>) picks up changes made by other
/// instances and validity windows.
/// </summary>
public sealed class PublishedDirectory(DirectoryDatabase database, TimeProvider time, ILogger<PublishedDirectory> logger) : IPublishedView
{
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private volatile Snapshot _current = Snapshot.Empty;

    public Snapshot Current => _current;

    /// <summary>The snapshot, loading it first if this instance has not read one yet (a request before the first refresh).</summary>
    public async ValueTask<Snapshot> GetAsync(CancellationToken cancellationToken)
    {
        if (ReferenceEquals(_current, Snapshot.Empty)) await RefreshAsync(cancellationToken);
        return _current;
    }

    public sealed class Snapshot
    {
        public static readonly Snapshot Empty = new([], "", DateTimeOffset.UnixEpoch);

        private readonly FrozenDictionary<string, PublishedNumber> _byNumber;
        private readonly FrozenDictionary<string, PublishedOrganization> _byOrganization;
        private readonly ConcurrentDictionary<(string? Organization, FeedFormat Format), FeedDocument> _feeds = new();

        public Snapshot(IReadOnlyList<PublishedOrganization> organizations, string stamp, DateTimeOffset lastModified)
        {
            Organizations = organizations;
            Stamp = stamp;
            LastModified = lastModified;
            _byOrganization = organizations.ToFrozenDictionary(o => o.Id, StringComparer.Ordinal);
            _byNumber = organizations
                .SelectMany(o => o.Numbers.Select(n => new PublishedNumber(n, n.Number, o)))
                .ToFrozenDictionary(p => p.Number.E164, StringComparer.Ordinal);
        }

        public IReadOnlyList<PublishedOrganization> Organizations { get; }
        public string Stamp { get; }
        public DateTimeOffset LastModified { get; }
        public int NumberCount => _byNumber.Count;

        /// <summary>Exact E.164 only: nothing near it, nothing by prefix.</summary>
        public PublishedNumber? Find(string e164, DateTimeOffset now)
        {
            if (!_byNumber.TryGetValue(e164, out var found)) return null;
            // Expired but not yet moved by the refresher: already gone for the public.
            return found.Number.ValidUntil is { } until && until <= now ? null : found;
        }

        public PublishedOrganization? FindOrganization(string organizationId) => _byOrganization.GetValueOrDefault(organizationId);

        /// <summary>The feed for all organizations (null) or one, rendered once per snapshot.</summary>
        public FeedDocument? Feed(string? organizationId, FeedFormat format)
        {
            if (organizationId is not null && !_byOrganization.ContainsKey(organizationId)) return null;
            return _feeds.GetOrAdd((organizationId, format), key =>
            {
                var organizations = key.Organization is null ? Organizations : [_byOrganization[key.Organization]];
                var lastModified = key.Organization is null ? LastModified : organizations[0].LastModified;
                return FeedDocument.Render(format, organizations, lastModified);
            });
        }
    }

    /// <summary>Re-reads the published numbers and profiles; a no-op when nothing changed since the last read.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken = default, bool force = false)
    {
        await _refresh.WaitAsync(cancellationToken);
        try
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            var stamp = await CallerNumberStore.ChangeStampAsync(connection, cancellationToken);
            if (!force && stamp == _current.Stamp) return;

            var numbers = await CallerNumberStore.ListPublishedAsync(connection, cancellationToken);
            var profiles = (await DirectoryProfiles.ListAsync(connection, cancellationToken)).ToDictionary(p => p.OrganizationId);
            var changed = await CallerNumberStore.LastChangedAsync(connection, cancellationToken);

            var organizations = numbers
                .GroupBy(n => n.OrganizationId)
                .Where(g => profiles.ContainsKey(g.Key))
                .Select(g =>
                {
                    var profile = profiles[g.Key];
                    var lastModified = Max(profile.ChangedAt, changed.GetValueOrDefault(g.Key, DateTimeOffset.UnixEpoch));
                    return new PublishedOrganization(profile, g.ToList(), lastModified);
                })
                .OrderBy(o => o.Profile.LegalName, StringComparer.Ordinal).ThenBy(o => o.Id, StringComparer.Ordinal)
                .ToList();
            // Withdrawals count too (they change a feed without adding anything to it).
            var lastModified = changed.Values.Concat(organizations.Select(o => o.LastModified)).DefaultIfEmpty(DateTimeOffset.UnixEpoch).Max();
            _current = new Snapshot(organizations, stamp, lastModified);
            logger.LogDebug("Directory snapshot rebuilt: {Organizations} organizations, {Numbers} numbers", organizations.Count, numbers.Count);
        }
        finally
        {
            _refresh.Release();
        }
    }

    Task IPublishedView.RefreshAsync(CancellationToken cancellationToken) => RefreshAsync(cancellationToken);

    public DateTimeOffset Now => time.GetUtcNow();

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}

/// <summary>Applies validity windows and keeps the snapshot fresh for changes this instance did not make.</summary>
internal sealed class DirectoryRefresher(PublishedDirectory published, NumberRegistry registry, DirectoryOptions options, ILogger<DirectoryRefresher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await registry.ApplyValidityAsync(stoppingToken);
                await published.RefreshAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception error)
            {
                // The last snapshot keeps serving; the next round tries again.
                logger.LogWarning(error, "Refreshing the published directory failed");
            }
            try { await Task.Delay(options.RefreshInterval, stoppingToken); }
            catch (OperationCanceledException) { break; }
        }
    }
}
