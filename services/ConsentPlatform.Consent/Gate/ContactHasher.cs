using System.Buffers.Binary;
using System.Buffers.Text;
using ConsentPlatform.Telephony;

namespace ConsentPlatform.Consent.Gate;

/// <summary>
/// The gate's view of <see cref="PhoneNumberHasher"/>: the 128-bit index key of a number without
/// building the hash string, and both at once where the string is needed too. Output is identical
/// to <see cref="PhoneNumberHasher.Hash(PhoneNumber)"/> (a test holds it to that).
/// </summary>
public sealed class ContactHasher(string keyId, byte[] key)
{
    private readonly PhoneNumberHasher _hasher = new(keyId, key);

    public static ContactHasher From(ServiceDefaults.PlatformOptions options) =>
        new(options.HashKeyId ?? "k1", options.HashKey ?? throw new InvalidOperationException("Hashing:Key is not configured."));

    /// <summary>The index key of a number, without the string form.</summary>
    public ContactKey KeyOf(PhoneNumber number)
    {
        Span<byte> mac = stackalloc byte[32];
        _hasher.Mac(number, mac);
        return ToKey(mac);
    }

    /// <summary>"{keyId}:{base64url}" as PhoneNumberHasher writes it, and its index key.</summary>
    public string Hash(PhoneNumber number, out ContactKey key)
    {
        Span<byte> mac = stackalloc byte[32];
        _hasher.Mac(number, mac);
        key = ToKey(mac);
        return _hasher.CurrentKeyId + ":" + Base64Url.EncodeToString(mac);
    }

    private static ContactKey ToKey(ReadOnlySpan<byte> mac) =>
        new(BinaryPrimitives.ReadUInt64LittleEndian(mac), BinaryPrimitives.ReadUInt64LittleEndian(mac[8..]));
}
