using ConsentPlatform.ServiceDefaults;
using ConsentPlatform.ServiceDefaults.Recipients;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConsentPlatform.Consent.Requests;

public sealed record OpenRequestInput(string? PhoneNumber, string? Kind, string? Email = null);

public sealed record VerifyRequestInput(string? Code);

/// <summary>Public: a person asks us to stop using, to erase, or to stop giving to third parties what we hold about their number or their email.</summary>
public static class RequestEndpoints
{
    public static void MapRequestApi(this IEndpointRouteBuilder app)
    {
        var requests = app.MapGroup("/api/public/consent/requests").WithGroupName("consent").WithTags("Consent data-subject requests")
            .RequireRateLimiting(Extensions.PublicRateLimit).AllowAnonymous();

        requests.MapPost("/", async Task<Results<Accepted<RequestView>, ValidationProblem, ProblemHttpResult>> (OpenRequestInput input, DataSubjectRequests service, HttpContext context) =>
            {
                var (checkedInput, problems, phoneDetail) = RequestInput.Check(input.Kind, input.PhoneNumber, input.Email);
                if (checkedInput is null) return TypedResults.ValidationProblem(Errors(problems, phoneDetail));
                var opened = await service.OpenAsync(checkedInput, context.RequestAborted);
                if (opened.View is not { } view) return RecipientLimit.Refused(context, opened.RetryAfter, checkedInput.ByEmail ? "email" : "phoneNumber");
                return TypedResults.Accepted($"/api/public/consent/requests/{view.RequestId}", view);
            })
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .WithSummary("Ask to stop use of, erase, or stop third-party provision of the data of a phone number or an email (exactly one); a one-time code is sent to it (status pending_verification until entered)");

        requests.MapGet("/{id}", async Task<Results<Ok<RequestView>, NotFound>> (string id, DataSubjectRequests service, HttpContext context) =>
                await service.FindAsync(id, context.RequestAborted) is { } view ? TypedResults.Ok(view) : TypedResults.NotFound())
            .WithSummary("A request's status and deadline (no personal data)");

        requests.MapPost("/{id}/verify", async Task<Results<Ok<RequestView>, ValidationProblem, NotFound>> (string id, VerifyRequestInput input, DataSubjectRequests service, HttpContext context) =>
            {
                if (input.Code is not { Length: > 0 and <= 12 }) return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["code"] = ["Enter the code you received."] });
                var (view, refusal) = await service.VerifyAsync(id, input.Code, context.RequestAborted);
                if (view is null) return TypedResults.NotFound();
                return refusal == DataSubjectRequests.Refusal.None ? TypedResults.Ok(view)
                    : TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["code"] = [Message(refusal)] });
            })
            .WithSummary("Enter the one-time code: the request is carried out at once");
    }

    private static Dictionary<string, string[]> Errors(IReadOnlyList<RequestProblem> problems, string? phoneDetail)
    {
        var errors = new Dictionary<string, string[]>();
        foreach (var problem in problems)
            switch (problem)
            {
                case RequestProblem.Kind: errors["kind"] = ["The kind must be stop_use, erasure or stop_third_party_provision."]; break;
                case RequestProblem.NoContact or RequestProblem.BothContacts:
                    var message = problem == RequestProblem.BothContacts ? "Give either a phone number or an email, not both." : "Give the phone number or the email the request is about.";
                    errors["phoneNumber"] = [message];
                    errors["email"] = [message];
                    break;
                case RequestProblem.Email: errors["email"] = ["The email is not a valid address."]; break;
                case RequestProblem.Phone: errors["phoneNumber"] = [$"The phone number is not valid: {phoneDetail}"]; break;
                case RequestProblem.NoSms: errors["phoneNumber"] = ["A one-time code is sent by SMS; this number cannot receive one."]; break;
            }
        return errors;
    }

    private static string Message(DataSubjectRequests.Refusal refusal) => refusal switch
    {
        DataSubjectRequests.Refusal.NotPending => "This request can no longer be verified; open a new one.",
        DataSubjectRequests.Refusal.ExpiredOrTooManyAttempts => "The code has expired or too many attempts were made; open a new request.",
        _ => "The code does not match.",
    };
}
