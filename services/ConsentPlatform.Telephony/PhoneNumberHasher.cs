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

    private readonly (string KeyId, byte[] Key) _current;
    private readonly (string KeyId, byte[] Key)[] _previous;

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

    private static string Compute((string KeyId, byte[] Key) key, string domain, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(domain + value);
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(key.Key, bytes, mac);
        return key.KeyId + ":" + Base64Url.EncodeToString(mac);
    }

    private static (string, byte[]) Validated(string keyId, byte[] key)
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
        return (keyId, (byte[])key.Clone());
    }
}
