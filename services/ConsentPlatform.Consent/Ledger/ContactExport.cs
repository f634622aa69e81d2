using ConsentPlatform.Consent.Gate;
using ConsentPlatform.Consent.Suppression;
using ConsentPlatform.ServiceDefaults.Identity;
using ConsentPlatform.ServiceDefaults.Web;
using ConsentPlatform.Telephony;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConsentPlatform.Consent.Ledger;

/// <summary>"What do we hold about this number, and why": the organization's ledger rows and the suppression entries that bind it.</summary>
public sealed record ContactExportView(IReadOnlyList<LedgerRow> Ledger, IReadOnlyList<SuppressionStore.Row> Suppressions);

public static class ContactExport
{
    public static void MapContactExport(this RouteGroupBuilder api)
    {
        api.MapGet("/contacts", async Task<Results<Ok<ContactExportView>, ValidationProblem, ContentHttpResult>> (string? phoneNumber, string? email, string? format, HttpContext context, ConsentDatabase database, PhoneNumberHasher hasher) =>
            {
                var errors = new Dictionary<string, string[]>();
                var chosen = LedgerExport.Negotiate(format, context.Request);
                if (chosen is null) errors["format"] = ["The format is csv or json."];
                var contact = ContactLookup.Read(hasher, phoneNumber, email, "JP", errors);
                if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

                var found = await ContactLookup.FindAsync(database, context.User.OrganizationId(), contact!.Hashes, context.RequestAborted);
                if (chosen == ExportFormat.Json) return TypedResults.Ok(found);
                return CsvFile(context, found);
            })
            .Produces<ContactExportView>(StatusCodes.Status200OK, "application/json", "text/csv")
            .WithCsvByteOrderMark()
            .WithSummary("Everything this organization holds about one contact (ledger rows with evidence and provenance) and the suppression entries that apply: ?format=csv|json or Accept");
    }

    /// <summary>The export as a CSV download (the API's and the contact record page's).</summary>
    public static ContentHttpResult CsvFile(HttpContext context, ContactExportView found)
    {
        context.Response.Headers.ContentDisposition = "attachment; filename=\"consent-contact.csv\"";
        context.Response.Headers.CacheControl = "no-store";
        return TypedResults.Text(Csv(found.Ledger, found.Suppressions), "text/csv; charset=utf-8");
    }

    /// <summary>
    /// One file for both kinds: the first column says whether a line is a ledger row or a suppression
    /// entry; a suppression fills id, organization, channel, purpose, method (its source), recorded_at
    /// (when it was made) and the two trailing columns. One contact's rows are few, so this is built in memory.
    /// </summary>
    private static string Csv(IReadOnlyList<LedgerRow> rows, IReadOnlyList<SuppressionStore.Row> suppressions)
    {
        using var text = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
        using (var csv = new GuardedCsvWriter(text))
        {
            csv.WriteField("record");
            LedgerExport.WriteCsvHeader(csv, "suppression_reason", "lifted_at");
            foreach (var row in rows)
            {
                csv.WriteField("ledger");
                LedgerExport.WriteCsvFields(csv, row);
                csv.WriteField("");
                csv.WriteField("");
                csv.NextRecord();
            }
            foreach (var s in suppressions)
            {
                csv.WriteField("suppression");
                LedgerExport.WriteCsvFields(csv, new LedgerRow
                {
                    Id = s.Id, ReceiptId = "", SubjectId = "", OrganizationId = s.OrganizationId ?? "", Action = "suppressed", Channel = s.Channel ?? "",
                    Purpose = s.Purpose ?? "", ContactHash = s.ContactHash, Method = s.Source, RecordedAt = s.CreatedAt,
                });
                csv.WriteField(s.Reason);
                csv.WriteField(LedgerExport.Time(s.LiftedAt));
                csv.NextRecord();
            }
        }
        return text.ToString();
    }
}
