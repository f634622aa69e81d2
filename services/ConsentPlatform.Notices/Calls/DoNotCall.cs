using ConsentPlatform.Notices.Replica;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConsentPlatform.Notices.Calls;

/// <summary>What planning a call answers when the call itself is refused, in the API and on the rep's page.</summary>
public static class DoNotCall
{
    public const string Title = "Do not call";

    public static string Sentence(DoNotCallReason reason) => reason.Reason switch
    {
        RefusalReasons.Erased => $"The person asked for their data to be erased ({At(reason.Since)}).",
        RefusalReasons.GateUnavailable => "The gate cannot decide right now; do not call until it can.",
        _ => $"The person {reason.How} ({At(reason.Since)})"
             + (reason.Channel is null ? ", for every channel" : "")
             + (reason.Purpose is null ? "" : $", for the purpose {reason.Purpose}")
             + (reason.Until is { } until ? $"; not before {At(until)}." : "."),
    };

    private static string At(DateTimeOffset? at) => at is { } value ? value.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", System.Globalization.CultureInfo.InvariantCulture) : "time unknown";

    /// <summary>
    /// 409: the call conflicts with what the person asked for, and nothing was recorded. 503 when only
    /// the gate being unavailable stands in the way (the gate fails closed; asking again later may succeed).
    /// </summary>
    public static ProblemHttpResult Problem(IReadOnlyList<DoNotCallReason> reasons) => TypedResults.Problem(
        statusCode: reasons.All(r => r.Reason == RefusalReasons.GateUnavailable) ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status409Conflict,
        title: Title,
        detail: string.Join(" ", reasons.Select(Sentence)) + " No notice was queued and the call was not recorded.",
        extensions: new Dictionary<string, object?> { ["reasons"] = reasons.Select(r => new
        {
            reason = r.Reason, source = r.Source, how = r.How, since = r.Since, until = r.Until, channel = r.Channel, purpose = r.Purpose,
        }).ToList() });
}
