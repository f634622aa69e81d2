using Microsoft.Extensions.Caching.Memory;

namespace ConsentPlatform.Responses.Links;

/// <summary>
/// The short-link hot path reads from here: a bounded in-memory cache of assembled page data.
/// A miss reads the database once; unknown codes are cached briefly too, so guessing codes
/// cannot hammer the database. Nothing on this path writes.
/// </summary>
public sealed class LinkCache(LinkStore store, ResponsesOptions options, TimeProvider time) : IDisposable
{
    private static readonly TimeSpan UnknownTtl = TimeSpan.FromSeconds(2);
    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = options.LinkCacheSize, Clock = new SystemClockAdapter(time) });

    public ValueTask<LinkView?> FindAsync(string code, CancellationToken ct)
    {
        if (_cache.TryGetValue(code, out Entry? hit)) return ValueTask.FromResult(hit!.View);
        return new ValueTask<LinkView?>(LoadAsync(code, ct));
    }

    private async Task<LinkView?> LoadAsync(string code, CancellationToken ct)
    {
        var view = await store.FindViewAsync(code, ct);
        _cache.Set(code, new Entry(view), new MemoryCacheEntryOptions
        {
            Size = 1,
            AbsoluteExpirationRelativeToNow = view is null ? UnknownTtl : options.LinkCacheTtl,
        });
        return view;
    }

    /// <summary>Drops a code so the next read sees what a consumer just committed.</summary>
    public void Invalidate(string code) => _cache.Remove(code);

    /// <summary>
    /// Drops every cached link of an organization (its profile changed: the pages name it). A walk over
    /// the cache, which a rename or a new contact point is rare enough to afford; the hot path stays a lookup.
    /// </summary>
    public void InvalidateOrganization(string organizationId)
    {
        foreach (var key in _cache.Keys)
            if (_cache.TryGetValue(key, out Entry? entry) && entry!.View?.Link.OrganizationId == organizationId)
                _cache.Remove(key);
    }

    public void Dispose() => _cache.Dispose();

    private sealed record Entry(LinkView? View);

#pragma warning disable CS0618 // ISystemClock is what MemoryCacheOptions takes.
    private sealed class SystemClockAdapter(TimeProvider time) : Microsoft.Extensions.Internal.ISystemClock
    {
        public DateTimeOffset UtcNow => time.GetUtcNow();
    }
#pragma warning restore CS0618
}
