using ConsentPlatform.Responses.Links;
using ConsentPlatform.ServiceDefaults;
using ConsentPlatform.ServiceDefaults.Recipients;
using ConsentPlatform.ServiceDefaults.Web;
using ConsentPlatform.Telephony;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace ConsentPlatform.Responses.ResponseForm;

/// <summary>The recipient's side: the short link, the response form, the thank-you page and the generic opt-out.</summary>
public static class ResponseFormEndpoints
{
    private const int MaxCodeLength = 64;
    // Form tokens (ADR 0010): the response form's is bound to its link, the generic opt-out's to nothing more.
    private const string ResponsePurpose = "response-form";
    private const string OptOutPurpose = "generic-opt-out";
    private const string OptOutSubject = "-";
    /// <summary>
    /// The visit beacon: a page rendered by something that runs script says it was seen, by POST,
    /// so no GET or HEAD ever writes. Kept outside the page for the CSP's script-src 'self'.
    /// </summary>
    private const string SeenScript = """
        (function () {
          var script = document.currentScript, url = script && script.getAttribute("data-beacon");
          if (!url || document.visibilityState === "prerender") return;
          if (navigator.sendBeacon && navigator.sendBeacon(url)) return;
          if (window.fetch) fetch(url, { method: "POST", keepalive: true, credentials: "omit" });
        })();
        """;

    public static void MapResponseForm(this IEndpointRouteBuilder app)
    {
        var pages = app.MapGroup("/r").RequireRateLimiting(Extensions.PublicRateLimit).AllowAnonymous().ExcludeFromDescription();

        // GET (and HEAD) never change state (R22): every client gets the whole page with the form (a
        // preview bot, a scanner and LINE's in-app browser alike; ADR 0021). The hot path short-circuits
        // the middleware (no cookies, sign-in or antiforgery to look at here), so it takes the public
        // rate limit itself.
        app.MapMethods("/r/{code}", [HttpMethods.Get, HttpMethods.Head], async Task<IResult> (string code, string? lang, HttpContext context, LinkCache cache,
            FormTokens tokens, PublicRequestLimiter limiter, TimeProvider time) =>
        {
            if (limiter.Refuse(context) is { } tooMany) return tooMany;
            var texts = Texts.For(lang, context.Request);
            NoStore(context);
            var view = IsPlausible(code) ? await cache.FindAsync(code, context.RequestAborted) : null;
            if (view is null) return UnknownLink(context, tokens, texts);
            return new FormPageResult(view, texts, Today(time));
        }).ShortCircuit().AllowAnonymous().ExcludeFromDescription();

        pages.MapGet("/seen.js", (HttpContext context) =>
        {
            context.Response.Headers.CacheControl = "public, max-age=300";
            return Results.Text(SeenScript, "text/javascript; charset=utf-8");
        });

        // The page's script reports that it was shown; the preview heuristic only decides whether that counts
        // as a visit. Anonymous and cookie-less like the page, so it needs no antiforgery token; a request that
        // another site's page made the browser send counts nothing. Unknown codes write nothing.
        pages.MapPost("/{code}/seen", async Task<IResult> (string code, HttpContext context, LinkCache cache, VisitCounter counter) =>
        {
            NoStore(context);
            if (!FormTokens.IsSameOrigin(context.Request))
            {
                var header = context.Request.Headers.ContainsKey("Sec-Fetch-Site") ? "Sec-Fetch-Site" : "Origin";
                return Results.ValidationProblem(new Dictionary<string, string[]> { [header] = ["The beacon was sent from another site's page; only our own page counts a visit."] },
                    statusCode: StatusCodes.Status403Forbidden, title: "The request did not come from the short-link page.");
            }
            if (!IsPlausible(code) || await cache.FindAsync(code, context.RequestAborted) is null) return Results.NotFound();
            counter.Note(code, PreviewDetector.IsPreview(context.Request) ? VisitKind.Preview : VisitKind.Visit);
            return Results.NoContent();
        }).DisableAntiforgery();

        pages.MapPost("/{code}", async (string code, [FromForm] ResponseInput input, HttpContext context, LinkCache cache, ResponseRecorder recorder,
            FormTokens tokens, TimeProvider time) =>
        {
            var texts = Texts.For(input.Lang, context.Request);
            NoStore(context);
            var view = IsPlausible(code) ? await cache.FindAsync(code, context.RequestAborted) : null;
            if (view is null) return UnknownLink(context, tokens, texts);
            var errors = Forged(context, tokens, ResponsePurpose, view.Link.Code) ?? input.Validate(Today(time), texts.Lang == "ja");
            if (errors.Count > 0)
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                return new RazorComponentResult<ResponsePage>(new
                {
                    T = texts, View = view, Token = tokens.Issue(ResponsePurpose, view.Link.Code), Input = input, Errors = errors, Today = Today(time),
                });
            }
            var recorded = await recorder.RecordAsync(view.Link, input, texts.Lang, Requester.Of(context), context.RequestAborted);
            return new RazorComponentResult<ThanksPage>(new { T = texts, View = view, Response = recorded });
        }).DisableAntiforgery();

        // The generic opt-out's own address (the unknown-link page and its language switch lead here): a page, not a 404.
        pages.MapMethods("/opt-out", [HttpMethods.Get, HttpMethods.Head], (string? lang, HttpContext context, FormTokens tokens) =>
        {
            NoStore(context);
            return OptOutForm(context, tokens, Texts.For(lang, context.Request));
        });

        pages.MapPost("/opt-out", async ([FromForm] string? phoneNumber, [FromForm] string? lang, HttpContext context, GenericOptOut optOut, FormTokens tokens) =>
        {
            var texts = Texts.For(lang, context.Request);
            NoStore(context);
            if (Forged(context, tokens, OptOutPurpose, OptOutSubject) is { } forged) return Refused(context, tokens, texts, forged);
            var parsed = PhoneNumbers.Parse(phoneNumber);
            if (!parsed.IsValid)
            {
                var message = texts.Lang == "ja" ? "電話番号を正しく入力してください。" : $"The phone number is not valid: {parsed.ErrorMessage}";
                return Refused(context, tokens, texts, new() { ["phoneNumber"] = [message] });
            }
            var (challenge, wait) = await optOut.StartAsync(parsed.Number, texts.Lang, context.RequestAborted);
            if (challenge is null)
            {
                var message = texts.Lang == "ja" ? "この番号には確認コードを送りすぎました。しばらくしてからお試しください。" : "Enough codes went to this number for now; try again later.";
                context.Response.Headers.RetryAfter = RecipientLimit.RetryAfterSeconds(wait);
                context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                return OptOutForm(context, tokens, texts, new() { ["phoneNumber"] = [message] });
            }
            return new RazorComponentResult<UnknownLinkPage>(new { T = texts, Token = tokens.Issue(OptOutPurpose, OptOutSubject), ChallengeId = challenge.ToString() });
        }).DisableAntiforgery();

        pages.MapPost("/opt-out/confirm", async ([FromForm] string? challengeId, [FromForm] string? code, [FromForm] string? lang, HttpContext context,
            GenericOptOut optOut, FormTokens tokens) =>
        {
            var texts = Texts.For(lang, context.Request);
            NoStore(context);
            if (Forged(context, tokens, OptOutPurpose, OptOutSubject) is { } forged) return Refused(context, tokens, texts, forged);
            if (!Guid.TryParse(challengeId, out var id) || string.IsNullOrWhiteSpace(code))
                return Refused(context, tokens, texts, new() { ["code"] = [texts.Lang == "ja" ? "確認コードを入力してください。" : "Enter the code we texted you."] });
            var outcome = await optOut.ConfirmAsync(id, code, context.RequestAborted);
            switch (outcome)
            {
                case GenericOptOut.Outcome.WrongCode:
                    context.Response.StatusCode = StatusCodes.Status400BadRequest;
                    return new RazorComponentResult<UnknownLinkPage>(new
                    {
                        T = texts, Token = tokens.Issue(OptOutPurpose, OptOutSubject), ChallengeId = id.ToString(),
                        Errors = new Dictionary<string, string[]> { ["code"] = [texts.Lang == "ja" ? "確認コードが違います。" : "That code is not right."] },
                    });
                case GenericOptOut.Outcome.Expired:
                    return Refused(context, tokens, texts, new() { ["code"] = [texts.Lang == "ja" ? "確認コードの有効期限が切れました。もう一度お試しください。" : "The code has expired or was used up; ask for a new one."] });
                default:
                    return new RazorComponentResult<UnknownLinkPage>(new { T = texts, Token = tokens.Issue(OptOutPurpose, OptOutSubject), Done = outcome == GenericOptOut.Outcome.Stopped });
            }
        }).DisableAntiforgery();
    }

    /// <summary>The form from the page cache, with the link's form token.</summary>
    private sealed class FormPageResult(LinkView view, Texts texts, DateOnly today) : IResult
    {
        public Task ExecuteAsync(HttpContext context)
        {
            var token = context.RequestServices.GetRequiredService<FormTokens>().Issue(ResponsePurpose, view.Link.Code);
            return context.RequestServices.GetRequiredService<FormPageCache>().WriteAsync(context, view, texts, today, token);
        }
    }

    /// <summary>The form token's problem as the page's error list, or null when the POST may go on (ADR 0010).</summary>
    internal static Dictionary<string, string[]>? Forged(HttpContext context, FormTokens tokens, string purpose, string subject) =>
        tokens.Check(context.Request, purpose, subject, context.Request.Form[FormTokens.FieldName]) is { } problem
            ? new() { [FormTokens.FieldName] = [problem] }
            : null;

    private static IResult Refused(HttpContext context, FormTokens tokens, Texts texts, Dictionary<string, string[]> errors)
    {
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        return OptOutForm(context, tokens, texts, errors);
    }

    /// <summary>A code that names no link: a 404 that says so and offers the generic opt-out in its place.</summary>
    private static IResult UnknownLink(HttpContext context, FormTokens tokens, Texts texts)
    {
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        return new RazorComponentResult<UnknownLinkPage>(new { T = texts, Token = tokens.Issue(OptOutPurpose, OptOutSubject), UnknownLink = true });
    }

    /// <summary>The generic opt-out's first step, with what was wrong in the last attempt if anything.</summary>
    private static IResult OptOutForm(HttpContext context, FormTokens tokens, Texts texts, Dictionary<string, string[]>? errors = null) =>
        new RazorComponentResult<UnknownLinkPage>(new
        {
            T = texts, Token = tokens.Issue(OptOutPurpose, OptOutSubject), Errors = errors ?? new Dictionary<string, string[]>(),
        });

    /// <summary>Codes come from Notices' CSPRNG alphabet; anything else is not worth a database read.</summary>
    private static bool IsPlausible(string code) =>
        code.Length is > 0 and <= MaxCodeLength && code.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    private static DateOnly Today(TimeProvider time) => DateOnly.FromDateTime(time.GetUtcNow().ToOffset(TimeSpan.FromHours(9)).DateTime);

    internal static void NoStore(HttpContext context)
    {
        // Pages carry a masked number and a form token: never cached by a browser or a proxy.
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers["X-Robots-Tag"] = "noindex, nofollow";
    }
}
