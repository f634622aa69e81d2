using System.Collections.Concurrent;

namespace ConsentPlatform.Consent.Gate;

/// <summary>A suppression entry as the gate needs it. Null scope means "all"; <see cref="Until"/> ends a temporary opt-out.</summary>
public sealed record SuppressionFact(Guid Id, string? OrganizationId, string? Channel, string? Purpose, string Reason, long CreatedAt, long? Until = null)
{
    public bool Covers(string organizationId, string channel, string purpose) =>
        (OrganizationId is null || OrganizationId == organizationId)
        && (Channel is null || Channel == channel)
        && (Purpose is null || Purpose == purpose);

    /// <summary>Whether the entry still applies at <paramref name="atMs"/>: a temporary one stops at its end.</summary>
    public bool InForceAt(long atMs) => Until is not { } until || atMs < until;
}

/// <summary>
/// A granted ledger row as the gate needs it; <see cref="WithdrawnAt"/> is set by a later withdrawal row. A
/// <see cref="Pending"/> one is a requested row (an address awaiting its double opt-in), which allows nothing.
/// </summary>
public sealed record ConsentFact(
    Guid Id, string OrganizationId, string Channel, string Purpose, long RecordedAt, long? ExpiresAt,
    string? EventId, string? SourceEvent, int? TextVersion, string? TextHash, long? WithdrawnAt = null, bool Pending = false);

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
/// that commits rows (and by a catch-up poll for rows other processes wrote). Reads take no lock;
/// writes are serialized. Until it has been loaded, <see cref="IsReady"/> is false and the gate
/// denies (fails closed).
/// </summary>
/// <remarks>
/// Nearly every contact the index knows is suppressed once and has nothing else: those live in a
/// compact open-addressing table (<see cref="ContactTable"/>, 56 bytes a slot, ~84 bytes a contact
/// at the worst fill), which is what keeps ten million entries well under 2 GiB. A contact with
/// more than that — consents, a second entry, a string the slot cannot number — moves to an
/// overflow dictionary of immutable <see cref="ContactFacts"/>; its slot stays, marked Overflow,
/// so a lookup of an unknown number still ends at the first empty slot. A fact is written to
/// the overflow before the slot says so, and a slot's fields before its key, so a reader never
/// sees half an entry, nor loses one that was there when it started.
/// </remarks>
public sealed class GateIndex
{
    private const int ChannelLimit = 15;
    private const int ReasonLimit = 15;

    private volatile ContactTable _table;
    private readonly ConcurrentDictionary<ContactKey, ContactFacts> _overflow = new();
    private readonly Lock _write = new();
    private readonly StringTable _organizations = new(int.MaxValue - 1);
    private readonly StringTable _channels = new(ChannelLimit);
    private readonly StringTable _purposes = new(ushort.MaxValue);
    private readonly StringTable _reasons = new(ReasonLimit);
    private readonly ConcurrentDictionary<string, string> _strings = new(StringComparer.Ordinal);
    private int _unslotted;
    private volatile bool _ready;

    public GateIndex(int capacity = 1024) => _table = ContactTable.For(capacity);

    public bool IsReady => _ready;

    /// <summary>Contacts the index knows (including those whose entries have all been lifted).</summary>
    public int ContactCount => _table.Count + Volatile.Read(ref _unslotted);

    /// <summary>Bytes held by the compact table's slots (for the benchmarks' memory figures).</summary>
    public long TableBytes => (long)_table.Keys.Length * ContactTable.SlotBytes;

    public void MarkReady() => _ready = true;

    /// <summary>Makes room for <paramref name="contacts"/> more contacts at once (one copy instead of many on a large load).</summary>
    public void EnsureCapacity(long contacts)
    {
        lock (_write)
        {
            var table = _table;
            if (!table.HasRoomFor(contacts)) _table = table.CopyFor(table.Count + contacts);
        }
    }

    public ContactFacts? Find(ContactKey key)
    {
        if (key.High == 0) return _overflow.GetValueOrDefault(key);
        var table = _table;
        var i = table.IndexOf(key);
        if (i < 0) return null;
        ref readonly var entry = ref table.Entries[i];
        return (SlotState)Volatile.Read(in entry.State) switch
        {
            SlotState.Single => new ContactFacts([Fact(in entry)], []),
            SlotState.Overflow => _overflow.GetValueOrDefault(key),
            _ => null,
        };
    }

    public void AddSuppression(ContactKey key, SuppressionFact suppression)
    {
        lock (_write)
        {
            var table = _table;
            var i = key.High == 0 ? -1 : table.IndexOf(key);
            // A contact seen for the first time (nearly every row at start-up): one slot, no objects.
            if (i < 0 && key.High != 0 && TryEncode(suppression, out var entry))
            {
                InsertSlot(key, entry);
                return;
            }
            suppression = Interned(suppression);
            var current = Current(key, table, i);
            if (Array.Exists(current.Suppressions, s => s.Id == suppression.Id)) return;
            SetOverflow(key, table, i, new ContactFacts([.. current.Suppressions, suppression], current.Consents));
        }
    }

    public void LiftSuppression(ContactKey key, Guid suppressionId)
    {
        lock (_write)
        {
            var table = _table;
            var i = key.High == 0 ? -1 : table.IndexOf(key);
            if (i >= 0 && (SlotState)table.Entries[i].State == SlotState.Single)
            {
                if (table.Entries[i].Id == suppressionId) Volatile.Write(ref table.Entries[i].State, (byte)SlotState.Cleared);
                return;
            }
            if (Known(key, table, i) is not { } current || !Array.Exists(current.Suppressions, s => s.Id == suppressionId)) return;
            SetOverflow(key, table, i, new ContactFacts(Array.FindAll(current.Suppressions, s => s.Id != suppressionId), current.Consents));
        }
    }

    public void AddConsent(ContactKey key, ConsentFact consent)
    {
        consent = Interned(consent);
        lock (_write)
        {
            var table = _table;
            var i = key.High == 0 ? -1 : table.IndexOf(key);
            var current = Current(key, table, i);
            if (Array.Exists(current.Consents, c => c.Id == consent.Id)) return;
            SetOverflow(key, table, i, new ContactFacts(current.Suppressions, [.. current.Consents, consent]));
        }
    }

    public void Withdraw(ContactKey key, Guid consentId, long withdrawnAt)
    {
        lock (_write)
        {
            var table = _table;
            var i = key.High == 0 ? -1 : table.IndexOf(key);
            if (Known(key, table, i) is not { Consents.Length: > 0 } current) return;
            var consents = Array.ConvertAll(current.Consents, c => c.Id == consentId && c.WithdrawnAt is null ? c with { WithdrawnAt = withdrawnAt } : c);
            SetOverflow(key, table, i, new ContactFacts(current.Suppressions, consents));
        }
    }

    /// <summary>Erasure: the consents go, the suppression entries stay.</summary>
    public void RemoveConsents(ContactKey key)
    {
        lock (_write)
        {
            var table = _table;
            var i = key.High == 0 ? -1 : table.IndexOf(key);
            if (Known(key, table, i) is not { Consents.Length: > 0 } current) return;
            SetOverflow(key, table, i, new ContactFacts(current.Suppressions, []));
        }
    }

    // Writer only (under the lock) from here on.

    /// <summary>The contact's facts as they stand, or null when the index has never seen it.</summary>
    private ContactFacts? Known(ContactKey key, ContactTable table, int i)
    {
        if (i < 0) return key.High == 0 ? _overflow.GetValueOrDefault(key) : null;
        return (SlotState)table.Entries[i].State switch
        {
            SlotState.Single => new ContactFacts([Fact(in table.Entries[i])], []),
            SlotState.Overflow => _overflow[key],
            _ => ContactFacts.Empty,
        };
    }

    private ContactFacts Current(ContactKey key, ContactTable table, int i) => Known(key, table, i) ?? ContactFacts.Empty;

    /// <summary>Publishes new facts for a contact: the overflow entry first, then the slot that points at it.</summary>
    private void SetOverflow(ContactKey key, ContactTable table, int i, ContactFacts facts)
    {
        if (key.High == 0)
        {
            // Kept outside the table (a zero high half marks an empty slot): counted here instead.
            if (_overflow.TryAdd(key, facts)) Interlocked.Increment(ref _unslotted);
            else _overflow[key] = facts;
            return;
        }
        _overflow[key] = facts;
        if (i >= 0)
        {
            if ((SlotState)table.Entries[i].State != SlotState.Overflow) Volatile.Write(ref table.Entries[i].State, (byte)SlotState.Overflow);
            return;
        }
        InsertSlot(key, new ContactEntry { Until = ContactTable.NoUntil, State = (byte)SlotState.Overflow });
    }

    private void InsertSlot(ContactKey key, in ContactEntry entry)
    {
        var table = _table;
        if (!table.HasRoomFor(1))
        {
            // Readers keep using the old table until the new one is published whole.
            table = table.CopyFor((long)table.Count * 2 + 1);
            _table = table;
        }
        table.Insert(key, entry);
    }

    private bool TryEncode(SuppressionFact s, out ContactEntry entry)
    {
        entry = default;
        if (!_organizations.TryIntern(s.OrganizationId, out var organization) || !_channels.TryIntern(s.Channel, out var channel)
            || !_purposes.TryIntern(s.Purpose, out var purpose) || !_reasons.TryIntern(s.Reason, out var reason))
            return false;
        entry = new ContactEntry
        {
            Id = s.Id, CreatedAt = s.CreatedAt, Until = s.Until ?? ContactTable.NoUntil,
            Organization = organization, Purpose = (ushort)purpose, ChannelReason = (byte)(channel | reason << 4), State = (byte)SlotState.Single,
        };
        return true;
    }

    private SuppressionFact Fact(in ContactEntry entry) => new(
        entry.Id, _organizations[entry.Organization], _channels[entry.ChannelReason & 0xF], _purposes[entry.Purpose], _reasons[entry.ChannelReason >> 4]!,
        entry.CreatedAt, entry.Until == ContactTable.NoUntil ? null : entry.Until);

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
