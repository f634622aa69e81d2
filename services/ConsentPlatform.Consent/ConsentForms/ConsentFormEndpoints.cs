using ConsentPlatform.ServiceDefaults;
using ConsentPlatform.ServiceDefaults.Identity;
using ConsentPlatform.ServiceDefaults.Web;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace ConsentPlatform.Consent.ConsentForms;

/// <summary>The public side: the embed script, the form at its own URL (or in the iframe), and its submit.</summary>
public static class ConsentFormEndpoints
{
    private const string TokenPurpose = "consent-form";

    // Renders the form in an iframe that sizes to its content. Before framing it asks whether this
    // site may frame the form (the browser names the site in Origin; nothing else is sent): where it
    // may not, the person reads why, in the page, instead of a frame the browser left blank. Nothing
    // typed leaves the page until the person presses submit inside the frame (R3).
    private const string EmbedScript = """
        (function () {
          var script = document.currentScript;
          if (!script) return;
          var id = script.getAttribute("data-form") || "";
          var base = new URL(script.src).origin;
          var lang = script.getAttribute("data-lang");
          var formUrl = base + "/consent/forms/" + encodeURIComponent(id);
          var ja = (lang || document.documentElement.lang || navigator.language || "").toLowerCase().indexOf("ja") === 0;
          function place(node) { script.parentNode.insertBefore(node, script.nextSibling); }
          function say(reason) {
            var box = document.createElement("div");
            box.setAttribute("role", "note");
            box.setAttribute("data-consent-form-message", reason);
            box.lang = ja ? "ja" : "en";
            box.style.cssText = "border:1px solid #b42318;border-radius:6px;padding:12px;background:#fff;color:#1d2330;overflow-wrap:anywhere;font:16px/1.5 system-ui,sans-serif";
            var text = document.createElement("p");
            text.style.margin = "0";
            box.appendChild(text);
            if (reason === "missing") {
              text.textContent = ja ? "この同意フォームは現在ご利用いただけません。" : "This consent form is not available.";
            } else {
              text.textContent = ja
                ? "この同意フォームはこのサイトでは表示できません（主催者がこのサイトへの埋め込みを許可していません）。"
                : "This consent form cannot be shown on this site: its organizer has not allowed it here.";
              var link = document.createElement("a");
              link.href = formUrl + (lang ? "?lang=" + encodeURIComponent(lang) : "");
              link.target = "_blank";
              link.rel = "noopener";
              link.textContent = ja ? "同意フォームを開く" : "Open the consent form";
              var open = document.createElement("p");
              open.style.margin = "8px 0 0";
              open.appendChild(link);
              box.appendChild(open);
              var owner = document.createElement("p");
              owner.style.cssText = "margin:8px 0 0;color:#5d6678;font-size:14px";
              owner.textContent = ja
                ? "サイト管理者の方へ: フォームの許可するオリジンに " + location.origin + " を追加してください。"
                : "For the site's owner: add " + location.origin + " to the form's allowed origins.";
              box.appendChild(owner);
            }
            place(box);
          }
          function frame() {
            var frame = document.createElement("iframe");
            frame.src = formUrl + "?embed=1" + (lang ? "&lang=" + encodeURIComponent(lang) : "") +
              "&page=" + encodeURIComponent(location.href.split("#")[0]);
            frame.title = script.getAttribute("data-title") || (ja ? "同意フォーム" : "Consent form");
            frame.style.cssText = "width:100%;border:0;height:28rem;display:block";
            place(frame);
            window.addEventListener("message", function (e) {
              if (e.origin !== base || e.source !== frame.contentWindow || !e.data || typeof e.data.consentFormHeight !== "number") return;
              frame.style.height = Math.ceil(e.data.consentFormHeight) + "px";
            });
          }
          // A page whose own policy forbids asking still gets the frame, as before this check.
          fetch(formUrl + "/embeddable", { credentials: "omit" }).then(function (response) {
            if (response.status === 404) return say("missing");
            if (!response.ok) return frame();
            return response.json().then(function (answer) { if (answer.embeddable === false) say("origin"); else frame(); });
          }).catch(frame);
        })();
        """;

    // Inside the frame: tells the embedding page how tall the content is, after every render and
    // whenever it reflows. Only to the origin the server named (an allowed one, from the page the
    // form was embedded in); where there is none, nobody is told anything.
    private const string FrameScript = """
        (function () {
          var script = document.currentScript;
          var target = script && script.getAttribute("data-parent-origin");
          if (!target || parent === window) return;
          var last = -1;
          function post() {
            // The html element's own height: scrollHeight never drops below the frame's current
            // height, so a shorter page (the receipt after the form) would keep the form's height.
            var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
            if (height === last) return;
            last = height;
            parent.postMessage({ consentFormHeight: height }, target);
          }
          if (window.ResizeObserver) new ResizeObserver(post).observe(document.documentElement);
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
            var pageUrl = page is { Length: <= 1000 } ? page : null;
            return new RazorComponentResult<ConsentFormPage>(new
            {
                Form = form, Token = tokens.Issue(TokenPurpose, form.Id), Lang = FormWords.Language(context.Request, lang),
                Embed = embed is "1" or "true", PageUrl = pageUrl, ParentOrigin = ParentOrigin(form, pageUrl),
            });
        });

        // embed.js asks before it frames the form. Any site may ask, about itself only: the browser
        // writes Origin, the page cannot. No Origin means our own origin, which may always frame it.
        pages.MapGet("/forms/{id}/embeddable", async Task<IResult> (string id, HttpContext context, EventStore events) =>
        {
            context.Response.Headers.AccessControlAllowOrigin = "*";
            context.Response.Headers.CacheControl = "no-store";
            context.Response.Headers.Vary = "Origin";
            var form = await events.FindAsync(null, id, context.RequestAborted);
            if (form is null) return TypedResults.Problem(statusCode: 404, title: "No such form");
            var origin = context.Request.Headers.Origin.ToString();
            var own = $"{context.Request.Scheme}://{context.Request.Host}";
            return TypedResults.Ok(new { embeddable = origin.Length == 0 || string.Equals(origin, own, StringComparison.OrdinalIgnoreCase) || IsAllowed(form, origin) });
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
            return new RazorComponentResult<ReceiptPage>(new { Form = form, Receipt = receipt, Lang = lang, Embed = input.Embed, ParentOrigin = ParentOrigin(form, input.PageUrl) });

            // The form again, with what was typed and what is wrong with it.
            IResult Invalid(IReadOnlyDictionary<string, string[]> problems)
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                return new RazorComponentResult<ConsentFormPage>(new
                {
                    Form = form, Token = tokens.Issue(TokenPurpose, form.Id), Lang = lang, Embed = input.Embed, PageUrl = input.PageUrl,
                    ParentOrigin = ParentOrigin(form, input.PageUrl), Input = input, Errors = problems,
                });
            }
        }).DisableAntiforgery();
    }

    private static bool IsAllowed(EventView form, string? origin) =>
        EventInput.NormalizeOrigin(origin) is { } normalized && form.AllowedOrigins.Contains(normalized, StringComparer.OrdinalIgnoreCase);

    /// <summary>The origin of the page the form says it is embedded in, when that origin may frame it: the only one told its height.</summary>
    private static string? ParentOrigin(EventView form, string? pageUrl) =>
        Uri.TryCreate(pageUrl, UriKind.Absolute, out var page) && EventInput.NormalizeOrigin(page.GetLeftPart(UriPartial.Authority)) is { } origin && IsAllowed(form, origin)
            ? origin : null;

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
