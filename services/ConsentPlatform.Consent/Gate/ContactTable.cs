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

/// <summary>The key half of a slot, apart from the rest so a probe reads four keys per cache line.</summary>
internal struct SlotKey
{
    /// <summary>0 = empty. Written last, with release semantics: a reader that sees it sees the rest of the slot.</summary>
    public ulong High;
    public ulong Low;
}

/// <summary>
/// The entry half of a slot: one suppression entry with its strings as small numbers. 40 bytes and
/// no references (56 with the key), so ten million slots are two arrays the GC never scans.
/// </summary>
internal struct ContactEntry
{
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
/// Open-addressing (linear probing) table from contact key to entry, for one writer and any number
/// of lock-free readers. Slots are never removed, only their state moves on (Single → Overflow or
/// Cleared, Cleared → Overflow), so a probe chain never breaks. A full table is copied into a
/// larger one that is then published as a whole; readers still on the old one see a consistent
/// snapshot of an earlier moment. Keys whose high half is zero cannot be stored (zero marks an
/// empty slot); the caller keeps those elsewhere. At most two thirds full, so a miss — most of a
/// scrub — reads about five keys, one or two cache lines.
/// </summary>
internal sealed class ContactTable
{
    public const long NoUntil = long.MinValue;
    private const int MinimumLength = 16;

    public readonly SlotKey[] Keys;
    public readonly ContactEntry[] Entries;
    /// <summary>Occupied slots; changed by the writer only.</summary>
    public int Count;

    private ContactTable(int length)
    {
        Keys = new SlotKey[length];
        Entries = new ContactEntry[length];
    }

    public static int SlotBytes => System.Runtime.CompilerServices.Unsafe.SizeOf<SlotKey>() + System.Runtime.CompilerServices.Unsafe.SizeOf<ContactEntry>();

    /// <summary>A table that holds <paramref name="contacts"/> keys without growing.</summary>
    public static ContactTable For(long contacts)
    {
        var length = Math.Max(MinimumLength, contacts * 3 / 2 + 1);
        if (length > Array.MaxLength) throw new InvalidOperationException($"The gate index cannot hold {contacts:N0} contacts.");
        return new ContactTable((int)length);
    }

    public bool HasRoomFor(long more) => (Count + more) * 3 <= (long)Keys.Length * 2;

    /// <summary>The slot of <paramref name="key"/>, or -1. Safe to call concurrently with the writer.</summary>
    public int IndexOf(ContactKey key)
    {
        var keys = Keys;
        var i = Home(key.High, keys.Length);
        while (true)
        {
            var high = Volatile.Read(ref keys[i].High);
            if (high == 0) return -1;
            if (high == key.High && keys[i].Low == key.Low) return i;
            if (++i == keys.Length) i = 0;
        }
    }

    /// <summary>Writer only: stores a new key (not already present) with its entry, publishing the key last.</summary>
    public void Insert(ContactKey key, in ContactEntry entry)
    {
        var keys = Keys;
        var i = Home(key.High, keys.Length);
        while (keys[i].High != 0)
            if (++i == keys.Length) i = 0;
        Entries[i] = entry;
        keys[i].Low = key.Low;
        Volatile.Write(ref keys[i].High, key.High);
        Count++;
    }

    /// <summary>Writer only: a copy with room for <paramref name="contacts"/> keys; publish it once built.</summary>
    public ContactTable CopyFor(long contacts)
    {
        var copy = For(contacts);
        for (var i = 0; i < Keys.Length; i++)
            if (Keys[i].High != 0) copy.Insert(new ContactKey(Keys[i].High, Keys[i].Low), Entries[i]);
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
