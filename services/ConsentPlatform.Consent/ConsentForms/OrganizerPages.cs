using System.Reflection;
using ConsentPlatform.ServiceDefaults.Identity;
using ConsentPlatform.ServiceDefaults.Web;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace ConsentPlatform.Consent.ConsentForms;

/// <summary>
/// The organizer's pages: create and edit a form with a preview and the embed snippet (an event's
/// submissions and the import upload are Import/SubmissionPages). Plain HTML forms with antiforgery; a small script of
/// our own (organizer.js) adds the live preview and copy buttons where JavaScript runs.
/// </summary>
public static class OrganizerPages
{
    private static readonly string Script = ReadScript();

    public static void MapOrganizerPages(this IEndpointRouteBuilder app)
    {
        app.MapGet("/consent/organizer.js", (HttpContext context) =>
        {
            context.Response.Headers.CacheControl = "public, max-age=300";
            return Results.Text(Script, "text/javascript; charset=utf-8");
        }).ExcludeFromDescription().AllowAnonymous();

        var pages = app.MapGroup("/consent/events").ExcludeFromDescription().RequireAuthorization(Scopes.Consent);

        pages.MapGet("/new", (HttpContext context, IAntiforgery antiforgery, FormPreview preview) =>
            EditorAsync(context, antiforgery, preview, null, EditorInput.Blank, new()));

        pages.MapPost("/new", async (HttpContext context, IAntiforgery antiforgery, FormPreview preview, EventStore events, [FromForm] EditorInput input) =>
        {
            var errors = new Dictionary<string, string[]>();
            var parsed = input.ToInput(errors);
            if (input.Action != "save") return await EditorAsync(context, antiforgery, preview, null, input, errors);
            if (errors.Count > 0)
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                return await EditorAsync(context, antiforgery, preview, null, input, errors);
            }
            var created = await events.CreateAsync(context.User.OrganizationId(), parsed, context.RequestAborted);
            return Results.Redirect($"/consent/events/{created.Id}/edit?saved=1");
        });

        pages.MapGet("/{id}/edit", async (string id, string? saved, HttpContext context, IAntiforgery antiforgery, FormPreview preview, EventStore events) =>
            await events.FindAsync(context.User.OrganizationId(), id, context.RequestAborted) is { } current
                ? await EditorAsync(context, antiforgery, preview, current, EditorInput.From(current), new(), saved == "1")
                : NotFound());

        pages.MapPost("/{id}/edit", async (string id, HttpContext context, IAntiforgery antiforgery, FormPreview preview, EventStore events, [FromForm] EditorInput input) =>
        {
            var organizationId = context.User.OrganizationId();
            if (await events.FindAsync(organizationId, id, context.RequestAborted) is not { } current) return NotFound();
            var errors = new Dictionary<string, string[]>();
            var parsed = input.ToInput(errors);
            if (input.Action != "save") return await EditorAsync(context, antiforgery, preview, current, input, errors);
            if (errors.Count > 0)
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                return await EditorAsync(context, antiforgery, preview, current, input, errors);
            }
            await events.UpdateAsync(organizationId, id, parsed, context.RequestAborted);
            return Results.Redirect($"/consent/events/{id}/edit?saved=1");
        });

        // What the live preview fetches as the organizer types: the public form's markup for the draft. A POST
        // because a draft of six texts does not fit a URL; it changes nothing.
        pages.MapPost("/new/preview", (HttpContext context, FormPreview preview, [FromForm] EditorInput input, [FromForm] string? previewLang) =>
            PreviewAsync(context, preview, null, input, previewLang));
        pages.MapPost("/{id}/preview", async (string id, HttpContext context, FormPreview preview, EventStore events, [FromForm] EditorInput input, [FromForm] string? previewLang) =>
            await events.FindAsync(context.User.OrganizationId(), id, context.RequestAborted) is { } current
                ? await PreviewAsync(context, preview, current, input, previewLang)
                : NotFound());
    }

    public static IResult NotFound() => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such event");

    private static async Task<IResult> EditorAsync(HttpContext context, IAntiforgery antiforgery, FormPreview preview, EventView? current, EditorInput input,
        Dictionary<string, string[]> errors, bool saved = false)
    {
        OrganizerHeaders(context);
        var draft = input.Draft(current, context.User.OrganizationId(), context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow());
        return new RazorComponentResult<EventEditorPage>(new
        {
            Current = current, Input = input, Errors = errors, Saved = saved,
            PreviewJa = await preview.RenderAsync(draft, "ja"),
            PreviewEn = await preview.RenderAsync(draft, "en"),
            BaseUrl = BaseUrl(context.Request), Tokens = antiforgery.GetAndStoreTokens(context), SignedInAs = PlatformPages.SignedInAs(context.User),
        });
    }

    private static async Task<IResult> PreviewAsync(HttpContext context, FormPreview preview, EventView? current, EditorInput input, string? previewLang)
    {
        OrganizerHeaders(context);
        var html = await preview.RenderAsync(input.Draft(current, context.User.OrganizationId(), context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow()), previewLang == "en" ? "en" : "ja");
        return Results.Content(html, "text/html; charset=utf-8");
    }

    /// <summary>
    /// Our own script and styles only; the preview frames are srcdoc documents, which inherit this
    /// policy, so the previewed form can load nothing from elsewhere either.
    /// </summary>
    public static void OrganizerHeaders(HttpContext context)
    {
        context.Response.Headers.ContentSecurityPolicy =
            "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self'; frame-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers["Referrer-Policy"] = "no-referrer";
    }

    public static string BaseUrl(HttpRequest request) => $"{request.Scheme}://{request.Host}";

    private static string ReadScript()
    {
        var assembly = Assembly.GetExecutingAssembly();
        using var stream = assembly.GetManifestResourceStream("ConsentPlatform.Consent.ConsentForms.Assets.organizer.js")
            ?? throw new InvalidOperationException("Missing embedded organizer.js");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
