namespace ConsentPlatform.Contracts;

/// <summary>
/// The compliance console (in Consent) asks Notices for one organization's notice figures over a period
/// [From, To). A request with one answer, not an event: Notices answers from its own table, and the
/// console shows "not available" when no answer comes in time instead of zeros (ADR 0032).
/// </summary>
public sealed record NoticeFiguresRequested
{
    public required string OrganizationId { get; init; }
    public required DateTimeOffset From { get; init; }
    public required DateTimeOffset To { get; init; }
}

/// <param name="Sent">Notices that left (sent, delivered or undelivered after sending).</param>
/// <param name="Failed">Notices the provider could not send.</param>
/// <param name="RefusedByReason">Notices the gate refused, by its reason code.</param>
public sealed record NoticeFigures(long Sent, long Failed, Dictionary<string, long> RefusedByReason);

/// <summary>The console asks Responses for one organization's CRM delivery figures over a period [From, To).</summary>
public sealed record CrmFiguresRequested
{
    public required string OrganizationId { get; init; }
    public required DateTimeOffset From { get; init; }
    public required DateTimeOffset To { get; init; }
}

/// <param name="Delivered">Responses delivered to a CRM.</param>
/// <param name="DeadLetters">Deliveries given up after every attempt (a person can send them again).</param>
public sealed record CrmFigures(long Delivered, long DeadLetters);

/// <summary>
/// The console asks one service (on that service's own queue) how long the organization's opt-outs took to
/// reach it over a period [From, To), from the samples its propagation histogram recorded (ADR 0038).
/// </summary>
public sealed record PropagationFiguresRequested
{
    public required string OrganizationId { get; init; }
    public required DateTimeOffset From { get; init; }
    public required DateTimeOffset To { get; init; }
}

/// <param name="Service">The service that applied the opt-outs ("consent", "notices", "responses").</param>
/// <param name="Count">Opt-outs it applied in the period.</param>
/// <param name="P50Milliseconds">Median time from the opt-out to its application; null without opt-outs.</param>
/// <param name="P99Milliseconds">99th percentile (nearest rank); null without opt-outs.</param>
public sealed record PropagationFigures(string Service, long Count, double? P50Milliseconds, double? P99Milliseconds);

/// <summary>
/// The contact record and the per-contact export (Consent) ask Notices what it holds about one contact for
/// one organization, by the contact's keyed hashes (every key still in use), never the number (ADR 0032).
/// </summary>
public sealed record ContactNoticesRequested
{
    public required string OrganizationId { get; init; }
    public required IReadOnlyList<string> ContactHashes { get; init; }
}

/// <param name="Kind">pre_call, post_call, … as Notices names its notices.</param>
/// <param name="Reason">Why the gate refused it, when it did.</param>
public sealed record HeldNotice(string Id, string Kind, string Status, string? Reason, DateTimeOffset CreatedAt);

public sealed record ContactNotices(IReadOnlyList<HeldNotice> Notices);

/// <summary>The contact record asks Responses for the responses one contact gave one organization, by keyed hash.</summary>
public sealed record ContactResponsesRequested
{
    public required string OrganizationId { get; init; }
    public required IReadOnlyList<string> ContactHashes { get; init; }
}

/// <param name="PreferredContact">What the person chose (sms, call, email, no_further_contact, …).</param>
/// <param name="Reason">The reason code they picked, if any; their free text stays in Responses.</param>
public sealed record HeldResponse(string ResponseId, string Topic, string PreferredContact, string? Reason, DateTimeOffset RespondedAt);

public sealed record ContactResponses(IReadOnlyList<HeldResponse> Responses);
