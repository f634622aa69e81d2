using System.Buffers.Binary;
using System.Buffers.Text;

namespace ConsentPlatform.Consent.Gate;

/// <summary>
/// A keyed hash ("{keyId}:{base64url HMAC}") reduced to its first 128 bits, the key of the
/// in-memory gate index: 16 bytes instead of a ~110-byte string per contact, which is what
/// lets ten million suppression entries fit in memory. Different keys give different MACs,
/// so the key id is not needed to tell them apart.
/// </summary>
public readonly record struct ContactKey(ulong High, ulong Low)
{
    public static bool TryParse(ReadOnlySpan<char> hash, out ContactKey key)
    {
        key = default;
        var colon = hash.IndexOf(':');
        if (colon <= 0) return false;
        Span<byte> mac = stackalloc byte[48];
        if (Base64Url.DecodeFromChars(hash[(colon + 1)..], mac, out _, out var written) != System.Buffers.OperationStatus.Done || written < 16)
            return false;
        key = new ContactKey(BinaryPrimitives.ReadUInt64LittleEndian(mac), BinaryPrimitives.ReadUInt64LittleEndian(mac[8..]));
        return true;
    }

    public static ContactKey Parse(string hash) =>
        TryParse(hash, out var key) ? key : throw new FormatException("Not a keyed hash.");
}
