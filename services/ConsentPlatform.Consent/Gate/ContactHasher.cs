using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using ConsentPlatform.Telephony;

namespace ConsentPlatform.Consent.Gate;

/// <summary>
/// The gate's hot path hashes every number it is asked about. HMACSHA256.HashData sets the key up
/// again on every call; this keeps one keyed HMAC per thread and resets it instead, and hands the
/// index its 128-bit key without building the string. Output is identical to
/// <see cref="PhoneNumberHasher.Hash(PhoneNumber)"/> (a test holds it to that).
/// </summary>
public sealed class ContactHasher : IDisposable
{
    private const int MaxInput = 4 + 32;
    private readonly string _keyId;
    private readonly ThreadLocal<IncrementalHash> _hmac;

    public ContactHasher(string keyId, byte[] key)
    {
        _keyId = keyId;
        var copy = (byte[])key.Clone();
        _hmac = new ThreadLocal<IncrementalHash>(() => IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, copy), trackAllValues: true);
    }

    public static ContactHasher From(ServiceDefaults.PlatformOptions options) =>
        new(options.HashKeyId ?? "k1", options.HashKey ?? throw new InvalidOperationException("Hashing:Key is not configured."));

    /// <summary>The index key of a number, without the string form.</summary>
    public ContactKey KeyOf(PhoneNumber number)
    {
        Span<byte> mac = stackalloc byte[32];
        Compute(number, mac);
        return new ContactKey(BinaryPrimitives.ReadUInt64LittleEndian(mac), BinaryPrimitives.ReadUInt64LittleEndian(mac[8..]));
    }

    /// <summary>"{keyId}:{base64url}" as PhoneNumberHasher writes it, and its index key.</summary>
    public string Hash(PhoneNumber number, out ContactKey key)
    {
        Span<byte> mac = stackalloc byte[32];
        Compute(number, mac);
        key = new ContactKey(BinaryPrimitives.ReadUInt64LittleEndian(mac), BinaryPrimitives.ReadUInt64LittleEndian(mac[8..]));
        return _keyId + ":" + Base64Url.EncodeToString(mac);
    }

    private void Compute(PhoneNumber number, Span<byte> mac)
    {
        if (number.IsEmpty) throw new ArgumentException("An empty PhoneNumber cannot be hashed.", nameof(number));
        Span<byte> input = stackalloc byte[MaxInput];
        var length = Encoding.ASCII.GetBytes("tel:", input);
        length += Encoding.ASCII.GetBytes(number.E164, input[length..]);
        var hmac = _hmac.Value!;
        hmac.AppendData(input[..length]);
        hmac.GetHashAndReset(mac);
    }

    public void Dispose()
    {
        foreach (var hmac in _hmac.Values) hmac.Dispose();
        _hmac.Dispose();
    }
}
