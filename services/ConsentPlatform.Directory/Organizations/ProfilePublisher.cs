using ConsentPlatform.Contracts;
using ConsentPlatform.ServiceDefaults.Messaging;
using ConsentPlatform.ServiceDefaults.Organizations;
using ConsentPlatform.Telephony;
using Dapper;

namespace ConsentPlatform.Directory.Organizations;

/// <summary>Saves a new revision of an organization's profile and announces it, in one transaction.</summary>
public sealed class ProfilePublisher(DirectoryDatabase database, TimeProvider time, IPublishedView published)
{
    public async Task<OrganizationProfileChanged> PublishAsync(string organizationId, ProfileInput input, CancellationToken cancellationToken)
    {
        await using var transaction = await database.BeginAsync(cancellationToken);
        const string current = "SELECT COALESCE(MAX(revision), 0) FROM organization_profile_revisions WHERE organization_id = @organizationId";
        var revision = await transaction.Connection.ExecuteScalarAsync<long>(new CommandDefinition(current, new { organizationId }, transaction.Inner, cancellationToken: cancellationToken));

        var now = time.GetUtcNow();
        var change = new OrganizationProfileChanged
        {
            OrganizationId = organizationId,
            Revision = revision + 1,
            LegalName = input.LegalName!.Trim(),
            Address = ProfileInput.Clean(input.Address),
            // Stored as E.164 so every service prints and matches it the same way.
            ContactPhone = PhoneNumbers.TryParse(input.ContactPhone, out var phone) ? phone.E164 : null,
            ContactEmail = ProfileInput.Clean(input.ContactEmail),
            WebsiteUrl = ProfileInput.Clean(input.WebsiteUrl),
            PrivacyPolicyUrl = ProfileInput.Clean(input.PrivacyPolicyUrl),
            ChangedAt = now,
            TradeNames = input.CleanTradeNames(),
        };
        await OrganizationProfiles.ApplyAsync(transaction, change, now);
        await DirectoryProfiles.SaveTradeNamesAsync(transaction, organizationId, change.TradeNames, cancellationToken);
        Outbox.Write(transaction, change);
        await transaction.CommitAsync(cancellationToken);
        await published.RefreshAsync(cancellationToken);
        return change;
    }
}
