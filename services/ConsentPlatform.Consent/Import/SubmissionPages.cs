using ConsentPlatform.Consent.ConsentForms;
using ConsentPlatform.Consent.Ledger;
using ConsentPlatform.ServiceDefaults.Identity;
using ConsentPlatform.ServiceDefaults.Web;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace ConsentPlatform.Consent.Import;

/// <summary>
/// An event's submissions page with its export links and the import upload, beside the organizer's
/// form pages: the page shows an import's outcome, so it lives with the import, which the form pages
/// do not know.
/// </summary>
public static class SubmissionPages
{
    public const int PageSize = 50;

    public static void MapSubmissionPages(this IEndpointRouteBuilder app, ConsentOptions options)
    {
        var pages = app.MapGroup("/consent/events").ExcludeFromDescription().RequireAuthorization(Scopes.Consent);

        pages.MapGet("/{id}/submissions", async (string id, long? after, HttpContext context, IAntiforgery antiforgery, EventStore events, ConsentDatabase database) =>
            await events.FindAsync(context.User.OrganizationId(), id, context.RequestAborted) is { } form
                ? await SubmissionsAsync(context, antiforgery, database, form, after ?? 0, null)
                : OrganizerPages.NotFound());

        pages.MapPost("/{id}/imports", async (string id, HttpContext context, IAntiforgery antiforgery, EventStore events, ConsentDatabase database, ConsentImporter importer,
                IFormFile? file) =>
            {
                var organizationId = context.User.OrganizationId();
                if (await events.FindAsync(organizationId, id, context.RequestAborted) is not { } form) return OrganizerPages.NotFound();
                ImportOutcome outcome;
                if (file is null || file.Length == 0) outcome = new ImportOutcome.Unreadable("file", "Choose a CSV or JSON file to import.");
                else if (FormatOf(file) is not { } format) outcome = new ImportOutcome.Unreadable("file", "The file must be .csv or .json.");
                else
                {
                    await using var stream = file.OpenReadStream();
                    outcome = await importer.ImportAsync(organizationId, form, stream, format, SafeName(file.FileName), context.RequestAborted);
                }
                context.Response.StatusCode = outcome switch
                {
                    ImportOutcome.Imported => StatusCodes.Status200OK,
                    ImportOutcome.TooLarge => StatusCodes.Status413PayloadTooLarge,
                    _ => StatusCodes.Status400BadRequest,
                };
                return await SubmissionsAsync(context, antiforgery, database, form, 0, outcome);
            })
            .WithFormOptions(multipartBodyLengthLimit: options.ImportMaxBytes)
            .WithMetadata(new RequestSizeLimitAttribute(options.ImportMaxBytes + 64 * 1024));
    }

    private static async Task<IResult> SubmissionsAsync(HttpContext context, IAntiforgery antiforgery, ConsentDatabase database, EventView form, long after, ImportOutcome? outcome)
    {
        OrganizerPages.OrganizerHeaders(context);
        var organizationId = context.User.OrganizationId();
        var rows = await LedgerQueries.PageByEventAsync(database, organizationId, form.Id, after, PageSize + 1, context.RequestAborted);
        return new RazorComponentResult<SubmissionsPage>(new
        {
            Form = form, Rows = rows.Take(PageSize).ToList(), HasMore = rows.Count > PageSize, After = after,
            Total = await LedgerQueries.CountByEventAsync(database, organizationId, form.Id, context.RequestAborted), Outcome = outcome,
            Tokens = antiforgery.GetAndStoreTokens(context), SignedInAs = PlatformPages.SignedInAs(context.User),
        });
    }

    private static ImportFormat? FormatOf(IFormFile file) =>
        ImportEndpoints.FormatOf(file.ContentType)
        ?? Path.GetExtension(file.FileName).ToLowerInvariant() switch { ".csv" => ImportFormat.Csv, ".json" => ImportFormat.Json, _ => null };

    private static string? SafeName(string? name)
    {
        var clean = Path.GetFileName(name ?? "").Trim();
        return clean.Length == 0 ? null : clean.Length > 200 ? clean[..200] : clean;
    }
}
