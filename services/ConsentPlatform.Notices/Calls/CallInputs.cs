using ConsentPlatform.Notices.Replica;
using ConsentPlatform.Telephony;

namespace ConsentPlatform.Notices.Calls;

public static class CallOutcomes
{
    public const string Answered = "answered";
    public const string Missed = "missed";
    public const string Refused = "refused";
    public const string CallBackLater = "call_back_later";
    public static readonly IReadOnlyList<string> All = [Answered, Missed, Refused, CallBackLater];
}

/// <summary>A call a rep or a dialer is about to make. Validated field by field so errors name the field.</summary>
public sealed record PlanCallInput
{
    public string? PhoneNumber { get; init; }
    public string? CallerName { get; init; }
    public string? Topic { get; init; }
    public string? CallingNumber { get; init; }
    public DateTimeOffset? PlannedAt { get; init; }
    /// <summary>The consent purpose the call serves; SMS consent and suppressions are matched on it.</summary>
    public string? Purpose { get; init; }
    public string? Language { get; init; }
    /// <summary>The organization's own reference for the contact (a CRM lead id): CRM connectors receive it with every preference change.</summary>
    public string? ExternalId { get; init; }

    public Dictionary<string, string[]> Validate(out PhoneNumber number, out PhoneNumber callingNumber, DateTimeOffset now, int maxAheadDays)
    {
        var errors = ValidateTarget(PhoneNumber, CallingNumber, Purpose, out number, out callingNumber);
        // A minute's slack: a client's "now" may be a little behind ours.
        if (PlannedAt is { } at && (at < now.AddMinutes(-1) || at > now.AddDays(maxAheadDays)))
            errors["plannedAt"] = [$"The planned time must be from now up to {maxAheadDays} days ahead (omit it for a call now)."];
        if (string.IsNullOrWhiteSpace(CallerName) || CallerName.Trim().Length > 60) errors["callerName"] = ["The caller's name is required (at most 60 characters): the notice names who calls."];
        if (string.IsNullOrWhiteSpace(Topic) || Topic.Trim().Length > 100) errors["topic"] = ["The topic is required (at most 100 characters): the notice says what the call is about."];
        if (Language is not null && Language is not ("ja" or "en")) errors["language"] = ["The language must be ja or en."];
        if (ContainsControl(CallerName) || ContainsControl(Topic)) errors[ContainsControl(CallerName) ? "callerName" : "topic"] = ["Line breaks and control characters are not allowed."];
        if (ExternalId is not null && (ExternalId.Trim().Length is 0 or > 100 || ContainsControl(ExternalId)))
            errors["externalId"] = ["The external id must be 1-100 characters without line breaks or control characters (or omitted)."];
        return errors;
    }

    /// <summary>The recipient, the calling number and the purpose: what a planned call and a gate check (Replica/GateCheckEndpoints) both name.</summary>
    public static Dictionary<string, string[]> ValidateTarget(string? phoneNumber, string? callingNumber, string? purpose, out PhoneNumber number, out PhoneNumber calling)
    {
        var errors = new Dictionary<string, string[]>();
        number = default;
        calling = default;
        var parsed = Telephony.PhoneNumbers.Parse(phoneNumber);
        if (parsed.IsValid) number = parsed.Number;
        else errors["phoneNumber"] = [$"The number to call is not valid: {parsed.ErrorMessage}"];
        var from = Telephony.PhoneNumbers.Parse(callingNumber);
        if (from.IsValid) calling = from.Number;
        else errors["callingNumber"] = [$"The calling number is not valid: {from.ErrorMessage}"];
        if (purpose is null || purpose.Trim().Length is 0 or > 100) errors["purpose"] = ["The purpose is required: one of the organization's purposes (GET /api/notices/purposes)."];
        return errors;
    }

    /// <summary>Field by field, then the purpose against the organization's purposes (Consent's event purpose codes).</summary>
    public async Task<(Dictionary<string, string[]> Errors, PhoneNumber Number, PhoneNumber CallingNumber)> ValidateAsync(string organizationId, Purposes purposes,
        NoticesOptions options, DateTimeOffset now, CancellationToken ct)
    {
        var errors = Validate(out var number, out var calling, now, options.MaxPlanAheadDays);
        await CheckPurposeAsync(errors, purposes, organizationId, Purpose, ct);
        return (errors, number, calling);
    }

    /// <summary>Adds the "purpose" error when the code is well-formed but not one of the organization's.</summary>
    public static async Task CheckPurposeAsync(Dictionary<string, string[]> errors, Purposes purposes, string organizationId, string? purpose, CancellationToken ct)
    {
        if (!errors.ContainsKey("purpose") && await purposes.ProblemAsync(organizationId, purpose!, ct) is { } problem) errors["purpose"] = [problem];
    }

    private static bool ContainsControl(string? value) => value is not null && value.Any(char.IsControl);
}

public sealed record OutcomeInput
{
    public string? Outcome { get; init; }

    public Dictionary<string, string[]> Validate() =>
        Outcome is not null && CallOutcomes.All.Contains(Outcome)
            ? []
            : new() { ["outcome"] = [$"The outcome must be one of {string.Join(", ", CallOutcomes.All)}."] };
}

public sealed record NoticeView(Guid Id, string CallId, string Kind, string Status, string? Reason, string? Link, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed record CallView(string Id, string MaskedNumber, string CallerName, string Topic, string Purpose, string CallingNumber,
    DateTimeOffset PlannedAt, string? Outcome, IReadOnlyList<NoticeView> Notices);
