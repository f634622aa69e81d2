using ConsentPlatform.Contracts;
using ConsentPlatform.Telephony;

namespace ConsentPlatform.Notices.Replica;

/// <summary>Why a notice was not sent. Stable strings: they appear in the API and in reports.</summary>
public static class RefusalReasons
{
    public const string Erased = "erased";
    public const string OptedOut = "opted_out";
    /// <summary>"Not now — contact me after a date": refused until then.</summary>
    public const string OptedOutUntil = "opted_out_until";
    public const string NotSmsCapable = "not_sms_capable";
    public const string NoSmsConsent = "no_sms_consent";
    public const string ConsentExpired = "consent_expired";
    public const string CallingNumberUnpublished = "calling_number_unpublished";
    public const string QuietHours = "quiet_hours";
    /// <summary>A pre-call notice still queued well after its call's planned time: it would announce a call already made.</summary>
    public const string CallTimePassed = "call_time_passed";
    public const string FrequencyCap = "frequency_cap";
    public const string MessageTooLong = "message_too_long";
    /// <summary>The replica could not be read: the gate fails closed (R11).</summary>
    public const string GateUnavailable = "gate_unavailable";
}

/// <summary>
/// A do-not-contact entry; null scope fields mean "all". <see cref="UntilAt"/> (unix ms) ends a temporary one.
/// <see cref="Source"/> and <see cref="SuppressedAt"/> say how and when the person said no, for the rep who is stopped.
/// </summary>
public readonly record struct SuppressionEntry(string? OrganizationId, string? Channel, string? Purpose, long? UntilAt = null, string? Source = null, long SuppressedAt = 0)
{
    public bool Covers(string organizationId, string channel, string purpose) =>
        (OrganizationId is null || OrganizationId == organizationId)
        && (Channel is null || Channel == channel)
        && (Purpose is null || Purpose == purpose);
}

/// <summary>The latest consent and withdrawal for one organization, channel and purpose (unix ms; 0 = never).</summary>
public readonly record struct ConsentEntry(string OrganizationId, string Channel, string Purpose, long RecordedAt, long? ExpiresAt, long WithdrawnAt)
{
    public bool IsGiven => RecordedAt > WithdrawnAt;
}

/// <summary>What the replica knows about one contact hash. Immutable: the index swaps whole states.</summary>
public sealed class ContactState
{
    public static readonly ContactState Empty = new(0, [], []);

    public ContactState(long erasedAt, SuppressionEntry[] suppressions, ConsentEntry[] consents)
    {
        ErasedAt = erasedAt;
        Suppressions = suppressions;
        Consents = consents;
    }

    public long ErasedAt { get; }
    public SuppressionEntry[] Suppressions { get; }
    public ConsentEntry[] Consents { get; }
}

/// <summary>An organization's contact rules; defaults come from configuration.</summary>
public sealed record OrganizationRules(TimeOnly AllowedFrom, TimeOnly AllowedUntil, int FrequencyCap, int FrequencyHours);

/// <summary>
/// Why a call must not be made: the reason code and, for a stop, how (<see cref="Source"/>, in words in <see cref="How"/>)
/// and when the person said no, and until when for a "not now".
/// </summary>
public sealed record DoNotCallReason(string Reason, string? Source, DateTimeOffset? Since, DateTimeOffset? Until, string? Channel, string? Purpose)
{
    /// <summary>
    /// The source in words. A stop is first applied here as the channel sent it (call_refused, sms_reply …) and then
    /// confirmed by Consent under its reason code (refused_on_call, opted_out …); both read the same to the rep.
    /// </summary>
    public string How => Source switch
    {
        "call_refused" or "refused_on_call" => "refused a call",
        "sms_reply" => "replied STOP to an SMS",
        "responses" => "answered through the link in a notice",
        "directory" => "opted out through the public directory",
        "erasure" or "erased" => "asked for their data to be erased",
        "opted_out" => "opted out",
        null => "unknown",
        _ when Source.StartsWith("dsr_", StringComparison.Ordinal) => "made a data-subject request",
        _ => Source,
    };
}

public readonly record struct GateRequest(
    string OrganizationId, PhoneNumber Number, string Purpose, bool CallingNumberPublished, DateTimeOffset At, int RecentNotices);

/// <summary>
/// The gate before every send (R17, R21), as a pure function of the replica state so it can be
/// tested and measured without a database. Checks are ordered from the most to the least
/// permanent, so the recorded reason is the one that will still hold tomorrow.
/// </summary>
public static class GateDecider
{
    /// <summary>Null when the notice may be sent, otherwise the refusal reason.</summary>
    public static string? Decide(in GateRequest request, ContactState state, OrganizationRules rules)
    {
        if (state.ErasedAt > 0) return RefusalReasons.Erased;
        var now = request.At.ToUnixTimeMilliseconds();
        var paused = false;
        foreach (var s in state.Suppressions)
        {
            // A notice announces or follows up a call, so a stop for calls stops it as much as a stop for SMS.
            if (!s.Covers(request.OrganizationId, Channels.Sms, request.Purpose) && !s.Covers(request.OrganizationId, Channels.Call, request.Purpose)) continue;
            if (s.UntilAt is null) return RefusalReasons.OptedOut;
            paused |= s.UntilAt > now;
        }
        if (paused) return RefusalReasons.OptedOutUntil;
        if (!request.Number.CanReceiveSms) return RefusalReasons.NotSmsCapable;

        var expired = false;
        var given = false;
        foreach (var c in state.Consents)
        {
            if (c.Channel != Channels.Sms || c.OrganizationId != request.OrganizationId || c.Purpose != request.Purpose || !c.IsGiven) continue;
            if (c.ExpiresAt is { } expires && expires <= now) expired = true;
            else { given = true; break; }
        }
        if (!given) return expired ? RefusalReasons.ConsentExpired : RefusalReasons.NoSmsConsent;

        if (!request.CallingNumberPublished) return RefusalReasons.CallingNumberUnpublished;
        if (!ContactWindow.IsContactAllowed(request.Number, request.At, rules.AllowedFrom, rules.AllowedUntil)) return RefusalReasons.QuietHours;
        if (request.RecentNotices >= rules.FrequencyCap) return RefusalReasons.FrequencyCap;
        return null;
    }

    /// <summary>
    /// The gate for the call itself (特商法 art. 17): an erasure, or a stop that covers calls for this
    /// organization and purpose, refuses it. Unlike a notice, a call needs no prior consent. Every
    /// entry that applies is returned, so the rep sees each time the person said no; empty means dial.
    /// </summary>
    public static IReadOnlyList<DoNotCallReason> DecideCall(string organizationId, string purpose, DateTimeOffset at, ContactState state)
    {
        if (state.ErasedAt > 0) return [new DoNotCallReason(RefusalReasons.Erased, "erasure", DateTimeOffset.FromUnixTimeMilliseconds(state.ErasedAt), null, null, null)];
        var now = at.ToUnixTimeMilliseconds();
        List<DoNotCallReason>? reasons = null;
        foreach (var s in state.Suppressions)
        {
            if (!s.Covers(organizationId, Channels.Call, purpose) || s.UntilAt <= now) continue;
            (reasons ??= []).Add(new DoNotCallReason(s.UntilAt is null ? RefusalReasons.OptedOut : RefusalReasons.OptedOutUntil, s.Source,
                s.SuppressedAt > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(s.SuppressedAt) : null,
                s.UntilAt is { } until ? DateTimeOffset.FromUnixTimeMilliseconds(until) : null, s.Channel, s.Purpose));
        }
        // Consent's confirmation of a stop sits beside the provisional entry it confirms: one stop, shown once, from when it was first said.
        return reasons is null ? [] : reasons.GroupBy(r => (r.Reason, r.How, r.Until, r.Channel, r.Purpose)).Select(g => g.MinBy(r => r.Since)!).OrderBy(r => r.Since).ToList();
    }
}
