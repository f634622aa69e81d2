using System.Security.Claims;
using ConsentPlatform.ServiceDefaults.Identity;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConsentPlatform.Consent.Gate;

public sealed record ContactHoursInput(string? Start, string? End);

public sealed record ContactHoursView(string Start, string End);

public static class GateEndpoints
{
    /// <summary>A check is a few fields; anything larger is not a check.</summary>
    public const int MaxCheckBytes = 8 * 1024;

    public static void MapGateApi(this RouteGroupBuilder api)
    {
        api.MapPost("/checks", Results<Ok<CheckResult>, ValidationProblem> (CheckInput input, HttpContext context, PermissionGate gate, ConsentOptions options) =>
            {
                var errors = new Dictionary<string, string[]>();
                var organizationId = context.User.OrganizationId();
                var query = input.Validate(organizationId, options.RegionFor(organizationId), errors);
                if (query is null) return TypedResults.ValidationProblem(errors);
                return TypedResults.Ok(gate.Check(query, keyId: context.User.FindFirstValue(PlatformClaims.KeyId)));
            })
            .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(MaxCheckBytes))
            .WithSummary("May this organization contact this number by this channel for this purpose (now or at a given time)?")
            .WithDescription("Answers allow or deny with every reason that applies (no_consent, consent_expired, opted_out, opted_out_until, refused_on_call, " +
                "quiet_hours, not_sms_capable, erased, gate_unavailable) and the ledger rows that allow it; with opted_out_until, optedOutUntil says " +
                "when the person's temporary opt-out ends (a check at or after that time no longer reports it). Recorded for audit by keyed hash. " +
                "Frequency caps are applied by Notices, which counts the messages it sends.");

        api.MapGet("/contact-hours", (HttpContext context, ContactHoursStore store) =>
            {
                var hours = store.For(context.User.OrganizationId());
                return TypedResults.Ok(new ContactHoursView(hours.Start.ToString("HH:mm"), hours.End.ToString("HH:mm")));
            })
            .WithSummary("The organization's calling and texting hours, in the recipient's local time (default 08:00-21:00)");

        api.MapPut("/contact-hours", async Task<Results<Ok<ContactHoursView>, ValidationProblem>> (ContactHoursInput input, HttpContext context, ContactHoursStore store) =>
            {
                var errors = new Dictionary<string, string[]>();
                var start = ParseTime(input.Start, "start", errors);
                var end = ParseTime(input.End, "end", errors);
                if (errors.Count == 0 && start == end) errors["end"] = ["The end must differ from the start."];
                if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
                await store.SaveAsync(context.User.OrganizationId(), new ContactHours(start, end), context.RequestAborted);
                return TypedResults.Ok(new ContactHoursView(start.ToString("HH:mm"), end.ToString("HH:mm")));
            })
            .WithSummary("Set the organization's calling and texting hours (HH:mm, recipient's local time; a window may run over midnight)");
    }

    private static TimeOnly ParseTime(string? value, string field, Dictionary<string, string[]> errors)
    {
        if (TimeOnly.TryParseExact(value?.Trim(), "HH:mm", out var time)) return time;
        errors[field] = ["Give the time as HH:mm, e.g. 09:00."];
        return default;
    }
}
