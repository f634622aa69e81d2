using ConsentPlatform.Consent.Ledger;
using ConsentPlatform.Consent.Gate;
using ConsentPlatform.Consent.Requests;
using ConsentPlatform.Consent.Suppression;
using ConsentPlatform.Contracts;
using MassTransit;
using ConsentPlatform.ServiceDefaults.Identity;
using ConsentPlatform.ServiceDefaults.Web;
using ConsentPlatform.Telephony;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConsentPlatform.Consent.Compliance;

/// <summary>"What do we hold about this number, and why": the organization's ledger rows and the suppression entries that bind it.</summary>
public sealed record ContactExportView(IReadOnlyList<LedgerRow> Ledger, IReadOnlyList<SuppressionStore.Row> Suppressions)
{
    /// <summary>The contact's data-subject requests that concern the organization.</summary>
    public IReadOnlyList<RequestView> Requests { get; init; } = [];
    /// <summary>Notices Notices holds for the contact; null when it was not asked or did not answer in time.</summary>
    public IReadOnlyList<HeldNotice>? Notices { get; init; }
    /// <summary>Responses the contact gave (held by Responses); null when it was not asked or did not answer in time.</summary>
    public IReadOnlyList<HeldResponse>? Responses { get; init; }
    /// <summary>Whether Notices and Responses were asked (the record and the export); the check page asks neither.</summary>
    [System.Text.Json.Serialization.JsonIgnore] public bool Asked { get; init; }
}

public static class ContactExport
{
    public static void MapContactExport(this RouteGroupBuilder api)
    {
        api.MapGet("/contacts", async Task<Results<Ok<ContactExportView>, ValidationProblem, ContentHttpResult>> (string? phoneNumber, string? email, string? format, HttpContext context, ConsentDatabase database, PhoneNumberHasher hasher,
            IRequestClient<ContactNoticesRequested> notices, IRequestClient<ContactResponsesRequested> responses) =>
            {
                var errors = new Dictionary<string, string[]>();
                var chosen = LedgerExport.Negotiate(format, context.Request);
                if (chosen is null) errors["format"] = ["The format is csv or json."];
                var contact = ContactLookup.Read(hasher, phoneNumber, email, "JP", errors);
                if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

                var found = await ContactLookup.FindAsync(database, context.User.OrganizationId(), contact!.Hashes, context.RequestAborted,
                    new ContactLookup.OtherServices(notices, responses));
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
        return TypedResults.Text(Csv(found), "text/csv; charset=utf-8");
    }

    /// <summary>
    /// One file for both kinds: the first column says whether a line is a ledger row or a suppression
    /// entry; a suppression fills id, organization, channel, purpose, method (its source), recorded_at
    /// (when it was made) and the two trailing columns. One contact's rows are few, so this is built in memory.
    /// </summary>
    private static string Csv(ContactExportView found)
    {
        var (rows, suppressions) = (found.Ledger, found.Suppressions);
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
            // The other kinds fill id, action (status or choice), channel (a notice's kind), purpose (a response's topic),
            // method (the kind of request) and recorded_at; a refusal's or a response's reason goes in the reason column.
            void Other(string record, string id, string action, string channel, string purpose, string method, DateTimeOffset at, string? reason)
            {
                csv.WriteField(record);
                LedgerExport.WriteCsvFields(csv, new LedgerRow
                {
                    Id = id, ReceiptId = "", SubjectId = "", OrganizationId = "", Action = action, Channel = channel, Purpose = purpose, ContactHash = "",
                    Method = method, RecordedAt = at.ToUnixTimeMilliseconds(),
                });
                csv.WriteField(reason ?? "");
                csv.WriteField("");
                csv.NextRecord();
            }
            // Only the action column is filled: a line saying a service did not answer has no time of its own.
            void NotAvailable(string record)
            {
                csv.WriteField(record);
                foreach (var column in LedgerExport.CsvColumns) csv.WriteField(column == "action" ? "not_available" : "");
                csv.WriteField("");
                csv.WriteField("");
                csv.NextRecord();
            }
            foreach (var r in found.Requests) Other("request", r.RequestId, r.Status, "", "", r.Kind, r.CreatedAt, null);
            if (!found.Asked) return text.ToString();
            // A service that did not answer is one line saying so, so an export is never silently short.
            if (found.Notices is null) NotAvailable("notices");
            foreach (var n in found.Notices ?? []) Other("notice", n.Id, n.Status, n.Kind, "", "", n.CreatedAt, n.Reason);
            if (found.Responses is null) NotAvailable("responses");
            foreach (var r in found.Responses ?? []) Other("response", r.ResponseId, r.PreferredContact, "", r.Topic, "", r.RespondedAt, r.Reason);
        }
        return text.ToString();
    }
}
