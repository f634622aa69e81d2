using ConsentPlatform.Consent.Ledger;
using ConsentPlatform.Consent.Gate;
using ConsentPlatform.Consent.Requests;
using ConsentPlatform.Consent.Suppression;
using ConsentPlatform.Contracts;
using MassTransit;
using ConsentPlatform.Telephony;

namespace ConsentPlatform.Consent.Compliance;

/// <summary>
/// What an organization holds about one contact: its ledger rows and the suppression entries that bind
/// it (the organization's own and everyone's). One reading for the per-contact export, the permission
/// check page's provenance and the contact record page. Every hash key still in use is tried, so rows
/// written before a key rotation are found too.
/// </summary>
public static class ContactLookup
{
    /// <summary>
    /// A number (any format, read in <paramref name="region"/>) or an email, as the export and the contact
    /// record take it; null when it cannot be read (or the caller's errors already hold a problem), with the
    /// field's problem added (phoneNumber, email). "Give one" is only added when nothing else is wrong yet.
    /// </summary>
    public static ContactQuery? Read(PhoneNumberHasher hasher, string? phoneNumber, string? email, string region, Dictionary<string, string[]> errors)
    {
        var number = default(PhoneNumber);
        if (!string.IsNullOrWhiteSpace(phoneNumber))
        {
            var parsed = PhoneNumbers.Parse(phoneNumber, region);
            if (parsed.IsValid) number = parsed.Number;
            else errors["phoneNumber"] = [$"The phone number is not valid: {parsed.ErrorMessage}"];
        }
        string? address = null;
        if (!string.IsNullOrWhiteSpace(email))
        {
            if (CheckInput.EmailError(email) is { } message) errors["email"] = [message];
            else address = email;
        }
        var hashes = Hashes(hasher, number, address);
        if (errors.Count == 0 && hashes.Count == 0) errors["phoneNumber"] = ["Give a phone number or an email."];
        return errors.Count > 0 ? null : new ContactQuery(number, address, hashes);
    }

    public static IReadOnlyList<string> Hashes(PhoneNumberHasher hasher, PhoneNumber number, string? email)
    {
        var hashes = new List<string>();
        if (!number.IsEmpty) hashes.AddRange(hasher.CandidateHashes(number));
        if (email is not null) hashes.AddRange(hasher.CandidateEmailHashes(email));
        return hashes;
    }

    /// <summary>
    /// The record: Consent's ledger rows, suppressions and the contact's data-subject requests, and, when
    /// <paramref name="others"/> is given, the notices and responses Notices and Responses hold (asked over the
    /// bus by keyed hash first, so they look while Consent does; null when one did not answer in time).
    /// </summary>
    public static async Task<ContactExportView> FindAsync(ConsentDatabase database, string organizationId, IReadOnlyList<string> hashes, CancellationToken cancellationToken,
        OtherServices? others = null)
    {
        var notices = others is null ? Task.FromResult<ContactNotices?>(null) : Overview.AskAsync<ContactNoticesRequested, ContactNotices>(others.Notices,
            new ContactNoticesRequested { OrganizationId = organizationId, ContactHashes = hashes }, cancellationToken);
        var responses = others is null ? Task.FromResult<ContactResponses?>(null) : Overview.AskAsync<ContactResponsesRequested, ContactResponses>(others.Responses,
            new ContactResponsesRequested { OrganizationId = organizationId, ContactHashes = hashes }, cancellationToken);
        var rows = (await LedgerStore.FindByContactAsync(database, hashes, cancellationToken)).Where(r => r.OrganizationId == organizationId).ToList();
        return new ContactExportView(rows, await SuppressionQueries.BindingAsync(database, organizationId, hashes, cancellationToken))
        {
            Requests = await RequestActions.ForContactAsync(database, organizationId, hashes, cancellationToken),
            Notices = (await notices)?.Notices,
            Responses = (await responses)?.Responses,
            Asked = others is not null,
        };
    }

    /// <summary>The request clients the record asks Notices and Responses through.</summary>
    public sealed record OtherServices(IRequestClient<ContactNoticesRequested> Notices, IRequestClient<ContactResponsesRequested> Responses);
}

/// <summary>A contact to look up: what was read and the hashes it is stored under; shown only masked.</summary>
public sealed record ContactQuery(PhoneNumber Number, string? Email, IReadOnlyList<string> Hashes)
{
    public string Masked => Number.IsEmpty ? ContactMask.Email(Email) ?? "***" : Number.FormatMasked();
}
