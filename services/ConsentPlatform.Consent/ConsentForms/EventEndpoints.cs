using ConsentPlatform.Consent.Ledger;
using ConsentPlatform.ServiceDefaults.Identity;
using ConsentPlatform.ServiceDefaults.Web;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConsentPlatform.Consent.ConsentForms;

public static class EventEndpoints
{
    /// <summary>Six texts of 2,000 characters in UTF-8 plus the rest fit well inside this.</summary>
    public const int MaxEventBytes = 128 * 1024;

    public static void MapEventApi(this RouteGroupBuilder api)
    {
        api.MapPost("/events", async Task<Results<Created<EventView>, ValidationProblem>> (EventInput input, HttpContext context, EventStore events) =>
            {
                var errors = input.Validate();
                if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
                var created = await events.CreateAsync(context.User.OrganizationId(), input, context.RequestAborted);
                return TypedResults.Created($"/api/consent/events/{created.Id}", created);
            })
            .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(MaxEventBytes))
            .WithSummary("Create an event and its consent form");

        api.MapGet("/events", async (HttpContext context, EventStore events) =>
                TypedResults.Ok(await events.ListAsync(context.User.OrganizationId(), context.RequestAborted)))
            .WithSummary("The organization's events (without texts)");

        api.MapGet("/events/{id}", async Task<Results<Ok<EventView>, NotFound>> (string id, HttpContext context, EventStore events) =>
                await events.FindAsync(context.User.OrganizationId(), id, context.RequestAborted) is { } found ? TypedResults.Ok(found) : TypedResults.NotFound())
            .WithSummary("An event with the current version of each consent text");

        api.MapPut("/events/{id}", async Task<Results<Ok<EventView>, ValidationProblem, NotFound>> (string id, EventInput input, HttpContext context, EventStore events) =>
            {
                var errors = input.Validate();
                if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
                return await events.UpdateAsync(context.User.OrganizationId(), id, input, context.RequestAborted) is { } updated ? TypedResults.Ok(updated) : TypedResults.NotFound();
            })
            .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(MaxEventBytes))
            .WithSummary("Change an event's form: a changed text becomes a new version; earlier versions and the rows that point at them stay");

        api.MapGet("/events/{id}/texts", async Task<Results<Ok<IReadOnlyList<TextVersion>>, NotFound>> (string id, HttpContext context, EventStore events) =>
                await events.FindAsync(context.User.OrganizationId(), id, context.RequestAborted) is null
                    ? TypedResults.NotFound()
                    : TypedResults.Ok(await events.AllVersionsAsync(id, context.RequestAborted)))
            .WithSummary("Every version of every consent text of the event, with its hash");

        // The route is the event's; the export is the ledger's, which does not know events.
        api.MapGet("/events/{id}/ledger", async Task<Results<LedgerExport.LedgerExportResult, ValidationProblem, NotFound>> (string id, string? format, HttpContext context, EventStore events, ConsentDatabase database) =>
            {
                if (LedgerExport.Negotiate(format, context.Request) is not { } chosen) return LedgerExport.FormatProblem();
                var organizationId = context.User.OrganizationId();
                if (await events.FindAsync(organizationId, id, context.RequestAborted) is null) return TypedResults.NotFound();
                return LedgerExport.EventLedger(database, organizationId, id, chosen);
            })
            .Produces<LedgerRow[]>(StatusCodes.Status200OK, "application/json", "text/csv")
            .WithCsvByteOrderMark()
            .WithSummary("The event's ledger rows (form submissions, imports, withdrawals) with evidence and provenance, streamed: ?format=csv|json or Accept");

        api.MapGet("/events/{id}/submissions", async Task<Results<Ok<IReadOnlyList<LedgerRow>>, NotFound>> (string id, HttpContext context, EventStore events, ConsentDatabase database) =>
                await events.FindAsync(context.User.OrganizationId(), id, context.RequestAborted) is null
                    ? TypedResults.NotFound()
                    : TypedResults.Ok(await LedgerQueries.ByEventAsync(database, context.User.OrganizationId(), id, context.RequestAborted)))
            .WithSummary("The ledger rows recorded through the event's form, with their evidence");
    }
}
