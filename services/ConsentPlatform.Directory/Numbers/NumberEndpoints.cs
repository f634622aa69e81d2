using ConsentPlatform.ServiceDefaults.Identity;
using ConsentPlatform.ServiceDefaults.Web;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace ConsentPlatform.Directory.Numbers;

public static class NumberEndpoints
{
    public static void MapNumberApi(this RouteGroupBuilder api)
    {
        api.MapGet("/numbers", async (HttpContext context, DirectoryDatabase database) =>
                TypedResults.Ok((await CallerNumberStore.ListAsync(database, context.User.OrganizationId(), context.RequestAborted)).Select(n => n.ToView()).ToList()))
            .WithSummary("The organization's caller numbers, in every state");

        api.MapGet("/numbers/{id:guid}", async Task<Results<Ok<CallerNumberView>, NotFound>> (Guid id, HttpContext context, NumberRegistry registry) =>
                await registry.FindAsync(context.User.OrganizationId(), id, context.RequestAborted) is { } number ? TypedResults.Ok(number.ToView()) : TypedResults.NotFound())
            .WithSummary("One caller number");

        api.MapPost("/numbers", async Task<Results<Created<CallerNumberView>, ValidationProblem, ProblemHttpResult>> (
                CallerNumberInput input, HttpContext context, NumberRegistry registry) =>
            {
                var outcome = await registry.AddAsync(context.User.OrganizationId(), input, context.RequestAborted);
                return outcome.Kind switch
                {
                    NumberOutcomeKind.Ok => TypedResults.Created($"/api/directory/numbers/{outcome.Number!.Id}", outcome.Number.ToView()),
                    NumberOutcomeKind.Invalid => TypedResults.ValidationProblem(outcome.Errors!),
                    _ => Problem(context, outcome),
                };
            })
            .WithSummary("Add a caller number (pending until verified)")
            .ProducesOutcomeProblems()
            .WithDescription("Nothing is public until the number is verified with POST /numbers/{id}/verification and /verification/code.");

        api.MapPost("/numbers/{id:guid}/verification", async Task<Results<Accepted<VerificationStarted>, ProblemHttpResult>> (
                Guid id, HttpContext context, NumberRegistry registry) =>
            {
                var outcome = await registry.StartVerificationAsync(context.User.OrganizationId(), id, context.RequestAborted);
                return outcome.Kind == NumberOutcomeKind.Ok
                    ? TypedResults.Accepted($"/api/directory/numbers/{id}", outcome.Verification!)
                    : Problem(context, outcome);
            })
            .WithSummary("Send a one-time code to the number")
            .ProducesOutcomeProblems()
            .WithDescription("By SMS (through Notices) to a number that takes SMS; otherwise by an automated call that reads the code out (PlaceVerificationCall). "
                + "Five wrong codes lock verification of the number for Directory:Verification:LockMinutes.");

        api.MapPost("/numbers/{id:guid}/verification/code", async Task<Results<Ok<CallerNumberView>, ValidationProblem, ProblemHttpResult>> (
                Guid id, VerificationCodeInput input, HttpContext context, NumberRegistry registry) =>
            {
                var outcome = await registry.ConfirmAsync(context.User.OrganizationId(), id, input.Code, context.RequestAborted);
                return outcome.Kind switch
                {
                    NumberOutcomeKind.Ok => TypedResults.Ok(outcome.Number!.ToView()),
                    NumberOutcomeKind.WrongCode => TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["code"] = [outcome.Describe()] },
                        extensions: new Dictionary<string, object?> { ["attemptsLeft"] = outcome.AttemptsLeft }),
                    _ => Problem(context, outcome),
                };
            })
            .WithSummary("Enter the code: verifies the number, and publishes it once its validity has begun")
            .ProducesOutcomeProblems();

        api.MapPost("/numbers/{id:guid}/withdrawal", async Task<Results<Ok<CallerNumberView>, ProblemHttpResult>> (
                Guid id, HttpContext context, NumberRegistry registry) =>
            {
                var outcome = await registry.WithdrawAsync(context.User.OrganizationId(), id, context.RequestAborted);
                return outcome.Kind == NumberOutcomeKind.Ok ? TypedResults.Ok(outcome.Number!.ToView()) : Problem(context, outcome);
            })
            .WithSummary("Withdraw a number: it leaves the lookup and the feeds, and the other services stop accepting it")
            .ProducesOutcomeProblems();
    }

    /// <summary>Declares the statuses <see cref="StatusOf"/> gives a refused outcome (its 400 comes with any input).</summary>
    private static RouteHandlerBuilder ProducesOutcomeProblems(this RouteHandlerBuilder endpoint) =>
        endpoint.ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status429TooManyRequests);

    public static ProblemHttpResult Problem(HttpContext context, NumberOutcome outcome)
    {
        var status = StatusOf(outcome.Kind);
        if (outcome.LockedUntil is { } until)
            context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling((until - context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow()).TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var extensions = new Dictionary<string, object?> { ["reason"] = System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(outcome.Kind.ToString()) };
        if (outcome.LockedUntil is { } locked) extensions["lockedUntil"] = locked;
        return TypedResults.Problem(statusCode: status, title: outcome.Describe(), extensions: extensions);
    }

    public static int StatusOf(NumberOutcomeKind kind) => kind switch
    {
        NumberOutcomeKind.NotFound => StatusCodes.Status404NotFound,
        NumberOutcomeKind.Locked or NumberOutcomeKind.SendCapReached => StatusCodes.Status429TooManyRequests,
        NumberOutcomeKind.Invalid or NumberOutcomeKind.WrongCode => StatusCodes.Status400BadRequest,
        _ => StatusCodes.Status409Conflict,
    };

    public static void MapNumberPages(this RouteGroupBuilder pages)
    {
        pages.MapGet("/numbers", async (HttpContext context, IAntiforgery antiforgery, DirectoryDatabase database) =>
            await ListPage(context, antiforgery, database, new CallerNumberForm { CallingHoursStart = "09:00", CallingHoursEnd = "18:00" }, null));

        pages.MapPost("/numbers", async (HttpContext context, IAntiforgery antiforgery, DirectoryDatabase database, NumberRegistry registry, [FromForm] CallerNumberForm form) =>
        {
            var errors = new Dictionary<string, string[]>();
            var input = form.ToInput(errors);
            NumberOutcome outcome = errors.Count > 0
                ? new NumberOutcome(NumberOutcomeKind.Invalid) { Errors = errors }
                : await registry.AddAsync(context.User.OrganizationId(), input, context.RequestAborted);
            if (outcome.Kind == NumberOutcomeKind.Ok)
                return Results.Redirect($"/directory/numbers/{outcome.Number!.Id}", preserveMethod: false);
            context.Response.StatusCode = StatusOf(outcome.Kind);
            return await ListPage(context, antiforgery, database, form, outcome);
        });

        pages.MapGet("/numbers/{id:guid}", async (Guid id, HttpContext context, IAntiforgery antiforgery, NumberRegistry registry) =>
            await DetailPage(context, antiforgery, registry, id, null, null));

        pages.MapPost("/numbers/{id:guid}/verification", async (Guid id, HttpContext context, IAntiforgery antiforgery, NumberRegistry registry) =>
        {
            var outcome = await registry.StartVerificationAsync(context.User.OrganizationId(), id, context.RequestAborted);
            var message = outcome.Kind == NumberOutcomeKind.Ok
                ? (outcome.Verification!.Method == "sms" ? "A code was sent by SMS to this number." : "This number will receive an automated call that reads a code out.")
                  + $" Enter it before {outcome.Verification.ExpiresAt:HH:mm} UTC."
                : null;
            return await DetailPage(context, antiforgery, registry, id, outcome, message);
        });

        pages.MapPost("/numbers/{id:guid}/verification/code", async (Guid id, HttpContext context, IAntiforgery antiforgery, NumberRegistry registry, [FromForm] string? code) =>
        {
            var outcome = await registry.ConfirmAsync(context.User.OrganizationId(), id, code, context.RequestAborted);
            var message = outcome.Kind == NumberOutcomeKind.Ok
                ? outcome.Number!.Status == NumberStatus.Published ? "Verified and published." : "Verified; it will be published when its validity begins."
                : null;
            return await DetailPage(context, antiforgery, registry, id, outcome, message);
        });

        pages.MapPost("/numbers/{id:guid}/withdrawal", async (Guid id, HttpContext context, IAntiforgery antiforgery, NumberRegistry registry) =>
        {
            var outcome = await registry.WithdrawAsync(context.User.OrganizationId(), id, context.RequestAborted);
            return await DetailPage(context, antiforgery, registry, id, outcome, outcome.Kind == NumberOutcomeKind.Ok ? "Withdrawn." : null);
        });
    }

    private static async Task<IResult> ListPage(HttpContext context, IAntiforgery antiforgery, DirectoryDatabase database, CallerNumberForm form, NumberOutcome? outcome)
    {
        var numbers = await CallerNumberStore.ListAsync(database, context.User.OrganizationId(), context.RequestAborted);
        return new RazorComponentResult<NumbersPage>(new
        {
            Tokens = antiforgery.GetAndStoreTokens(context), Numbers = numbers.Select(n => n.ToView()).ToList(), Form = form,
            Errors = outcome?.Errors ?? (outcome is null ? new Dictionary<string, string[]>() : new Dictionary<string, string[]> { ["phoneNumber"] = [outcome.Describe()] }),
            SignedInAs = PlatformPages.SignedInAs(context.User),
        });
    }

    private static async Task<IResult> DetailPage(HttpContext context, IAntiforgery antiforgery, NumberRegistry registry, Guid id, NumberOutcome? outcome, string? message)
    {
        var number = await registry.FindAsync(context.User.OrganizationId(), id, context.RequestAborted);
        if (number is null) return Results.NotFound();
        if (outcome is not null && outcome.Kind != NumberOutcomeKind.Ok) context.Response.StatusCode = StatusOf(outcome.Kind);
        return new RazorComponentResult<NumberPage>(new
        {
            Tokens = antiforgery.GetAndStoreTokens(context), Number = number.ToView(), Message = message,
            Error = outcome is { Kind: not NumberOutcomeKind.Ok } ? outcome.Describe() : null,
            SignedInAs = PlatformPages.SignedInAs(context.User),
        });
    }
}
