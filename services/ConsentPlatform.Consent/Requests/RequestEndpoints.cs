using ConsentPlatform.Consent.Gate;
using ConsentPlatform.ServiceDefaults;
using ConsentPlatform.ServiceDefaults.Recipients;
using ConsentPlatform.Telephony;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConsentPlatform.Consent.Requests;

public sealed record OpenRequestInput(string? PhoneNumber, string? Kind, string? Email = null);

public sealed record VerifyRequestInput(string? Code);

/// <summary>Public: a person asks us to stop using, or to erase, what we hold about their number or their email.</summary>
public static class RequestEndpoints
{
    public static void MapRequestApi(this IEndpointRouteBuilder app)
    {
        var requests = app.MapGroup("/api/public/consent/requests").WithGroupName("consent").WithTags("Consent data-subject requests")
            .RequireRateLimiting(Extensions.PublicRateLimit).AllowAnonymous();

        requests.MapPost("/", async Task<Results<Accepted<RequestView>, ValidationProblem, ProblemHttpResult>> (OpenRequestInput input, DataSubjectRequests service, HttpContext context) =>
            {
                var errors = new Dictionary<string, string[]>();
                if (input.Kind is not (DataSubjectRequests.StopUse or DataSubjectRequests.Erasure)) errors["kind"] = ["The kind must be stop_use or erasure."];
                var byPhone = !string.IsNullOrWhiteSpace(input.PhoneNumber);
                var byEmail = !string.IsNullOrWhiteSpace(input.Email);
                if (byPhone == byEmail)
                {
                    var message = byPhone ? "Give either a phone number or an email, not both." : "Give the phone number or the email the request is about.";
                    errors["phoneNumber"] = [message];
                    errors["email"] = [message];
                    return TypedResults.ValidationProblem(errors);
                }
                var parsed = default(PhoneParseResult);
                if (byEmail)
                {
                    if (CheckInput.EmailError(input.Email!) is { } emailError) errors["email"] = [emailError];
                }
                else
                {
                    parsed = PhoneNumbers.Parse(input.PhoneNumber, "JP");
                    if (!parsed.IsValid) errors["phoneNumber"] = [$"The phone number is not valid: {parsed.ErrorMessage}"];
                    else if (!parsed.Number.CanReceiveSms) errors["phoneNumber"] = ["A one-time code is sent by SMS; this number cannot receive one."];
                }
                if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
                var opened = byEmail
                    ? await service.OpenByEmailAsync(input.Kind!, input.Email!.Trim(), context.RequestAborted)
                    : await service.OpenAsync(input.Kind!, parsed.Number, context.RequestAborted);
                if (opened.View is not { } view) return RecipientLimit.Refused(context, opened.RetryAfter, byEmail ? "email" : "phoneNumber");
                return TypedResults.Accepted($"/api/public/consent/requests/{view.RequestId}", view);
            })
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .WithSummary("Ask to stop use of, or erase, the data of a phone number or an email (exactly one); a one-time code is sent to it (status pending_verification until entered)");

        requests.MapGet("/{id}", async Task<Results<Ok<RequestView>, NotFound>> (string id, DataSubjectRequests service, HttpContext context) =>
                await service.FindAsync(id, context.RequestAborted) is { } view ? TypedResults.Ok(view) : TypedResults.NotFound())
            .WithSummary("A request's status and deadline (no personal data)");

        requests.MapPost("/{id}/verify", async Task<Results<Ok<RequestView>, ValidationProblem, NotFound>> (string id, VerifyRequestInput input, DataSubjectRequests service, HttpContext context) =>
            {
                if (input.Code is not { Length: > 0 and <= 12 }) return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["code"] = ["Enter the code you received."] });
                var (view, error) = await service.VerifyAsync(id, input.Code, context.RequestAborted);
                if (view is null) return TypedResults.NotFound();
                return error is null ? TypedResults.Ok(view) : TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["code"] = [error] });
            })
            .WithSummary("Enter the one-time code: the request is carried out at once");
    }
}
