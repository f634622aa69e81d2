using ConsentPlatform.Consent.Gate;
using ConsentPlatform.Consent.Suppression;
using ConsentPlatform.ServiceDefaults.Identity;
using ConsentPlatform.Telephony;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConsentPlatform.Consent.Ledger;

/// <summary>"What do we hold about this number, and why": the organization's ledger rows and the suppression entries that bind it.</summary>
public sealed record ContactExportView(IReadOnlyList<LedgerRow> Ledger, IReadOnlyList<SuppressionStore.Row> Suppressions);

public static class ContactExport
{
    public static void MapContactExport(this RouteGroupBuilder api)
    {
        api.MapGet("/contacts", async Task<Results<Ok<ContactExportView>, ValidationProblem>> (string? phoneNumber, string? email, HttpContext context, ConsentDatabase database, PhoneNumberHasher hasher) =>
            {
                var errors = new Dictionary<string, string[]>();
                var hashes = new List<string>();
                if (!string.IsNullOrWhiteSpace(phoneNumber))
                {
                    var parsed = PhoneNumbers.Parse(phoneNumber, "JP");
                    if (parsed.IsValid) hashes.AddRange(hasher.CandidateHashes(parsed.Number));
                    else errors["phoneNumber"] = [$"The phone number is not valid: {parsed.ErrorMessage}"];
                }
                if (!string.IsNullOrWhiteSpace(email))
                {
                    if (CheckInput.EmailError(email) is { } message) errors["email"] = [message];
                    else hashes.AddRange(hasher.CandidateEmailHashes(email));
                }
                if (errors.Count == 0 && hashes.Count == 0) errors["phoneNumber"] = ["Give a phone number or an email."];
                if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

                var organizationId = context.User.OrganizationId();
                var rows = (await LedgerStore.FindByContactAsync(database, hashes, context.RequestAborted)).Where(r => r.OrganizationId == organizationId).ToList();
                var suppressions = (await SuppressionStore.FindAsync(database, hashes, context.RequestAborted))
                    .Where(s => s.OrganizationId is null || s.OrganizationId == organizationId).ToList();
                return TypedResults.Ok(new ContactExportView(rows, suppressions));
            })
            .WithSummary("Everything this organization holds about one contact (ledger rows with evidence and provenance) and the suppression entries that apply");
    }
}
