using ConsentPlatform.Responses.Links;
using ConsentPlatform.ServiceDefaults;
using ConsentPlatform.Telephony;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace ConsentPlatform.Responses.Form;

/// <summary>The recipient's side: the short link, the response form, the thank-you page and the generic opt-out.</summary>
public static class FormEndpoints
{
    private const int MaxCodeLength = 64;
    private static readonly byte[] EmptyCss = "/* seen */"u8.ToArray();

    public static void MapResponseForm(this IEndpointRouteBuilder app)
    {
        var pages = app.MapGroup("/r").RequireRateLimiting(Extensions.PublicRateLimit).AllowAnonymous().ExcludeFromDescription();

        // GET (and HEAD) never change state (R22): previews get a bare page, people the form.
        pages.MapMethods("/{code}", [HttpMethods.Get, HttpMethods.Head], async Task<IResult> (string code, string? lang, HttpContext context, LinkCache cache, VisitCounter counter, IAntiforgery antiforgery, TimeProvider time) =>
        {
            var texts = Texts.For(lang, context.Request);
            NoStore(context);
            if (PreviewDetector.IsPreview(context.Request))
            {
                if (IsPlausible(code)) counter.Note(code, VisitKind.Preview);
                return new RazorComponentResult<PreviewPage>(new { T = texts });
            }
            var view = IsPlausible(code) ? await cache.FindAsync(code, context.RequestAborted) : null;
            if (view is null) return Unknown(context, antiforgery, texts);
            return new FormPageResult(view, texts, Today(time));
        });

        // The visit beacon: fetched by a browser that renders the page, which previews do not.
        pages.MapGet("/{code}/seen.css", (string code, HttpContext context, VisitCounter counter) =>
        {
            if (IsPlausible(code)) counter.Note(code, PreviewDetector.IsPreview(context.Request) ? VisitKind.Preview : VisitKind.Visit);
            NoStore(context);
            return Results.Bytes(EmptyCss, "text/css; charset=utf-8");
        });

        pages.MapPost("/{code}", async (string code, [FromForm] ResponseInput input, HttpContext context, LinkCache cache, ResponseRecorder recorder,
            IAntiforgery antiforgery, TimeProvider time) =>
        {
            var texts = Texts.For(input.Lang, context.Request);
            NoStore(context);
            var view = IsPlausible(code) ? await cache.FindAsync(code, context.RequestAborted) : null;
            if (view is null)
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Unknown(context, antiforgery, texts);
            }
            var errors = input.Validate(Today(time), texts.Lang == "ja");
            if (errors.Count > 0)
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                return new RazorComponentResult<ResponsePage>(new
                {
                    T = texts, View = view, Tokens = antiforgery.GetAndStoreTokens(context), Input = input, Errors = errors, Today = Today(time),
                });
            }
            var recorded = await recorder.RecordAsync(view.Link, input, texts.Lang, context.RequestAborted);
            return new RazorComponentResult<ThanksPage>(new { T = texts, View = view, Response = recorded });
        });

        pages.MapPost("/opt-out", async ([FromForm] string? phoneNumber, [FromForm] string? lang, HttpContext context, GenericOptOut optOut, IAntiforgery antiforgery) =>
        {
            var texts = Texts.For(lang, context.Request);
            NoStore(context);
            var parsed = PhoneNumbers.Parse(phoneNumber);
            if (!parsed.IsValid)
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                var message = texts.Lang == "ja" ? "電話番号を正しく入力してください。" : $"The phone number is not valid: {parsed.ErrorMessage}";
                return Unknown(context, antiforgery, texts, errors: new() { ["phoneNumber"] = [message] });
            }
            var challenge = await optOut.StartAsync(parsed.Number, context.RequestAborted);
            return new RazorComponentResult<UnknownLinkPage>(new { T = texts, Tokens = antiforgery.GetAndStoreTokens(context), ChallengeId = challenge.ToString() });
        });

        pages.MapPost("/opt-out/confirm", async ([FromForm] string? challengeId, [FromForm] string? code, [FromForm] string? lang, HttpContext context,
            GenericOptOut optOut, IAntiforgery antiforgery) =>
        {
            var texts = Texts.For(lang, context.Request);
            NoStore(context);
            if (!Guid.TryParse(challengeId, out var id) || string.IsNullOrWhiteSpace(code))
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                return Unknown(context, antiforgery, texts, errors: new() { ["code"] = [texts.Lang == "ja" ? "確認コードを入力してください。" : "Enter the code we texted you."] });
            }
            var outcome = await optOut.ConfirmAsync(id, code, context.RequestAborted);
            switch (outcome)
            {
                case GenericOptOut.Outcome.WrongCode:
                    context.Response.StatusCode = StatusCodes.Status400BadRequest;
                    return new RazorComponentResult<UnknownLinkPage>(new
                    {
                        T = texts, Tokens = antiforgery.GetAndStoreTokens(context), ChallengeId = id.ToString(),
                        Errors = new Dictionary<string, string[]> { ["code"] = [texts.Lang == "ja" ? "確認コードが違います。" : "That code is not right."] },
                    });
                case GenericOptOut.Outcome.Expired:
                    context.Response.StatusCode = StatusCodes.Status400BadRequest;
                    return Unknown(context, antiforgery, texts, errors: new() { ["code"] = [texts.Lang == "ja" ? "確認コードの有効期限が切れました。もう一度お試しください。" : "The code has expired or was used up; ask for a new one."] });
                default:
                    return new RazorComponentResult<UnknownLinkPage>(new { T = texts, Tokens = antiforgery.GetAndStoreTokens(context), Done = outcome == GenericOptOut.Outcome.Stopped });
            }
        });
    }

    /// <summary>The form from the page cache, with this request's antiforgery token.</summary>
    private sealed class FormPageResult(LinkView view, Texts texts, DateOnly today) : IResult
    {
        public Task ExecuteAsync(HttpContext context)
        {
            var tokens = context.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(context);
            return context.RequestServices.GetRequiredService<FormPageCache>().WriteAsync(context, view, texts, today, tokens);
        }
    }

    private static IResult Unknown(HttpContext context, IAntiforgery antiforgery, Texts texts, Dictionary<string, string[]>? errors = null)
    {
        if (context.Response.StatusCode == StatusCodes.Status200OK && HttpMethods.IsGet(context.Request.Method))
            context.Response.StatusCode = StatusCodes.Status404NotFound;
        return new RazorComponentResult<UnknownLinkPage>(new
        {
            T = texts, Tokens = antiforgery.GetAndStoreTokens(context), Errors = errors ?? new Dictionary<string, string[]>(),
        });
    }

    /// <summary>Codes come from Notices' CSPRNG alphabet; anything else is not worth a database read.</summary>
    private static bool IsPlausible(string code) =>
        code.Length is > 0 and <= MaxCodeLength && code.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    private static DateOnly Today(TimeProvider time) => DateOnly.FromDateTime(time.GetUtcNow().ToOffset(TimeSpan.FromHours(9)).DateTime);

    private static void NoStore(HttpContext context)
    {
        // Pages carry a masked number and an antiforgery token: never cached by a browser or a proxy.
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers["X-Robots-Tag"] = "noindex, nofollow";
    }
}
