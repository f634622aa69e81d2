using ConsentPlatform.Consent.Gate;
using ConsentPlatform.Telephony;

namespace ConsentPlatform.Consent.Tests;

public sealed class GateRulesTests
{
    private static readonly PhoneNumber Mobile = PhoneNumbers.Parse("090-1234-5678").Number;
    private static readonly PhoneNumber Landline = PhoneNumbers.Parse("03-1234-5678").Number;
    // 12:00 in Tokyo.
    private static readonly DateTimeOffset Noon = new(2026, 3, 2, 3, 0, 0, TimeSpan.Zero);
    private static readonly long NoonMs = Noon.ToUnixTimeMilliseconds();

    private static ConsentFact Consent(string channel, long? expiresAt = null, string org = "org_a", string purpose = "seminar") =>
        new(Guid.NewGuid(), org, channel, purpose, NoonMs - 86_400_000, expiresAt, "ev_1", "Seminar", 1, "sha256:x");

    private static DenyReason Evaluate(ContactFacts facts, string channel, PhoneNumber? number = null, DateTimeOffset? at = null, ContactHours? hours = null) =>
        GateRules.Evaluate(facts, null, "org_a", channel, "seminar", at ?? Noon, number ?? Mobile, hours ?? ContactHours.Default);

    [Fact]
    public void Active_consent_in_hours_allows()
    {
        Assert.Equal(DenyReason.None, Evaluate(new ContactFacts([], [Consent("sms")]), "sms"));
    }

    [Fact]
    public void Nothing_known_is_no_consent()
    {
        Assert.Equal(DenyReason.NoConsent, GateRules.Evaluate(null, null, "org_a", "call", "seminar", Noon, Mobile, ContactHours.Default));
    }

    [Fact]
    public void Consent_past_its_expiry_is_consent_expired_not_no_consent()
    {
        Assert.Equal(DenyReason.ConsentExpired, Evaluate(new ContactFacts([], [Consent("call", expiresAt: NoonMs - 1)]), "call"));
    }

    [Fact]
    public void Consent_for_another_organization_purpose_or_channel_does_not_count()
    {
        var facts = new ContactFacts([], [Consent("call", org: "org_b"), Consent("call", purpose: "other"), Consent("email")]);
        Assert.Equal(DenyReason.NoConsent, Evaluate(facts, "call"));
    }

    [Fact]
    public void Withdrawn_consent_does_not_count_after_its_withdrawal()
    {
        var withdrawn = Consent("sms") with { WithdrawnAt = NoonMs - 1000 };
        Assert.Equal(DenyReason.NoConsent, Evaluate(new ContactFacts([], [withdrawn]), "sms"));
        Assert.Equal(DenyReason.None, Evaluate(new ContactFacts([], [withdrawn]), "sms", at: Noon.AddHours(-1)));
    }

    [Fact]
    public void Sms_suppression_denies_sms_and_leaves_email_alone()
    {
        var facts = new ContactFacts([new SuppressionFact(Guid.NewGuid(), "org_a", "sms", null, ReasonCodes.OptedOut, NoonMs)], [Consent("sms"), Consent("email")]);
        Assert.Equal(DenyReason.OptedOut, Evaluate(facts, "sms"));
        Assert.Equal(DenyReason.None, Evaluate(facts, "email"));
    }

    [Fact]
    public void Suppression_with_no_scope_covers_every_organization_channel_and_purpose()
    {
        var facts = new ContactFacts([new SuppressionFact(Guid.NewGuid(), null, null, null, ReasonCodes.Erased, NoonMs)], [Consent("call")]);
        Assert.Equal(DenyReason.Erased, Evaluate(facts, "call"));
    }

    [Fact]
    public void Every_applicable_reason_is_reported()
    {
        var facts = new ContactFacts([new SuppressionFact(Guid.NewGuid(), "org_a", null, "seminar", ReasonCodes.RefusedOnCall, NoonMs)], []);
        var midnight = new DateTimeOffset(2026, 3, 2, 15, 0, 0, TimeSpan.Zero); // 00:00 in Tokyo
        var reasons = Evaluate(facts, "sms", Landline, midnight);
        Assert.Equal(DenyReason.NoConsent | DenyReason.RefusedOnCall | DenyReason.QuietHours | DenyReason.NotSmsCapable, reasons);
        Assert.Equal(["refused_on_call", "no_consent", "not_sms_capable", "quiet_hours"], ReasonCodes.Of(reasons));
    }

    [Theory]
    [InlineData(7, 59, true)]
    [InlineData(8, 0, false)]
    [InlineData(20, 59, false)]
    [InlineData(21, 0, true)]
    public void Calls_outside_the_organizations_hours_in_local_time_are_quiet_hours(int hour, int minute, bool quiet)
    {
        var tokyo = new DateTimeOffset(2026, 3, 2, hour, minute, 0, TimeSpan.FromHours(9));
        var reasons = Evaluate(new ContactFacts([], [Consent("call")]), "call", at: tokyo);
        Assert.Equal(quiet ? DenyReason.QuietHours : DenyReason.None, reasons);
    }

    [Fact]
    public void Organization_hours_replace_the_default_window()
    {
        var tenAm = new DateTimeOffset(2026, 3, 2, 10, 0, 0, TimeSpan.FromHours(9));
        var facts = new ContactFacts([], [Consent("call")]);
        Assert.Equal(DenyReason.QuietHours, Evaluate(facts, "call", at: tenAm, hours: new ContactHours(new TimeOnly(13, 0), new TimeOnly(17, 0))));
        Assert.Equal(DenyReason.None, Evaluate(facts, "call", at: tenAm, hours: new ContactHours(new TimeOnly(9, 0), new TimeOnly(17, 0))));
    }

    [Fact]
    public void Email_is_not_bound_by_quiet_hours()
    {
        var midnight = new DateTimeOffset(2026, 3, 2, 0, 0, 0, TimeSpan.FromHours(9));
        Assert.Equal(DenyReason.None, Evaluate(new ContactFacts([], [Consent("email")]), "email", at: midnight));
    }

    [Theory]
    [InlineData("+819012345678")]
    [InlineData("+12125550123")]
    [InlineData("+442079460018")]
    public void Fast_contact_hasher_gives_exactly_what_the_shared_hasher_gives(string e164)
    {
        var key = Enumerable.Range(3, 40).Select(i => (byte)i).ToArray();
        var number = PhoneNumbers.Parse(e164).Number;
        var fast = new ContactHasher("k9", key);
        var expected = new PhoneNumberHasher("k9", key).Hash(number);
        Assert.Equal(expected, fast.Hash(number, out var contactKey));
        Assert.Equal(ContactKey.Parse(expected), contactKey);
        Assert.Equal(contactKey, fast.KeyOf(number));
        Assert.Equal(expected, fast.Hash(number, out _));
    }

    [Fact]
    public void Contact_key_of_a_keyed_hash_is_stable_and_rejects_garbage()
    {
        var hasher = new PhoneNumberHasher("k1", new byte[32]);
        var hash = hasher.Hash(Mobile);
        Assert.Equal(ContactKey.Parse(hash), ContactKey.Parse(hasher.Hash(PhoneNumbers.Parse("+81 90 1234 5678").Number)));
        Assert.NotEqual(ContactKey.Parse(hash), ContactKey.Parse(hasher.Hash(Landline)));
        Assert.False(ContactKey.TryParse("no-colon", out _));
        Assert.False(ContactKey.TryParse("k1:!!", out _));
    }
}
