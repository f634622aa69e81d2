using ConsentPlatform.Contracts;
using ConsentPlatform.ServiceDefaults.Data;
using ConsentPlatform.ServiceDefaults.Identity;
using ConsentPlatform.ServiceDefaults.Messaging;
using Dapper;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace ConsentPlatform.ServiceDefaults.Organizations;

/// <summary>An organization's public profile as a consuming service last heard it from Directory.</summary>
public sealed record OrganizationProfile(
    string OrganizationId, long Revision, string LegalName, string? Address, string? ContactPhone,
    string? ContactEmail, string? WebsiteUrl, string? PrivacyPolicyUrl, DateTimeOffset ChangedAt);

/// <summary>
/// The organization_profiles table in each service's database. Directory writes the original when an organization
/// publishes its profile; Consent, Notices and Responses keep copies from <see cref="OrganizationProfileChanged"/>
/// (they print the sender's legal name and contact point). The latest revision wins, and every revision is
/// kept, so evidence can show the name as it stood at the time.
/// </summary>
public static class OrganizationProfiles
{
    public static async Task<bool> ApplyAsync(Transaction transaction, OrganizationProfileChanged change, DateTimeOffset receivedAt)
    {
        const string history = """
            INSERT INTO organization_profile_revisions (organization_id, revision, legal_name, changed_at, received_at)
            VALUES (@OrganizationId, @Revision, @LegalName, @changedAt, @receivedAt)
            """;
        await transaction.Connection.ExecuteAsync(history, new
        {
            change.OrganizationId, change.Revision, change.LegalName,
            changedAt = change.ChangedAt.ToUnixTimeMilliseconds(),
            receivedAt = receivedAt.ToUnixTimeMilliseconds(),
        }, transaction.Inner);

        // The bus does not keep order: an older revision arriving late must not win.
        const string update = """
            UPDATE organization_profiles
            SET revision = @Revision, legal_name = @LegalName, address = @Address, contact_phone = @ContactPhone,
                contact_email = @ContactEmail, website_url = @WebsiteUrl, privacy_policy_url = @PrivacyPolicyUrl, changed_at = @changedAt
            WHERE organization_id = @OrganizationId AND revision < @Revision
            """;
        var insert = transaction.Database.Dialect.InsertIfAbsent(
            "organization_profiles",
            "organization_id, revision, legal_name, address, contact_phone, contact_email, website_url, privacy_policy_url, changed_at",
            "@OrganizationId, @Revision, @LegalName, @Address, @ContactPhone, @ContactEmail, @WebsiteUrl, @PrivacyPolicyUrl, @changedAt",
            key: "organization_id");
        var parameters = new
        {
            change.OrganizationId, change.Revision, change.LegalName, change.Address, change.ContactPhone,
            change.ContactEmail, change.WebsiteUrl, change.PrivacyPolicyUrl,
            changedAt = change.ChangedAt.ToUnixTimeMilliseconds(),
        };
        var changed = await transaction.Connection.ExecuteAsync(update, parameters, transaction.Inner);
        if (changed == 0) changed = await transaction.Connection.ExecuteAsync(insert, parameters, transaction.Inner);
        return changed == 1;
    }

    public static async Task<OrganizationProfile?> FindAsync(ServiceDatabase database, string organizationId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        const string sql = """
            SELECT organization_id, revision, legal_name, address, contact_phone, contact_email, website_url, privacy_policy_url, changed_at
            FROM organization_profiles WHERE organization_id = @organizationId
            """;
        var row = await connection.QuerySingleOrDefaultAsync<(string, long, string, string?, string?, string?, string?, string?, long)>(
            new CommandDefinition(sql, new { organizationId }, cancellationToken: cancellationToken));
        return row.Item1 is null ? null : new OrganizationProfile(row.Item1, row.Item2, row.Item3, row.Item4, row.Item5, row.Item6, row.Item7, row.Item8,
            DateTimeOffset.FromUnixTimeMilliseconds(row.Item9));
    }

    /// <summary>GET {group}/organization: the profile as this service knows it (what it will print as the sender).</summary>
    public static RouteHandlerBuilder MapOrganizationProfileReplica<TDatabase>(this RouteGroupBuilder group) where TDatabase : ServiceDatabase =>
        group.MapGet("/organization", async Task<Results<Ok<OrganizationProfile>, ProblemHttpResult>> (HttpContext context) =>
                await FindAsync(context.RequestServices.GetRequiredService<TDatabase>(), context.User.OrganizationId(), context.RequestAborted) is { } profile
                    ? TypedResults.Ok(profile)
                    : TypedResults.Problem(statusCode: 404, title: "No profile yet",
                        detail: "This service has not received the organization's profile from Directory yet. Publish it with PUT /api/directory/organization."))
            .WithSummary("The organization's public profile as this service last received it from Directory")
            .ProducesProblem(StatusCodes.Status404NotFound);
}

/// <summary>
/// What a service does once its replica has committed a profile change, for copies of the profile it keeps
/// in memory (Responses' cached short-link pages name the organization). Registered as a singleton per database.
/// </summary>
public sealed record OrganizationProfileApplied<TDatabase>(Action<string> ForOrganization) where TDatabase : ServiceDatabase;

/// <summary>Keeps the replica; one instance per consuming service (each has its own queue and database).</summary>
public sealed class OrganizationProfileChangedConsumer<TDatabase>(TDatabase database, TimeProvider time, IEnumerable<OrganizationProfileApplied<TDatabase>> applied)
    : IConsumer<OrganizationProfileChanged>
    where TDatabase : ServiceDatabase
{
    public async Task Consume(ConsumeContext<OrganizationProfileChanged> context)
    {
        await database.HandleOnceAsync(this, context,
            transaction => OrganizationProfiles.ApplyAsync(transaction, context.Message, time.GetUtcNow()));
        foreach (var then in applied) then.ForOrganization(context.Message.OrganizationId);
    }
}

/// <summary>One queue per consuming service; the name comes from the database ("notices-organization-profiles").</summary>
public sealed class OrganizationProfileChangedConsumerDefinition<TDatabase>()
    : PlatformConsumerDefinition<OrganizationProfileChangedConsumer<TDatabase>>(Queues.OrganizationProfiles(typeof(TDatabase).Name.Replace("Database", "").ToLowerInvariant()))
    where TDatabase : ServiceDatabase;
