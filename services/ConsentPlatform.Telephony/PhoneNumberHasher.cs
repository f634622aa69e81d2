using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace ConsentPlatform.Telephony;

/// <summary>
/// Keyed hash (HMAC-SHA256) of a normalized phone number or email, so services can match people
/// without storing who they are. Output is "{keyId}:{base64url}"; the key id lets an old key keep
/// matching while its hashes are rewritten under the new one.
/// </summary>
public sealed class PhoneNumberHasher
{
    /// <summary>HMAC-SHA256 keys shorter than the hash output weaken it (RFC 2104 §3).</summary>
    public const int MinimumKeyLength = 32;

    // Domain separation: a phone number and an email can never produce the same hash input.
    private const string PhoneDomain = "tel:";
    private const string EmailDomain = "mailto:";

    private readonly KeyedMac _current;
    private readonly KeyedMac[] _previous;

    public PhoneNumberHasher(string keyId, byte[] key, IEnumerable<(string KeyId, byte[] Key)>? previousKeys = null)
    {
        _current = Validated(keyId, key);
        _previous = previousKeys?.Select(k => Validated(k.KeyId, k.Key)).ToArray() ?? [];
        if (_previous.Any(k => k.KeyId == keyId) || _previous.Select(k => k.KeyId).Distinct(StringComparer.Ordinal).Count() != _previous.Length)
        {
            throw new ArgumentException("Key ids must be unique across current and previous keys.", nameof(previousKeys));
        }
    }

    public string CurrentKeyId => _current.KeyId;

    public string Hash(PhoneNumber number) => Compute(_current, PhoneDomain, PhoneInput(number));

    /// <summary>
    /// The raw 32-byte MAC behind <see cref="Hash(PhoneNumber)"/> (current key), for callers that
    /// index by the bytes and never need the string.
    /// </summary>
    public void Mac(PhoneNumber number, Span<byte> destination) => _current.Compute(PhoneDomain, PhoneInput(number), destination);

    /// <summary>Current hash first, then one per previous key.</summary>
    public IEnumerable<string> CandidateHashes(PhoneNumber number)
    {
        var input = PhoneInput(number);
        return Candidates(PhoneDomain, input);
    }

    /// <summary>Hash of an email after <see cref="NormalizeEmail"/>.</summary>
    public string HashEmail(string email) => Compute(_current, EmailDomain, NormalizeEmail(email));

    public IEnumerable<string> CandidateEmailHashes(string email) => Candidates(EmailDomain, NormalizeEmail(email));

    /// <summary>Trimmed and lower-cased (invariant); nothing else, so two spellings that deliver to
    /// different mailboxes never collide.</summary>
    public static string NormalizeEmail(string email)
    {
        ArgumentNullException.ThrowIfNull(email);
        var trimmed = email.Trim();
        if (trimmed.Length == 0)
        {
            throw new ArgumentException("Email is empty.", nameof(email));
        }
        return trimmed.ToLowerInvariant();
    }

    /// <summary>The key id of a hash produced by this class, for finding rows still under an old key.</summary>
    public static string KeyIdOf(string hash)
    {
        ArgumentNullException.ThrowIfNull(hash);
        var colon = hash.IndexOf(':');
        return colon > 0 ? hash[..colon] : throw new ArgumentException("Not a keyed hash.", nameof(hash));
    }

    private List<string> Candidates(string domain, string input)
    {
        var hashes = new List<string>(1 + _previous.Length) { Compute(_current, domain, input) };
        foreach (var key in _previous)
        {
            hashes.Add(Compute(key, domain, input));
        }
        return hashes;
    }

    private static string PhoneInput(PhoneNumber number) =>
        number.IsEmpty ? throw new ArgumentException("An empty PhoneNumber cannot be hashed.", nameof(number)) : number.E164;

    private static string Compute(KeyedMac key, string domain, string value)
    {
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        key.Compute(domain, value, mac);
        return key.KeyId + ":" + Base64Url.EncodeToString(mac);
    }

    /// <summary>
    /// One keyed HMAC per thread and key: HMACSHA256.HashData sets the key up again on every call,
    /// which dominated the permission gates' hot paths; a reset instance skips that.
    /// </summary>
    private sealed class KeyedMac(string keyId, byte[] key)
    {
        private readonly ThreadLocal<IncrementalHash> _hmac = new(() => IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key));

        public string KeyId { get; } = keyId;

        public void Compute(string domain, string value, Span<byte> mac)
        {
            var length = Encoding.UTF8.GetByteCount(domain) + Encoding.UTF8.GetByteCount(value);
            Span<byte> input = length <= 256 ? stackalloc byte[length] : new byte[length];
            var written = Encoding.UTF8.GetBytes(domain, input);
            Encoding.UTF8.GetBytes(value, input[written..]);
            var hmac = _hmac.Value!;
            hmac.AppendData(input);
            hmac.GetHashAndReset(mac);
        }
    }

    private static KeyedMac Validated(string keyId, byte[] key)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(keyId);
        ArgumentNullException.ThrowIfNull(key);
        if (keyId.Contains(':'))
        {
            throw new ArgumentException("Key ids cannot contain ':'.", nameof(keyId));
        }
        if (key.Length < MinimumKeyLength)
        {
            throw new ArgumentException($"Keys must be at least {MinimumKeyLength} bytes.", nameof(key));
        }
        return new KeyedMac(keyId, (byte[])key.Clone());
    }
}
