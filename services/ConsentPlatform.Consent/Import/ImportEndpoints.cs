using ConsentPlatform.Consent.ConsentForms;
using ConsentPlatform.ServiceDefaults.Identity;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConsentPlatform.Consent.Import;

public static class ImportEndpoints
{
    public static void MapImportApi(this RouteGroupBuilder api)
    {
        api.MapPost("/events/{id}/imports", async Task<Results<Created<ImportView>, ValidationProblem, ProblemHttpResult, NotFound>> (
                string id, HttpContext context, EventStore events, ConsentImporter importer, ConsentOptions options) =>
            {
                var form = await events.FindAsync(context.User.OrganizationId(), id, context.RequestAborted);
                if (form is null) return TypedResults.NotFound();
                if (FormatOf(context.Request.ContentType) is not { } format)
                    return TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Upload the registrations as text/csv or application/json.");
                LimitBody(context, options);
                var outcome = await importer.ImportAsync(context.User.OrganizationId(), form, context.Request.Body, format, null, context.RequestAborted);
                return outcome switch
                {
                    ImportOutcome.Imported imported => TypedResults.Created($"/api/consent/events/{id}/imports/{imported.Import.Id}", imported.Import),
                    _ => Problem(outcome),
                };
            })
            .Accepts<string>("text/csv", "application/json")
            .WithSummary("Import registrations collected elsewhere into the event's ledger: CSV or JSON, all or nothing")
            .WithDescription("""
                Columns (CSV snake_case, JSON camelCase): phone, email, channels (call/sms/email, space-separated or a JSON array),
                language (ja/en), source, collected_at (ISO 8601), text_shown and/or text_reference, capture_method
                (web_form, paper_form, phone_call, in_person, email, system), evidence, ip, user_agent, page_url, third_parties
                (recipients named on the form, '|'-separated or a JSON array; one "share" row each, R9).
                Provenance (source, collected_at, text, capture_method) and evidence are required; web_form captures also need ip and user_agent.
                Each registration becomes one ledger row per channel, announced with ConsentRecorded. Any bad row: 400 listing every bad row
                (row number, field, message) and nothing is written. CSV rows count the header as row 1; JSON rows count from 1.
                """);
    }

    public static ImportFormat? FormatOf(string? contentType) => contentType?.Split(';')[0].Trim().ToLowerInvariant() switch
    {
        "text/csv" or "application/csv" => ImportFormat.Csv,
        "application/json" => ImportFormat.Json,
        _ => null,
    };

    public static void LimitBody(HttpContext context, ConsentOptions options)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = options.ImportMaxBytes;
    }

    /// <summary>Every refusal as problem details; bad rows keyed "rows[5].phone" and listed as {row, field, message}.</summary>
    public static ProblemHttpResult Problem(ImportOutcome outcome) => outcome switch
    {
        ImportOutcome.Invalid invalid => TypedResults.Problem(new HttpValidationProblemDetails(
            invalid.Errors.GroupBy(e => $"rows[{e.Row}].{e.Field}").ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray()))
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "Some rows cannot be imported; nothing was imported.",
            Detail = $"{invalid.BadRows} of {invalid.Rows} rows have errors" + (invalid.Errors.Count >= ConsentImporter.MaxListedErrors ? $"; the first {ConsentImporter.MaxListedErrors} problems are listed." : "."),
            Extensions =
            {
                ["rows"] = invalid.Errors.Select(e => new { row = e.Row, field = e.Field, message = e.Message }).ToList(),
                ["badRows"] = invalid.BadRows,
            },
        }),
        ImportOutcome.Unreadable unreadable => TypedResults.Problem(new HttpValidationProblemDetails(
            new Dictionary<string, string[]> { [unreadable.Field] = [unreadable.Message] })
        {
            Status = StatusCodes.Status400BadRequest, Title = "The file cannot be read; nothing was imported.", Detail = unreadable.Message,
        }),
        ImportOutcome.TooLarge tooLarge => TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "The file is too large; nothing was imported.", detail: tooLarge.Message),
        _ => throw new ArgumentOutOfRangeException(nameof(outcome)),
    };
}
