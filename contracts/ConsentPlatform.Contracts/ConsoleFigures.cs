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
