using System.Collections.Concurrent;
using System.Collections.Frozen;

namespace ConsentPlatform.Notices.Replica;

/// <summary>
/// The replica held in memory, so a gate decision costs a dictionary lookup rather than a query.
/// Writers (the consumers here, other instances through the change log) update the database
/// first and then replace a contact's whole state here; readers never see a half-applied change.
/// </summary>
public sealed class ReplicaIndex
{
    private readonly ConcurrentDictionary<string, ContactState> _contacts = new(StringComparer.Ordinal);
    private volatile FrozenDictionary<string, FrozenSet<string>> _published = FrozenDictionary<string, FrozenSet<string>>.Empty;

    /// <summary>False until the first full load: the gate refuses everything until then (fails closed).</summary>
    public bool IsLoaded { get; private set; }

    public int Count => _contacts.Count;

    public ContactState Find(string contactHash) => _contacts.TryGetValue(contactHash, out var state) ? state : ContactState.Empty;

    /// <summary>Looks up every candidate hash (key rotation) and merges what it finds.</summary>
    public ContactState Find(IEnumerable<string> candidateHashes)
    {
        ContactState? found = null;
        foreach (var hash in candidateHashes)
        {
            if (!_contacts.TryGetValue(hash, out var state)) continue;
            found = found is null ? state : new ContactState(Math.Max(found.ErasedAt, state.ErasedAt),
                [.. found.Suppressions, .. state.Suppressions], [.. found.Consents, .. state.Consents]);
        }
        return found ?? ContactState.Empty;
    }

    public bool IsPublished(string organizationId, string e164) =>
        _published.TryGetValue(organizationId, out var numbers) && numbers.Contains(e164);

    public void Replace(IReadOnlyDictionary<string, ContactState> states)
    {
        foreach (var (hash, state) in states)
        {
            if (state.ErasedAt == 0 && state.Suppressions.Length == 0 && state.Consents.Length == 0) _contacts.TryRemove(hash, out _);
            else _contacts[hash] = state;
        }
    }

    public void ReplacePublished(Dictionary<string, HashSet<string>> numbers) =>
        _published = numbers.ToFrozenDictionary(p => p.Key, p => p.Value.ToFrozenSet(StringComparer.Ordinal), StringComparer.Ordinal);

    public void MarkLoaded() => IsLoaded = true;
}
