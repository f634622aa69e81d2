using ConsentPlatform.Directory.Feeds;
using ConsentPlatform.Directory.OptOut;
using ConsentPlatform.Directory.Published;
using ConsentPlatform.ServiceDefaults.Recipients;
using ConsentPlatform.ServiceDefaults.Web;
using ConsentPlatform.Telephony;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;
using PlatformExtensions = ConsentPlatform.ServiceDefaults.Extensions;

namespace ConsentPlatform.Directory.Lookup;

/// <summary>What anyone may use without a credential: lookup, feeds, opt-out from an entry. All rate-limited per client.</summary>
public static class PublicEndpoints
{
    public const string ApiPrefix = "/api/public/directory";

    public static void MapPublicDirectory(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup(ApiPrefix).WithGroupName("directory").WithTags("Directory (public)")
            .RequireRateLimiting(PlatformExtensions.PublicRateLimit).AllowAnonymous();

        api.MapGet("/lookup", async Task<Results<Ok<LookupResult>, ValidationProblem>> (string? number, string? region, HttpContext context, PublishedDirectory published) =>
            {
                region = string.IsNullOrWhiteSpace(region) ? "JP" : region.Trim();
                if (!PhoneNumbers.IsSupportedRegion(region))
                    return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["region"] = ["The region must be an ISO 3166-1 code with a numbering plan (JP, US, GB …)."] });
                var parsed = PhoneNumbers.Parse(number, region);
                if (!parsed.IsValid)
                    return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["number"] = [parsed.ErrorMessage!] });
                var snapshot = await published.GetAsync(context.RequestAborted);
                return TypedResults.Ok(LookupResult.From(parsed.Number, snapshot.Find(parsed.Number.E164, published.Now)));
            })
            .WithSummary("Who calls from this number? (any format a person types)")
            .WithDescription("Hyphens, spaces, full-width digits, +81 / 0081 / 0 prefixes are all read; national numbers are read as Japanese "
                + "unless region (ISO 3166-1: US, GB, NL …) names another country. Answers only for the exact number; "
                + "an unknown number is registered=false with the same shape. A string that is not a phone number is a 400.");

        MapFeed(api, "/feed.vcf", FeedFormat.VCard, null, "All organizations' published numbers as vCard 4.0, one card per organization");
        MapFeed(api, "/feed.csv", FeedFormat.Csv, null, "All published numbers as CSV, one row per number");
        MapFeed(api, "/feed.json", FeedFormat.Json, null, "All organizations' published numbers as JSON").Produces<DirectoryFeed>(StatusCodes.Status200OK, "application/json");
        MapFeed(api, "/organizations/{organizationId}/feed.vcf", FeedFormat.VCard, "organizationId", "One organization's published numbers as a vCard 4.0");
        MapFeed(api, "/organizations/{organizationId}/feed.csv", FeedFormat.Csv, "organizationId", "One organization's published numbers as CSV");
        MapFeed(api, "/organizations/{organizationId}/feed.json", FeedFormat.Json, "organizationId", "One organization's published numbers as JSON")
            .Produces<DirectoryFeed>(StatusCodes.Status200OK, "application/json");

        api.MapPost("/opt-out", async Task<Results<Accepted<OptOutStarted>, ValidationProblem, ProblemHttpResult>> (
                OptOutStartInput input, HttpContext context, EntryOptOut optOut) =>
            {
                var outcome = await optOut.StartAsync(input.CallerNumber, input.PhoneNumber, context.RequestAborted);
                return outcome.Kind switch
                {
                    OptOutOutcomeKind.CodeSent => TypedResults.Accepted((string?)null, new OptOutStarted(outcome.Code!.ChallengeId, outcome.Code.Method, outcome.Code.ExpiresAt)),
                    OptOutOutcomeKind.Invalid => TypedResults.ValidationProblem(outcome.Errors!),
                    _ => Problem(context, outcome),
                };
            })
            .WithSummary("Stop calls from the organization behind a number: step 1, a one-time code to your own number");

        api.MapPost("/opt-out/{requestId:guid}/code", async Task<Results<Ok<OptOutDone>, ValidationProblem, ProblemHttpResult>> (
                Guid requestId, OptOutCodeInput input, HttpContext context, EntryOptOut optOut) =>
            {
                var outcome = await optOut.ConfirmAsync(requestId, input.Code, context.RequestAborted);
                return outcome.Kind switch
                {
                    OptOutOutcomeKind.OptedOut => TypedResults.Ok(new OptOutDone(requestId, outcome.OrganizationName)),
                    OptOutOutcomeKind.WrongCode => TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["code"] = [outcome.Describe()] },
                        extensions: new Dictionary<string, object?> { ["attemptsLeft"] = outcome.AttemptsLeft }),
                    _ => Problem(context, outcome),
                };
            })
            .WithSummary("Stop calls: step 2, enter the code; the organization is asked to stop contacting your number on every channel");

        var pages = app.MapGroup("").RequireRateLimiting(PlatformExtensions.PublicRateLimit).AllowAnonymous().ExcludeFromDescription();

        pages.MapGet("/lookup", async (string? number, string? lang, HttpContext context, IAntiforgery antiforgery, PublishedDirectory published) =>
        {
            var texts = Texts.For(context.Request, lang);
            LookupResult? result = null;
            string? error = null;
            if (!string.IsNullOrWhiteSpace(number))
            {
                var parsed = PhoneNumbers.Parse(number);
                if (parsed.IsValid)
                    result = LookupResult.From(parsed.Number, (await published.GetAsync(context.RequestAborted)).Find(parsed.Number.E164, published.Now));
                else
                {
                    error = PhoneInputText.Describe(parsed, texts.Lang);
                    context.Response.StatusCode = StatusCodes.Status400BadRequest;
                }
            }
            return new RazorComponentResult<LookupPage>(new { Tokens = antiforgery.GetAndStoreTokens(context), T = texts, Query = number, Result = result, Error = error });
        });

        pages.MapPost("/lookup/opt-out", async (HttpContext context, IAntiforgery antiforgery, EntryOptOut optOut,
            [FromForm] string? callerNumber, [FromForm] string? phoneNumber, [FromForm] string? lang) =>
        {
            var texts = Texts.For(context.Request, lang);
            var outcome = await optOut.StartAsync(callerNumber, phoneNumber, context.RequestAborted);
            if (outcome.Kind != OptOutOutcomeKind.CodeSent) context.Response.StatusCode = StatusOf(outcome.Kind);
            SetRetryAfter(context, outcome);
            return new RazorComponentResult<OptOutPage>(new
            {
                Tokens = antiforgery.GetAndStoreTokens(context), T = texts, CallerNumber = callerNumber, Outcome = outcome,
                Errors = InputProblems(outcome, texts, callerNumber, phoneNumber),
            });
        });

        pages.MapPost("/lookup/opt-out/{requestId:guid}/code", async (Guid requestId, HttpContext context, IAntiforgery antiforgery, EntryOptOut optOut,
            [FromForm] string? code, [FromForm] string? callerNumber, [FromForm] string? lang) =>
        {
            var texts = Texts.For(context.Request, lang);
            var outcome = await optOut.ConfirmAsync(requestId, code, context.RequestAborted);
            if (outcome.Kind != OptOutOutcomeKind.OptedOut) context.Response.StatusCode = StatusOf(outcome.Kind);
            return new RazorComponentResult<OptOutPage>(new
            {
                Tokens = antiforgery.GetAndStoreTokens(context), T = texts, CallerNumber = callerNumber, Outcome = outcome, RequestId = requestId,
            });
        });
    }

    /// <summary>The outcome's field problems in the page's language; the API answers with <see cref="EntryOptOut"/>'s own.</summary>
    private static Dictionary<string, string[]>? InputProblems(OptOutOutcome outcome, Texts texts, string? callerNumber, string? phoneNumber)
    {
        if (outcome.Errors is null) return null;
        var problems = new Dictionary<string, string[]>();
        foreach (var field in outcome.Errors.Keys)
            problems[field] = field switch
            {
                "callerNumber" => [PhoneNumbers.Parse(callerNumber).IsValid ? texts.CallerNotRegistered : texts.CallerNotValid],
                "phoneNumber" => [PhoneInputText.Describe(PhoneNumbers.Parse(phoneNumber), texts.Lang)],
                _ => outcome.Errors[field],
            };
        return problems;
    }

    private static RouteHandlerBuilder MapFeed(RouteGroupBuilder api, string pattern, FeedFormat format, string? organizationParameter, string summary)
    {
        // The organization's feeds bind organizationId, so the documents declare the path parameter.
        var feed = (organizationParameter is null
                ? api.MapGet(pattern, (HttpContext context, PublishedDirectory published, DirectoryOptions options) => FeedAsync(context, published, options, null, format))
                : api.MapGet(pattern, (string organizationId, HttpContext context, PublishedDirectory published, DirectoryOptions options) =>
                    FeedAsync(context, published, options, organizationId, format)))
            .WithSummary(summary)
            .WithDescription("Served from memory; ETag and Last-Modified for revalidation (304), Cache-Control public.")
            .Produces(StatusCodes.Status304NotModified)
            .ProducesProblem(StatusCodes.Status404NotFound);
        // The JSON feeds declare their 200 with its schema where they are mapped.
        return format switch
        {
            FeedFormat.Json => feed,
            FeedFormat.VCard => feed.Produces(StatusCodes.Status200OK, contentType: "text/vcard"),
            _ => feed.Produces(StatusCodes.Status200OK, contentType: "text/csv").WithCsvByteOrderMark(),
        };
    }

    private static async Task<IResult> FeedAsync(HttpContext context, PublishedDirectory published, DirectoryOptions options, string? organizationId, FeedFormat format)
    {
        var snapshot = await published.GetAsync(context.RequestAborted);
        var document = snapshot.Feed(organizationId, format);
        return document is null
            ? Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No published numbers for this organization.")
            : Serve(context, document, options.FeedMaxAgeSeconds);
    }

    /// <summary>Validators on every answer; 304 when the client's copy is current (If-None-Match wins over If-Modified-Since, RFC 9110 §13.2.2).</summary>
    public static IResult Serve(HttpContext context, FeedDocument document, int maxAgeSeconds)
    {
        var headers = context.Response.GetTypedHeaders();
        headers.ETag = new EntityTagHeaderValue(document.ETag);
        headers.LastModified = document.LastModified;
        headers.CacheControl = new CacheControlHeaderValue { Public = true, MaxAge = TimeSpan.FromSeconds(maxAgeSeconds) };

        var request = context.Request.GetTypedHeaders();
        var notModified = request.IfNoneMatch is { Count: > 0 } tags
            ? tags.Any(t => t.Equals(EntityTagHeaderValue.Any) || t.Compare(headers.ETag, useStrongComparison: false))
            : request.IfModifiedSince is { } since && document.LastModified <= since;
        return notModified ? Results.StatusCode(StatusCodes.Status304NotModified) : Results.Bytes(document.Body, document.ContentType);
    }

    private static ProblemHttpResult Problem(HttpContext context, OptOutOutcome outcome)
    {
        SetRetryAfter(context, outcome);
        return TypedResults.Problem(statusCode: StatusOf(outcome.Kind), title: outcome.Describe(),
            extensions: new Dictionary<string, object?> { ["reason"] = System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(outcome.Kind.ToString()) });
    }

    private static void SetRetryAfter(HttpContext context, OptOutOutcome outcome)
    {
        if (outcome.LockedUntil is { } until)
            context.Response.Headers.RetryAfter = RecipientLimit.RetryAfterSeconds(until - context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow());
    }

    private static int StatusOf(OptOutOutcomeKind kind) => kind switch
    {
        OptOutOutcomeKind.Locked or OptOutOutcomeKind.SendCapReached => StatusCodes.Status429TooManyRequests,
        OptOutOutcomeKind.NoPendingCode => StatusCodes.Status404NotFound,
        _ => StatusCodes.Status400BadRequest,
    };
}

public sealed record OptOutStartInput(string? CallerNumber, string? PhoneNumber);

/// <summary>A code is on its way to your number; send it to /opt-out/{requestId}/code.</summary>
public sealed record OptOutStarted(Guid RequestId, string Method, DateTimeOffset ExpiresAt);

public sealed record OptOutCodeInput(string? Code);

public sealed record OptOutDone(Guid RequestId, string? OrganizationName)
{
    public string Status => "opt_out_requested";
}
