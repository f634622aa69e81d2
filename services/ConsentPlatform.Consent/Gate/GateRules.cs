using ConsentPlatform.Contracts;
using ConsentPlatform.Telephony;

namespace ConsentPlatform.Consent.Gate;

/// <summary>Why a contact is not permitted (R10). Several can apply at once; the answer lists them all.</summary>
[Flags]
public enum DenyReason
{
    None = 0,
    NoConsent = 1 << 0,
    ConsentExpired = 1 << 1,
    OptedOut = 1 << 2,
    RefusedOnCall = 1 << 3,
    QuietHours = 1 << 4,
    NotSmsCapable = 1 << 5,
    Erased = 1 << 6,
    GateUnavailable = 1 << 7,
    /// <summary>A temporary opt-out ("not now, contact me after a date") that has not ended yet.</summary>
    OptedOutUntil = 1 << 8,
    /// <summary>No consent yet, but the person asked for email at this address and its confirmation link has not expired (ADR 0030).</summary>
    EmailConfirmationPending = 1 << 9,
}

public static class ReasonCodes
{
    public const string OptedOut = "opted_out";
    public const string RefusedOnCall = "refused_on_call";
    public const string Erased = "erased";
    /// <summary>
    /// Still an opt-out in R10's words, so the name keeps "opted_out"; "until" says it ends, and
    /// the check answers when (optedOutUntil). Distinct from opted_out so a dialer can plan the call.
    /// </summary>
    public const string OptedOutUntil = "opted_out_until";

    private static readonly (DenyReason Flag, string Code)[] Codes =
    [
        (DenyReason.Erased, Erased),
        (DenyReason.RefusedOnCall, RefusedOnCall),
        (DenyReason.OptedOut, OptedOut),
        (DenyReason.OptedOutUntil, OptedOutUntil),
        (DenyReason.NoConsent, "no_consent"),
        (DenyReason.EmailConfirmationPending, "email_confirmation_pending"),
        (DenyReason.ConsentExpired, "consent_expired"),
        (DenyReason.NotSmsCapable, "not_sms_capable"),
        (DenyReason.QuietHours, "quiet_hours"),
        (DenyReason.GateUnavailable, "gate_unavailable"),
    ];

    /// <summary>Every code, most serious first.</summary>
    public static IReadOnlyList<string> All { get; } = Array.ConvertAll(Codes, c => c.Code);

    private const int AllFlags = (1 << 10) - 1;

    private static readonly string[][] Cache = Enumerable.Range(0, AllFlags + 1).Select(i => Codes.Where(c => ((DenyReason)i & c.Flag) != 0).Select(c => c.Code).ToArray()).ToArray();

    /// <summary>The codes of every flag set, most serious first; shared arrays, do not modify.</summary>
    public static string[] Of(DenyReason reasons) => Cache[(int)reasons & AllFlags];

    public static DenyReason FromSuppressionReason(string reason) => reason switch
    {
        Erased => DenyReason.Erased,
        RefusedOnCall => DenyReason.RefusedOnCall,
        _ => DenyReason.OptedOut,
    };

    /// <summary>The flag of an entry that applies: a temporary opt-out is reported as such.</summary>
    public static DenyReason Of(SuppressionFact suppression) =>
        suppression.Until is not null && FromSuppressionReason(suppression.Reason) == DenyReason.OptedOut
            ? DenyReason.OptedOutUntil
            : FromSuppressionReason(suppression.Reason);
}

/// <summary>Local-time window in which calls and texts are allowed, per organization (R13).</summary>
public readonly record struct ContactHours(TimeOnly Start, TimeOnly End)
{
    public static ContactHours Default { get; } = new(ContactWindow.DefaultStart, ContactWindow.DefaultEnd);
}

/// <summary>
/// The decision itself, pure: the facts known about the contact in, the reasons out. Kept free
/// of I/O so the HTTP check, the bulk scrub and the benchmark run exactly the same rules.
/// </summary>
public static class GateRules
{
    /// <summary>
    /// Evaluates every rule; <paramref name="allowing"/> (when given) receives the active consents
    /// that match the organization, channel and purpose.
    /// </summary>
    public static DenyReason Evaluate(
        ContactFacts? facts, ContactFacts? otherFacts, string organizationId, string channel, string purpose,
        DateTimeOffset at, PhoneNumber number, ContactHours hours, List<ConsentFact>? allowing = null)
    {
        var reasons = DenyReason.None;
        var atMs = at.ToUnixTimeMilliseconds();
        var consent = Consents(facts, organizationId, channel, purpose, atMs, allowing) | Consents(otherFacts, organizationId, channel, purpose, atMs, allowing);
        // Active consent anywhere wins over an expired one elsewhere.
        if ((consent & Active) == 0)
            reasons |= (consent & Expired) != 0 ? DenyReason.ConsentExpired
                : (consent & Pending) != 0 ? DenyReason.EmailConfirmationPending
                : DenyReason.NoConsent;

        reasons |= Suppressed(facts, organizationId, channel, purpose, atMs) | Suppressed(otherFacts, organizationId, channel, purpose, atMs);

        if (channel is Channels.Call or Channels.Sms)
        {
            if (number.IsEmpty || !ContactWindow.IsContactAllowed(number, at, hours.Start, hours.End))
                reasons |= DenyReason.QuietHours;
            if (channel == Channels.Sms && !number.IsEmpty && !number.CanReceiveSms)
                reasons |= DenyReason.NotSmsCapable;
        }
        return reasons;
    }

    private const int Active = 1;
    private const int Expired = 2;
    private const int Pending = 4;

    private static int Consents(ContactFacts? facts, string organizationId, string channel, string purpose, long atMs, List<ConsentFact>? allowing)
    {
        if (facts is null) return 0;
        var found = 0;
        foreach (var c in facts.Consents)
        {
            if (c.Channel != channel || c.OrganizationId != organizationId || c.Purpose != purpose) continue;
            // A consent given after the moment asked about, or withdrawn before it, does not count.
            if (c.RecordedAt > atMs || c.WithdrawnAt <= atMs) continue;
            // A request awaiting its confirmation allows nothing; until its link expires it only says why not.
            if (c.Pending)
            {
                if (c.ExpiresAt is not { } ends || atMs < ends) found |= Pending;
                continue;
            }
            if (c.ExpiresAt is { } expires && expires <= atMs)
            {
                found |= Expired;
                continue;
            }
            found |= Active;
            allowing?.Add(c);
        }
        return found;
    }

    private static DenyReason Suppressed(ContactFacts? facts, string organizationId, string channel, string purpose, long atMs)
    {
        if (facts is null) return DenyReason.None;
        var reasons = DenyReason.None;
        foreach (var s in facts.Suppressions)
        {
            if (!s.Covers(organizationId, channel, purpose)) continue;
            // A temporary opt-out stops at its end. Nothing else ends, whatever date it carries, and
            // every entry applies whatever moment is asked about (fail closed).
            var reason = ReasonCodes.Of(s);
            if (reason != DenyReason.OptedOutUntil || s.InForceAt(atMs)) reasons |= reason;
        }
        return reasons;
    }

    /// <summary>When the latest temporary opt-out that applies at <paramref name="at"/> ends (for the answer's optedOutUntil).</summary>
    public static DateTimeOffset? OptedOutUntil(ContactFacts? facts, ContactFacts? otherFacts, string organizationId, string channel, string purpose, DateTimeOffset at)
    {
        var atMs = at.ToUnixTimeMilliseconds();
        long? latest = null;
        foreach (var s in (facts?.Suppressions ?? []).Concat(otherFacts?.Suppressions ?? []))
        {
            if (s.Until is { } until && ReasonCodes.Of(s) == DenyReason.OptedOutUntil && s.Covers(organizationId, channel, purpose) && s.InForceAt(atMs))
                latest = Math.Max(latest ?? until, until);
        }
        return latest is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
    }
}
