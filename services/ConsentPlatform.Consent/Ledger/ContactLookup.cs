using ConsentPlatform.Consent.Suppression;
using ConsentPlatform.Telephony;

namespace ConsentPlatform.Consent.Ledger;

/// <summary>
/// What an organization holds about one contact: its ledger rows and the suppression entries that bind
/// it (the organization's own and everyone's). One reading for the per-contact export, the permission
/// check page's provenance and the contact record page. Every hash key still in use is tried, so rows
/// written before a key rotation are found too.
/// </summary>
public static class ContactLookup
{
    public static IReadOnlyList<string> Hashes(PhoneNumberHasher hasher, PhoneNumber number, string? email)
    {
        var hashes = new List<string>();
        if (!number.IsEmpty) hashes.AddRange(hasher.CandidateHashes(number));
        if (email is not null) hashes.AddRange(hasher.CandidateEmailHashes(email));
        return hashes;
    }

    public static async Task<ContactExportView> FindAsync(ConsentDatabase database, string organizationId, IReadOnlyList<string> hashes, CancellationToken cancellationToken)
    {
        var rows = (await LedgerStore.FindByContactAsync(database, hashes, cancellationToken)).Where(r => r.OrganizationId == organizationId).ToList();
        var suppressions = (await SuppressionStore.FindAsync(database, hashes, cancellationToken))
            .Where(s => s.OrganizationId is null || s.OrganizationId == organizationId).ToList();
        return new ContactExportView(rows, suppressions);
    }
}
