using ConsentPlatform.ServiceDefaults;
using ConsentPlatform.ServiceDefaults.Recipients;
using ConsentPlatform.ServiceDefaults.Web;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace ConsentPlatform.Consent.Requests;

public enum RequestStep { Start, Code, Status }

/// <summary>
/// The pages through which a person makes a data-subject request without knowing the API: the same
/// checks (<see cref="RequestInput"/>), code limits and service as <c>/api/public/consent/requests</c>.
/// Anonymous and cookie-less, so the forms carry a form token and must come from our own origin
/// (ADR 0010). A POST that opens a request or accepts its code redirects to the request's page, so
/// reloading shows the status and sends nothing again; that GET only reads.
/// </summary>
public static class RequestPages
{
    public const string Path = "/consent/requests";
    private const string TokenPurpose = "data-subject-request";
    private const string TokenSubject = "pages";

    public static void MapRequestPages(this IEndpointRouteBuilder app)
    {
        var pages = app.MapGroup(Path).ExcludeFromDescription().RequireRateLimiting(Extensions.PublicRateLimit).AllowAnonymous();

        pages.MapGet("/", (string? lang, string? kind, HttpContext context, FormTokens tokens) =>
            Page(context, tokens, Words(context, lang), RequestStep.Start, kind: DataSubjectRequests.Kinds.Contains(kind) ? kind : null));

        pages.MapPost("/", async Task<IResult> ([FromForm] string? kind, [FromForm] string? contact, [FromForm] string? lang, HttpContext context, FormTokens tokens,
            DataSubjectRequests service) =>
        {
            var words = Words(context, lang);
            if (Forged(context, tokens, words) is { } forged)
                return Page(context, tokens, words, RequestStep.Start, StatusCodes.Status400BadRequest, kind, contact, errors: forged);
            var (phoneNumber, email) = RequestInput.SplitContact(contact);
            var (input, problems, _) = RequestInput.Check(kind, phoneNumber, email);
            if (input is null)
            {
                var errors = problems.Select(p => (p == RequestProblem.Kind ? "kind" : "contact", words.Problems[p])).ToList();
                return Page(context, tokens, words, RequestStep.Start, StatusCodes.Status400BadRequest, kind, contact, errors: errors);
            }
            var opened = await service.OpenAsync(input, context.RequestAborted);
            if (opened.View is not { } view)
            {
                context.Response.Headers.RetryAfter = RecipientLimit.RetryAfterSeconds(opened.RetryAfter);
                return Page(context, tokens, words, RequestStep.Start, StatusCodes.Status429TooManyRequests, kind, contact, errors: [("contact", words.TooManyCodes)]);
            }
            return ToRequest(view.RequestId, words);
        }).DisableAntiforgery();

        pages.MapGet("/{id}", async Task<IResult> (string id, string? lang, HttpContext context, FormTokens tokens, DataSubjectRequests service) =>
        {
            var words = Words(context, lang);
            if (await service.FindAsync(id, context.RequestAborted) is not { } view) return NotFound();
            return Page(context, tokens, words, view.Status == DataSubjectRequests.Pending ? RequestStep.Code : RequestStep.Status, view: view);
        });

        pages.MapPost("/{id}/code", async Task<IResult> (string id, [FromForm] string? code, [FromForm] string? lang, HttpContext context, FormTokens tokens,
            DataSubjectRequests service) =>
        {
            var words = Words(context, lang);
            if (await service.FindAsync(id, context.RequestAborted) is not { } pending) return NotFound();
            if (Forged(context, tokens, words) is { } forged)
                return Page(context, tokens, words, RequestStep.Code, StatusCodes.Status400BadRequest, view: pending, errors: forged);
            if (code is not { Length: > 0 and <= 12 })
                return Page(context, tokens, words, RequestStep.Code, StatusCodes.Status400BadRequest, view: pending, errors: [("code", words.EnterCode)]);
            var (view, refusal) = await service.VerifyAsync(id, code, context.RequestAborted);
            if (view is null) return NotFound();
            if (refusal == DataSubjectRequests.Refusal.None) return ToRequest(id, words);
            var step = view.Status == DataSubjectRequests.Pending ? RequestStep.Code : RequestStep.Status;
            return Page(context, tokens, words, step, StatusCodes.Status400BadRequest, view: view, errors: [("code", words.Refusals[refusal])]);
        }).DisableAntiforgery();
    }

    private static RequestWords Words(HttpContext context, string? lang) => RequestWords.For(RecipientLanguage.Resolve(context.Request, lang));

    private static List<(string, string)>? Forged(HttpContext context, FormTokens tokens, RequestWords words) =>
        tokens.Check(context.Request, TokenPurpose, TokenSubject, context.Request.Form[FormTokens.FieldName]) is null ? null : [(FormTokens.FieldName, words.Expired)];

    private static RedirectHttpResult ToRequest(string id, RequestWords words) => TypedResults.Redirect($"{Path}/{Uri.EscapeDataString(id)}?lang={words.Lang}");

    private static ProblemHttpResult NotFound() => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such request");

    private static RazorComponentResult<RequestPage> Page(HttpContext context, FormTokens tokens, RequestWords words, RequestStep step, int status = StatusCodes.Status200OK,
        string? kind = null, string? contact = null, RequestView? view = null, IReadOnlyList<(string, string)>? errors = null)
    {
        // The pages show a request's status and carry a form token: never kept by a cache.
        context.Response.Headers.CacheControl = "no-store";
        context.Response.StatusCode = status;
        return new RazorComponentResult<RequestPage>(new
        {
            W = words, Step = step, Token = tokens.Issue(TokenPurpose, TokenSubject), Kind = kind, Contact = contact, View = view, Errors = errors ?? [],
        });
    }
}
