using ConsentPlatform.Notices.Replica;
using ConsentPlatform.ServiceDefaults.Identity;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConsentPlatform.Notices.Calls;

/// <summary>"Would a notice to this number go out now?" — the same decision a planned call gets, with nothing recorded.</summary>
public sealed record GateCheckInput
{
    public string? PhoneNumber { get; init; }
    public string? CallingNumber { get; init; }
    public string? Purpose { get; init; }
    /// <summary>When the notice would be sent; now if absent (quiet hours depend on it).</summary>
    public DateTimeOffset? At { get; init; }

    public Dictionary<string, string[]> Validate(out Telephony.PhoneNumber number, out Telephony.PhoneNumber callingNumber) =>
        PlanCallInput.ValidateTarget(PhoneNumber, CallingNumber, Purpose, out number, out callingNumber);
}

public sealed record GateCheckResult(bool Allowed, string? Reason);

public static class GateCheckEndpoints
{
    public static void MapGateCheck(this RouteGroupBuilder api) =>
        // POST although it changes nothing: the number stays out of URLs and access logs.
        api.MapPost("/gate/checks", async Task<Results<Ok<GateCheckResult>, ValidationProblem>> (GateCheckInput input, HttpContext context, CallPlanner planner, Purposes purposes, TimeProvider time) =>
        {
            var errors = input.Validate(out var number, out var calling);
            await PlanCallInput.CheckPurposeAsync(errors, purposes, context.User.OrganizationId(), input.Purpose, context.RequestAborted);
            if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
            var reason = await planner.CheckAsync(context.User.OrganizationId(), number, input.Purpose!.Trim(), calling,
                input.At ?? time.GetUtcNow(), context.RequestAborted);
            return TypedResults.Ok(new GateCheckResult(reason is null, reason));
        }).WithSummary("Ask the notice gate without sending: allowed, or the refusal reason a planned call would get")
          .WithDescription("Nothing is recorded. Reasons: opted_out, opted_out_until (a \"not now\" until a date), erased, not_sms_capable, no_sms_consent, consent_expired, calling_number_unpublished, quiet_hours, frequency_cap, gate_unavailable.");
}
