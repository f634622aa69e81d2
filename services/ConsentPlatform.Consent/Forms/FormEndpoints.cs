using ConsentPlatform.ServiceDefaults;
using ConsentPlatform.ServiceDefaults.Identity;
using ConsentPlatform.ServiceDefaults.Web;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace ConsentPlatform.Consent.Forms;

/// <summary>The public side: the embed script, the form at its own URL (or in the iframe), and its submit.</summary>
public static class FormEndpoints
{
    private const string TokenPurpose = "consent-form";

    // Renders the form in an iframe that sizes to its content. It sends nothing but the iframe's
    // own GET (the form id, the language and the host page's URL); nothing typed leaves the page
    // until the person presses submit inside the frame (R3).
    private const string EmbedScript = """
        (function () {
          var script = document.currentScript;
          if (!script) return;
          var id = script.getAttribute("data-form");
          var base = new URL(script.src).origin;
          var lang = script.getAttribute("data-lang");
          var frame = document.createElement("iframe");
          frame.src = base + "/consent/forms/" + encodeURIComponent(id) + "?embed=1" + (lang ? "&lang=" + encodeURIComponent(lang) : "") +
            "&page=" + encodeURIComponent(location.href.split("#")[0]);
          frame.title = script.getAttribute("data-title") || "Consent form";
          frame.style.cssText = "width:100%;border:0;min-height:28rem;display:block";
          script.parentNode.insertBefore(frame, script.nextSibling);
          window.addEventListener("message", function (e) {
            if (e.origin !== base || e.source !== frame.contentWindow || !e.data || typeof e.data.consentFormHeight !== "number") return;
            frame.style.height = Math.ceil(e.data.consentFormHeight) + "px";
          });
        })();
        """;

    // Inside the frame: tells the host page how tall the form is (no network request).
    private const string FrameScript = """
        (function () {
          function post() { parent.postMessage({ consentFormHeight: document.documentElement.scrollHeight }, "*"); }
          window.addEventListener("load", post);
          window.addEventListener("resize", post);
          post();
        })();
        """;

    public static void MapFormPages(this IEndpointRouteBuilder app)
    {
        app.MapGet("/consent/events", async (HttpContext context, EventStore events, IAntiforgery antiforgery) =>
            new RazorComponentResult<EventsPage>(new
            {
                Events = await events.ListAsync(context.User.OrganizationId(), context.RequestAborted),
                BaseUrl = $"{context.Request.Scheme}://{context.Request.Host}",
                SignedInAs = ServiceDefaults.Web.PlatformPages.SignedInAs(context.User),
                Tokens = antiforgery.GetAndStoreTokens(context),
            }))
            .RequireAuthorization(ServiceDefaults.Identity.Scopes.Consent).ExcludeFromDescription();

        var pages = app.MapGroup("/consent").ExcludeFromDescription().RequireRateLimiting(Extensions.PublicRateLimit).AllowAnonymous();

        app.MapGet("/embed.js", (HttpContext context) =>
        {
            context.Response.Headers.CacheControl = "public, max-age=300";
            return Results.Text(EmbedScript, "text/javascript; charset=utf-8");
        }).ExcludeFromDescription().RequireRateLimiting(Extensions.PublicRateLimit).AllowAnonymous();

        pages.MapGet("/frame.js", (HttpContext context) =>
        {
            context.Response.Headers.CacheControl = "public, max-age=300";
            return Results.Text(FrameScript, "text/javascript; charset=utf-8");
        });

        pages.MapGet("/forms/{id}", async Task<IResult> (string id, string? lang, string? embed, string? page, HttpContext context, EventStore events, FormTokens tokens) =>
        {
            var form = await events.FindAsync(null, id, context.RequestAborted);
            if (form is null) return TypedResults.Problem(statusCode: 404, title: "No such form");
            SecureHeaders(context, form);
            return new RazorComponentResult<ConsentFormPage>(new
            {
                Form = form, Token = tokens.Issue(TokenPurpose, form.Id), Lang = FormWords.Language(context.Request, lang),
                Embed = embed is "1" or "true", PageUrl = page is { Length: <= 1000 } ? page : null,
            });
        });

        // The form lives in an iframe on the organizer's site, where an antiforgery cookie would not
        // be sent (SameSite, third-party cookie blocking): a cookie-less form token instead (ADR 0010).
        pages.MapPost("/forms/{id}", async Task<IResult> (string id, [FromForm] SubmitInput input, HttpContext context, EventStore events, FormSubmission submission, FormTokens tokens) =>
        {
            var form = await events.FindAsync(null, id, context.RequestAborted);
            if (form is null) return TypedResults.Problem(statusCode: 404, title: "No such form");
            SecureHeaders(context, form);
            var lang = input.Lang is "ja" or "en" ? input.Lang : FormWords.Language(context.Request, null);
            if (tokens.Check(context.Request, TokenPurpose, form.Id, context.Request.Form[FormTokens.FieldName]) is { } forged)
                return Invalid(new Dictionary<string, string[]> { [FormTokens.FieldName] = [forged] });
            var evidence = new FormSubmission.Evidence(context.Connection.RemoteIpAddress?.ToString(), context.Request.Headers.UserAgent.ToString(), context.Request.Headers.Referer.ToString());
            var (receipt, errors) = await submission.SubmitAsync(form, input with { Lang = lang }, evidence, context.RequestAborted);
            if (receipt is null) return Invalid(errors);
            return new RazorComponentResult<ReceiptPage>(new { Form = form, Receipt = receipt, Lang = lang, Embed = input.Embed });

            // The form again, with what was typed and what is wrong with it.
            IResult Invalid(IReadOnlyDictionary<string, string[]> problems)
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                return new RazorComponentResult<ConsentFormPage>(new
                {
                    Form = form, Token = tokens.Issue(TokenPurpose, form.Id), Lang = lang, Embed = input.Embed, PageUrl = input.PageUrl,
                    Input = input, Errors = problems,
                });
            }
        }).DisableAntiforgery();
    }

    /// <summary>Only the organizer's allowed origins may frame the form; the page loads nothing from elsewhere.</summary>
    private static void SecureHeaders(HttpContext context, EventView form)
    {
        var ancestors = string.Join(' ', ["'self'", .. form.AllowedOrigins]);
        context.Response.Headers.ContentSecurityPolicy =
            $"default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors {ancestors}";
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers["Referrer-Policy"] = "no-referrer";
    }
}
