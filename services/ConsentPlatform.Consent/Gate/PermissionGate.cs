using ConsentPlatform.Telephony;

namespace ConsentPlatform.Consent.Gate;

/// <summary>What the gate answers (R10): allow/deny, every reason that applies, and the ledger rows that allow it.</summary>
public sealed record CheckResult
{
    public required string Decision { get; init; }
    public required IReadOnlyList<string> Reasons { get; init; }
    public required IReadOnlyList<ConsentView> Consents { get; init; }
    public required string CheckId { get; init; }
    public required DateTimeOffset At { get; init; }
    /// <summary>With opted_out_until: when the latest temporary opt-out that applies ends.</summary>
    public DateTimeOffset? OptedOutUntil { get; init; }
}

public sealed record ConsentView(
    Guid ConsentId, string Channel, string Purpose, string? EventId, string? SourceEvent,
    DateTimeOffset RecordedAt, DateTimeOffset? ExpiresAt, int? TextVersion, string? TextHash)
{
    public static ConsentView Of(ConsentFact c) => new(c.Id, c.Channel, c.Purpose, c.EventId, c.SourceEvent,
        DateTimeOffset.FromUnixTimeMilliseconds(c.RecordedAt), c.ExpiresAt is { } e ? DateTimeOffset.FromUnixTimeMilliseconds(e) : null,
        c.TextVersion, c.TextHash);
}

/// <summary>A validated question: the number is parsed, the email normalized, channel and purpose checked.</summary>
public sealed record CheckQuery(string OrganizationId, PhoneNumber Number, string? Email, string Channel, string Purpose, DateTimeOffset? At);

/// <summary>
/// "May organization O contact this person by channel C for purpose P at time T?" Every answer is
/// recorded for audit by hash. Anything that goes wrong — index not loaded, audit queue full, an
/// exception — answers deny with gate_unavailable (R11: it fails closed).
/// </summary>
public sealed class PermissionGate(GateIndex index, PhoneNumberHasher hasher, ContactHasher contactHasher, ContactHoursStore hours, CheckAudit audit, TimeProvider time, ILogger<PermissionGate> logger)
{
    /// <param name="keyId">The API key that asked (a signed-in session's key for the console), recorded so the audit says who.</param>
    public CheckResult Check(CheckQuery query, string source = "api", string? keyId = null)
    {
        var checkId = "chk_" + Guid.NewGuid().ToString("N");
        var now = time.GetUtcNow();
        var at = query.At ?? now;
        string? hash = null;
        try
        {
            var allowing = new List<ConsentFact>();
            var reasons = Decide(query with { At = at }, allowing, out hash, out var optedOutUntil);
            var result = Answer(checkId, at, reasons, allowing) with { OptedOutUntil = optedOutUntil };
            if (!audit.TryRecord(Audit(result, query, hash, now, source, keyId)))
            {
                logger.LogError("Check {CheckId} could not be queued for audit; answering deny", checkId);
                result = Answer(checkId, at, DenyReason.GateUnavailable, []);
            }
            return result;
        }
        catch (Exception error)
        {
            logger.LogError(error, "Check {CheckId} failed; answering deny (gate_unavailable)", checkId);
            var result = Answer(checkId, at, DenyReason.GateUnavailable, []);
            if (hash is not null) audit.TryRecord(Audit(result, query, hash, now, source, keyId));
            return result;
        }
    }

    /// <summary>
    /// The decision without the audit record, for callers that record it themselves (the bulk scrub).
    /// Throws when it cannot decide; callers turn that into gate_unavailable.
    /// </summary>
    public DenyReason Decide(CheckQuery query, List<ConsentFact>? allowing, out string contactHash) => Decide(query, allowing, out contactHash, out _);

    private DenyReason Decide(CheckQuery query, List<ConsentFact>? allowing, out string contactHash, out DateTimeOffset? optedOutUntil)
    {
        var phoneKey = default(ContactKey);
        var phoneHash = query.Number.IsEmpty ? null : contactHasher.Hash(query.Number, out phoneKey);
        var emailHash = query.Email is null ? null : hasher.HashEmail(query.Email);
        contactHash = phoneHash ?? emailHash ?? throw new ArgumentException("A check needs a phone number or an email.", nameof(query));
        return Decide(query, phoneHash is null ? null : phoneKey, emailHash, allowing, out optedOutUntil);
    }

    /// <summary>The decision for a number whose key is already known (the bulk scrub needs no hash string).</summary>
    public DenyReason Decide(CheckQuery query, ContactKey? phoneKey, string? emailHash, List<ConsentFact>? allowing) =>
        Decide(query, phoneKey, emailHash, allowing, out _);

    private DenyReason Decide(CheckQuery query, ContactKey? phoneKey, string? emailHash, List<ConsentFact>? allowing, out DateTimeOffset? optedOutUntil)
    {
        optedOutUntil = null;
        if (!index.IsReady) return DenyReason.GateUnavailable;
        var (facts, otherFacts, at) = (phoneKey is { } key ? index.Find(key) : null, Find(emailHash), query.At ?? time.GetUtcNow());
        var reasons = GateRules.Evaluate(facts, otherFacts, query.OrganizationId, query.Channel, query.Purpose, at, query.Number, hours.For(query.OrganizationId), allowing);
        if ((reasons & DenyReason.OptedOutUntil) != 0)
            optedOutUntil = GateRules.OptedOutUntil(facts, otherFacts, query.OrganizationId, query.Channel, query.Purpose, at);
        return reasons;
    }

    public ContactKey KeyOf(PhoneNumber number) => contactHasher.KeyOf(number);

    private ContactFacts? Find(string? hash) => hash is not null && ContactKey.TryParse(hash, out var key) ? index.Find(key) : null;

    private static CheckResult Answer(string checkId, DateTimeOffset at, DenyReason reasons, List<ConsentFact> allowing) => new()
    {
        Decision = reasons == DenyReason.None ? "allow" : "deny",
        Reasons = ReasonCodes.Of(reasons),
        Consents = allowing.ConvertAll(ConsentView.Of),
        CheckId = checkId,
        At = at,
    };

    private static AuditRecord Audit(CheckResult result, CheckQuery query, string hash, DateTimeOffset now, string source, string? keyId) => new(
        result.CheckId, query.OrganizationId, hash, query.Channel, query.Purpose, result.Decision, string.Join(' ', result.Reasons),
        result.At.ToUnixTimeMilliseconds(), now.ToUnixTimeMilliseconds(), source, keyId,
        query.Number.IsEmpty ? ContactMask.Email(query.Email) : query.Number.FormatMasked());
}
