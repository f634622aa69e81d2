using System.Collections.Concurrent;

namespace ConsentPlatform.Consent.Gate;

/// <summary>A suppression entry as the gate needs it. Null scope means "all".</summary>
public sealed record SuppressionFact(Guid Id, string? OrganizationId, string? Channel, string? Purpose, string Reason, long CreatedAt)
{
    public bool Covers(string organizationId, string channel, string purpose) =>
        (OrganizationId is null || OrganizationId == organizationId)
        && (Channel is null || Channel == channel)
        && (Purpose is null || Purpose == purpose);
}

/// <summary>A granted ledger row as the gate needs it; <see cref="WithdrawnAt"/> is set by a later withdrawal row.</summary>
public sealed record ConsentFact(
    Guid Id, string OrganizationId, string Channel, string Purpose, long RecordedAt, long? ExpiresAt,
    string? EventId, string? SourceEvent, int? TextVersion, string? TextHash, long? WithdrawnAt = null);

/// <summary>Everything known about one contact hash. Immutable: writers swap in a new instance.</summary>
public sealed class ContactFacts(SuppressionFact[] suppressions, ConsentFact[] consents)
{
    public static readonly ContactFacts Empty = new([], []);
    public SuppressionFact[] Suppressions { get; } = suppressions;
    public ConsentFact[] Consents { get; } = consents;
}

/// <summary>
/// The gate's in-memory index of suppressions and consents, keyed by contact hash. The database
/// is the record; this is a projection of it, rebuilt at start-up and kept current by the code
/// that commits rows (and by a catch-up poll for rows other processes wrote). Reads take no lock.
/// Until it has been loaded, <see cref="IsReady"/> is false and the gate denies (fails closed).
/// </summary>
public sealed class GateIndex
{
    // The value is a ContactFacts, or — for the common contact that is only suppressed, once —
    // the SuppressionFact itself: 64 bytes less per entry, which is what keeps ten million
    // suppression entries under 2 GiB.
    private readonly ConcurrentDictionary<ContactKey, object> _facts;
    private readonly Lock _write = new();
    private readonly ConcurrentDictionary<string, string> _strings = new(StringComparer.Ordinal);
    private volatile bool _ready;

    public GateIndex(int capacity = 1024) =>
        _facts = new ConcurrentDictionary<ContactKey, object>(Environment.ProcessorCount, capacity);

    public bool IsReady => _ready;

    public int ContactCount => _facts.Count;

    public void MarkReady() => _ready = true;

    public ContactFacts? Find(ContactKey key) =>
        !_facts.TryGetValue(key, out var value) ? null : value as ContactFacts ?? new ContactFacts([(SuppressionFact)value], []);

    private void Set(ContactKey key, ContactFacts facts) =>
        _facts[key] = facts.Consents.Length == 0 && facts.Suppressions.Length == 1 ? facts.Suppressions[0] : facts;

    public void AddSuppression(ContactKey key, SuppressionFact suppression)
    {
        suppression = Interned(suppression);
        lock (_write)
        {
            // A contact seen for the first time (nearly every row at start-up): stored as is, no copies.
            if (_facts.TryAdd(key, suppression)) return;
            var current = Find(key) ?? ContactFacts.Empty;
            if (Array.Exists(current.Suppressions, s => s.Id == suppression.Id)) return;
            Set(key, new ContactFacts([.. current.Suppressions, suppression], current.Consents));
        }
    }

    public void LiftSuppression(ContactKey key, Guid suppressionId)
    {
        lock (_write)
        {
            if (Find(key) is not { } current) return;
            Set(key, new ContactFacts(Array.FindAll(current.Suppressions, s => s.Id != suppressionId), current.Consents));
        }
    }

    public void AddConsent(ContactKey key, ConsentFact consent)
    {
        consent = Interned(consent);
        lock (_write)
        {
            var current = Find(key) ?? ContactFacts.Empty;
            if (Array.Exists(current.Consents, c => c.Id == consent.Id)) return;
            Set(key, new ContactFacts(current.Suppressions, [.. current.Consents, consent]));
        }
    }

    public void Withdraw(ContactKey key, Guid consentId, long withdrawnAt)
    {
        lock (_write)
        {
            if (Find(key) is not { } current) return;
            var consents = Array.ConvertAll(current.Consents, c => c.Id == consentId && c.WithdrawnAt is null ? c with { WithdrawnAt = withdrawnAt } : c);
            Set(key, new ContactFacts(current.Suppressions, consents));
        }
    }

    /// <summary>Erasure: the consents go, the suppression entries stay.</summary>
    public void RemoveConsents(ContactKey key)
    {
        lock (_write)
        {
            if (Find(key) is not { } current) return;
            Set(key, new ContactFacts(current.Suppressions, []));
        }
    }

    private SuppressionFact Interned(SuppressionFact s)
    {
        var (organization, channel, purpose, reason) = (Intern(s.OrganizationId), Intern(s.Channel), Intern(s.Purpose), Intern(s.Reason)!);
        return ReferenceEquals(organization, s.OrganizationId) && ReferenceEquals(channel, s.Channel) && ReferenceEquals(purpose, s.Purpose) && ReferenceEquals(reason, s.Reason)
            ? s : s with { OrganizationId = organization, Channel = channel, Purpose = purpose, Reason = reason };
    }

    private ConsentFact Interned(ConsentFact c)
    {
        var (organization, channel, purpose, eventId, source) = (Intern(c.OrganizationId)!, Intern(c.Channel)!, Intern(c.Purpose)!, Intern(c.EventId), Intern(c.SourceEvent));
        return ReferenceEquals(organization, c.OrganizationId) && ReferenceEquals(channel, c.Channel) && ReferenceEquals(purpose, c.Purpose)
            && ReferenceEquals(eventId, c.EventId) && ReferenceEquals(source, c.SourceEvent)
            ? c : c with { OrganizationId = organization, Channel = channel, Purpose = purpose, EventId = eventId, SourceEvent = source };
    }

    // Organization ids, purposes and event names repeat across millions of rows: one copy each.
    private string? Intern(string? value) => value is null ? null : _strings.GetOrAdd(value, value);
}
