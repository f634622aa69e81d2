using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using ConsentPlatform.Telephony;

namespace ConsentPlatform.Telephony.Tests;

public class PhoneNumberHasherTests
{
    private static readonly byte[] KeyA = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
    private static readonly byte[] KeyB = Enumerable.Range(100, 32).Select(i => (byte)i).ToArray();
    private static readonly PhoneNumber Mobile = PhoneNumbers.Parse("090-1234-5678").Number;

    [Fact]
    public void Hash_is_the_key_id_and_base64url_hmac_sha256_of_the_e164_number()
    {
        var expected = "k2:" + Base64Url.EncodeToString(HMACSHA256.HashData(KeyA, Encoding.UTF8.GetBytes("tel:+819012345678")));

        Assert.Equal(expected, new PhoneNumberHasher("k2", KeyA).Hash(Mobile));
    }

    [Fact]
    public void Every_typed_form_of_a_number_hashes_the_same()
    {
        var hasher = new PhoneNumberHasher("k1", KeyA);

        Assert.Equal(hasher.Hash(Mobile), hasher.Hash(PhoneNumbers.Parse("＋８１ ９０ １２３４ ５６７８").Number));
    }

    [Fact]
    public void Different_keys_give_unrelated_hashes()
    {
        Assert.NotEqual(new PhoneNumberHasher("k1", KeyA).Hash(Mobile)[3..], new PhoneNumberHasher("k1", KeyB).Hash(Mobile)[3..]);
    }

    [Fact]
    public void Candidate_hashes_match_rows_written_under_the_previous_key()
    {
        var old = new PhoneNumberHasher("2024", KeyA);
        var rotated = new PhoneNumberHasher("2025", KeyB, [("2024", KeyA)]);

        var candidates = rotated.CandidateHashes(Mobile).ToList();

        Assert.Equal(rotated.Hash(Mobile), candidates[0]);
        Assert.Contains(old.Hash(Mobile), candidates);
        Assert.Equal("2024", PhoneNumberHasher.KeyIdOf(candidates[1]));
    }

    [Fact]
    public void Email_is_trimmed_and_lower_cased_before_hashing()
    {
        var hasher = new PhoneNumberHasher("k1", KeyA);

        Assert.Equal(hasher.HashEmail("taro@example.jp"), hasher.HashEmail("  Taro@Example.JP "));
        var rotated = new PhoneNumberHasher("k2", KeyB, [("k1", KeyA)]);
        Assert.Equal([rotated.HashEmail("a@b.c"), hasher.HashEmail("A@B.C")], rotated.CandidateEmailHashes(" a@b.c"));
    }

    [Fact]
    public void Phone_and_email_hashes_never_collide_on_the_same_text()
    {
        var hasher = new PhoneNumberHasher("k1", KeyA);

        Assert.NotEqual(hasher.Hash(Mobile), hasher.HashEmail(Mobile.E164));
    }

    [Fact]
    public void Caller_changing_the_key_array_later_does_not_change_hashes()
    {
        var key = (byte[])KeyA.Clone();
        var hasher = new PhoneNumberHasher("k1", key);
        var before = hasher.Hash(Mobile);

        key[0] ^= 0xFF;

        Assert.Equal(before, hasher.Hash(Mobile));
    }

    [Fact]
    public void Weak_or_ambiguous_keys_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new PhoneNumberHasher("k1", new byte[16]));
        Assert.Throws<ArgumentException>(() => new PhoneNumberHasher("k:1", KeyA));
        Assert.Throws<ArgumentException>(() => new PhoneNumberHasher(" ", KeyA));
        Assert.Throws<ArgumentException>(() => new PhoneNumberHasher("k1", KeyA, [("k1", KeyB)]));
        Assert.Throws<ArgumentException>(() => new PhoneNumberHasher("k1", KeyA).Hash(default));
        Assert.Throws<ArgumentException>(() => new PhoneNumberHasher("k1", KeyA).HashEmail("  "));
    }
}
