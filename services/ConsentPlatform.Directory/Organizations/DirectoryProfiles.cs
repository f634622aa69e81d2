using System.Data.Common;
using System.Text.Json;
using ConsentPlatform.ServiceDefaults.Data;
using Dapper;

namespace ConsentPlatform.Directory.Organizations;

/// <summary>The profile as Directory publishes it: the platform's profile columns plus trade names.</summary>
public sealed record DirectoryProfile(
    string OrganizationId, long Revision, string LegalName, IReadOnlyList<string> TradeNames, string? Address, string? ContactPhone,
    string? ContactEmail, string? WebsiteUrl, string? PrivacyPolicyUrl, DateTimeOffset ChangedAt);

/// <summary>Directory's own reads and writes of organization_profiles (the trade_names column is Directory's).</summary>
public static class DirectoryProfiles
{
    private sealed record Row(
        string OrganizationId, long Revision, string LegalName, string? TradeNames, string? Address, string? ContactPhone,
        string? ContactEmail, string? WebsiteUrl, string? PrivacyPolicyUrl, long ChangedAt)
    {
        public DirectoryProfile ToProfile() => new(OrganizationId, Revision, LegalName,
            TradeNames is null ? [] : JsonSerializer.Deserialize<string[]>(TradeNames) ?? [],
            Address, ContactPhone, ContactEmail, WebsiteUrl, PrivacyPolicyUrl, DateTimeOffset.FromUnixTimeMilliseconds(ChangedAt));
    }

    private const string Select = """
        SELECT organization_id AS OrganizationId, revision AS Revision, legal_name AS LegalName, trade_names AS TradeNames,
               address AS Address, contact_phone AS ContactPhone, contact_email AS ContactEmail, website_url AS WebsiteUrl,
               privacy_policy_url AS PrivacyPolicyUrl, changed_at AS ChangedAt
        FROM organization_profiles
        """;

    public static async Task SaveTradeNamesAsync(Transaction transaction, string organizationId, IReadOnlyList<string>? tradeNames, CancellationToken cancellationToken)
    {
        const string sql = "UPDATE organization_profiles SET trade_names = @tradeNames WHERE organization_id = @organizationId";
        await transaction.Connection.ExecuteAsync(new CommandDefinition(sql, new { organizationId, tradeNames = JsonSerializer.Serialize(tradeNames ?? []) },
            transaction.Inner, cancellationToken: cancellationToken));
    }

    public static async Task<DirectoryProfile?> FindAsync(DbConnection connection, DbTransaction? transaction, string organizationId, CancellationToken cancellationToken)
    {
        const string sql = $"{Select} WHERE organization_id = @organizationId";
        return (await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(sql, new { organizationId }, transaction, cancellationToken: cancellationToken)))?.ToProfile();
    }

    /// <summary>
    /// Every organization's profile; the directory keeps those with a published number. Which
    /// numbers are published is for the numbers' owner (<c>Numbers/CallerNumberStore</c>) to say,
    /// and there are far fewer organizations than a parameter list could hold.
    /// </summary>
    public static async Task<IReadOnlyList<DirectoryProfile>> ListAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        const string sql = Select;
        return (await connection.QueryAsync<Row>(new CommandDefinition(sql, cancellationToken: cancellationToken))).Select(r => r.ToProfile()).ToList();
    }
}
