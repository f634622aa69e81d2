namespace ConsentPlatform.Consent.Gate;

/// <summary>What a <see cref="ContactTable"/> slot holds for its contact.</summary>
internal enum SlotState : byte
{
    /// <summary>Exactly one suppression entry, stored in the slot itself (the common case).</summary>
    Single = 1,
    /// <summary>Anything else: the facts live in the overflow dictionary.</summary>
    Overflow = 2,
    /// <summary>Known, but nothing applies any more (its only entry was lifted).</summary>
    Cleared = 3,
}

/// <summary>
/// One slot: the 128-bit contact key and one suppression entry with its strings as small indexes.
/// 56 bytes and no references, so ten million of them are one array the GC never scans.
/// </summary>
internal struct ContactSlot
{
    /// <summary>0 = empty. Written last, with release semantics: a reader that sees it sees the rest.</summary>
    public ulong High;
    public ulong Low;
    public Guid Id;
    public long CreatedAt;
    /// <summary><see cref="ContactTable.NoUntil"/> when the entry is for good.</summary>
    public long Until;
    public int Organization;
    public ushort Purpose;
    /// <summary>Channel in the low four bits, reason in the high four.</summary>
    public byte ChannelReason;
    /// <summary>A <see cref="SlotState"/>; the only field that changes after publication.</summary>
    public byte State;
}

/// <summary>
/// Open-addressing (linear probing) table from contact key to slot, for one writer and any number
/// of lock-free readers. Slots are never removed, only their state moves on (Single → Overflow or
/// Cleared, Cleared → Overflow), so a probe chain never breaks. A full table is copied into a
/// larger one that is then published as a whole; readers still on the old one see a consistent
/// snapshot of an earlier moment. Keys whose high half is zero cannot be stored (zero marks an
/// empty slot); the caller keeps those elsewhere.
/// </summary>
internal sealed class ContactTable
{
    public const long NoUntil = long.MinValue;
    private const int MinimumLength = 16;

    public readonly ContactSlot[] Slots;
    /// <summary>Occupied slots; changed by the writer only.</summary>
    public int Count;

    private ContactTable(int length) => Slots = new ContactSlot[length];

    /// <summary>A table that holds <paramref name="contacts"/> keys without growing (at most 3/4 full).</summary>
    public static ContactTable For(long contacts)
    {
        var length = Math.Max(MinimumLength, contacts * 4 / 3 + 1);
        if (length > Array.MaxLength) throw new InvalidOperationException($"The gate index cannot hold {contacts:N0} contacts.");
        return new ContactTable((int)length);
    }

    public bool HasRoomFor(long more) => (Count + more) * 4 <= (long)Slots.Length * 3;

    /// <summary>The slot of <paramref name="key"/>, or -1. Safe to call concurrently with the writer.</summary>
    public int IndexOf(ContactKey key)
    {
        var slots = Slots;
        var i = Home(key.High, slots.Length);
        while (true)
        {
            var high = Volatile.Read(ref slots[i].High);
            if (high == 0) return -1;
            if (high == key.High && slots[i].Low == key.Low) return i;
            if (++i == slots.Length) i = 0;
        }
    }

    /// <summary>Writer only: stores a new key (not already present) with its slot contents, publishing the key last.</summary>
    public void Insert(in ContactSlot slot)
    {
        var slots = Slots;
        var i = Home(slot.High, slots.Length);
        while (slots[i].High != 0)
            if (++i == slots.Length) i = 0;
        ref var target = ref slots[i];
        target.Low = slot.Low;
        target.Id = slot.Id;
        target.CreatedAt = slot.CreatedAt;
        target.Until = slot.Until;
        target.Organization = slot.Organization;
        target.Purpose = slot.Purpose;
        target.ChannelReason = slot.ChannelReason;
        target.State = slot.State;
        Volatile.Write(ref target.High, slot.High);
        Count++;
    }

    /// <summary>Writer only: a copy with room for <paramref name="contacts"/> keys; publish it once built.</summary>
    public ContactTable CopyFor(long contacts)
    {
        var copy = For(contacts);
        foreach (ref readonly var slot in Slots.AsSpan())
            if (slot.High != 0) copy.Insert(slot);
        return copy;
    }

    // The key is a MAC, so its top bits could pick the slot as they are; the multiply (Fibonacci
    // hashing, a bijection) keeps the table well spread should a key source ever be less uniform.
    // Multiply-high maps onto any length: no power-of-two size, so less empty space.
    private static int Home(ulong high, int length) => (int)Math.BigMul(high * 0x9E3779B97F4A7C15UL, (ulong)length, out _);
}

/// <summary>
/// Strings that repeat across millions of entries (organization ids, channels, purposes, reasons),
/// numbered from 1 (0 = null). Written by the writer only; readers see an array published after
/// every addition, and a slot only ever names a number published before the slot itself.
/// </summary>
internal sealed class StringTable(int limit)
{
    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);
    private volatile string?[] _values = new string?[8];

    /// <summary>The number of <paramref name="value"/>, adding it if there is room; false when the table is full.</summary>
    public bool TryIntern(string? value, out int id)
    {
        id = 0;
        if (value is null) return true;
        if (_ids.TryGetValue(value, out id)) return true;
        if (_ids.Count >= limit) return false;
        id = _ids.Count + 1;
        var values = _values;
        if (id >= values.Length)
        {
            var grown = new string?[values.Length * 2];
            values.CopyTo(grown, 0);
            grown[id] = value;
            _values = grown;
        }
        else
        {
            Volatile.Write(ref values[id], value);
        }
        _ids.Add(value, id);
        return true;
    }

    public string? this[int id] => _values[id];
}
