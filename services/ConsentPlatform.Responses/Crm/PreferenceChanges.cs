using System.Text.Json;
using ConsentPlatform.Contracts;
using ConsentPlatform.ServiceDefaults.Data;
using ConsentPlatform.ServiceDefaults.Messaging;
using Dapper;
using MassTransit;

namespace ConsentPlatform.Responses.Crm;

public static class DeliveryKinds
{
    public const string Response = "response";
    public const string Preference = "preference";
}

/// <summary>What changed for the contact, as the CRM maps it. Null channel, purpose or organization scope mean "all".</summary>
public sealed record PreferenceChange(string Kind, string? Channel, string? Purpose, string Scope, DateTimeOffset? Until);

/// <summary>
/// One contact-preference change, as a CRM connector receives it (event "preference.changed"). It carries what a CRM
/// can match on — the organization's own id for the contact when it gave one, and the keyed hash — never the
/// number or the address.
/// </summary>
public sealed record CrmPreference(
    string ChangeId, string OrganizationId, string? ExternalId, string ContactHash, PreferenceChange Change, string? Source, string? EvidenceId, DateTimeOffset At);

public sealed record PreferenceEnvelope(string Event, string DeliveryId, CrmPreference Preference);

public static class PreferenceKinds
{
    public const string Stopped = "stopped";
    public const string Resumed = "resumed";
    public const string Consented = "consented";
    public const string Withdrawn = "withdrawn";
}

/// <summary>
/// Issue 13: Consent's decisions, whichever channel the person used (a short-link answer, a STOP reply, a refused
/// call, a directory opt-out, a data-subject request, a form, START), become one preference change per message
/// and organization, queued for every enabled connector in the message's own transaction, so they go out in order
/// per contact through the same at-least-once delivery (retries, dead letters) as responses.
/// </summary>
public sealed class PreferenceChangeConsumer(ResponsesDatabase database, DeliveryStore deliveries, TimeProvider time) :
    IConsumer<ContactSuppressed>, IConsumer<ContactUnsuppressed>, IConsumer<ConsentRecorded>, IConsumer<ConsentWithdrawn>
{
    public Task Consume(ConsumeContext<ContactSuppressed> context)
    {
        var m = context.Message;
        return RecordAsync(context, "responses.preference-suppressed", m.ContactHash, m.OrganizationId, m.SuppressionId.ToString(),
            new PreferenceChange(PreferenceKinds.Stopped, m.Channel, m.Purpose, Scope(m.OrganizationId), m.Until), m.Source ?? m.Reason, m.EvidenceId?.ToString(), m.SuppressedAt);
    }

    public async Task Consume(ConsumeContext<ContactUnsuppressed> context)
    {
        var m = context.Message;
        // The lift names only its suppression: the organizations, channel and purpose are those of the stop it lifts.
        await database.HandleOnceAsync(context, "responses.preference-unsuppressed", async tx =>
        {
            const string sql = "SELECT organization_id AS OrganizationId, payload AS Payload FROM preference_changes WHERE evidence_id = @id";
            var stops = await tx.Connection.QueryAsync<(string OrganizationId, string Payload)>(
                new CommandDefinition(sql, new { id = "s:" + m.SuppressionId }, tx.Inner, cancellationToken: context.CancellationToken));
            foreach (var (organizationId, payload) in stops)
            {
                var stop = JsonSerializer.Deserialize<CrmPreference>(payload, WebhookSignature.Json)!;
                await WriteAsync(tx, organizationId, m.ContactHash, null, stop.Change with { Kind = PreferenceKinds.Resumed, Until = null }, "unsuppressed",
                    m.SuppressionId.ToString(), m.UnsuppressedAt, context.CancellationToken);
            }
        });
        deliveries.Signal.Notify();
    }

    public Task Consume(ConsumeContext<ConsentRecorded> context)
    {
        var m = context.Message;
        return RecordAsync(context, "responses.preference-consent", m.ContactHash, m.OrganizationId, null,
            new PreferenceChange(PreferenceKinds.Consented, m.Channel, m.Purpose, "organization", m.ExpiresAt), m.SourceEvent ?? "consent", m.ConsentId.ToString(), m.RecordedAt);
    }

    public Task Consume(ConsumeContext<ConsentWithdrawn> context)
    {
        var m = context.Message;
        return RecordAsync(context, "responses.preference-withdrawn", m.ContactHash, m.OrganizationId, null,
            new PreferenceChange(PreferenceKinds.Withdrawn, m.Channel, m.Purpose, "organization", null), "consent_withdrawn", m.ConsentId.ToString(), m.WithdrawnAt);
    }

    private static string Scope(string? organizationId) => organizationId is null ? "all_organizations" : "organization";

    /// <param name="suppressionId">Kept (as the row's evidence key) so a later lift finds the organizations and scope it lifts.</param>
    private async Task RecordAsync(ConsumeContext context, string consumer, string contactHash, string? organizationId, string? suppressionId,
        PreferenceChange change, string? source, string? evidenceId, DateTimeOffset at)
    {
        await database.HandleOnceAsync(context, consumer, async tx =>
        {
            // A stop for every organization (a data-subject request) reaches each organization that knows the contact here.
            IEnumerable<string> organizations = organizationId is not null ? [organizationId] : await KnownToAsync(tx, contactHash, context.CancellationToken);
            foreach (var organization in organizations)
                await WriteAsync(tx, organization, contactHash, suppressionId is null ? null : "s:" + suppressionId, change, source, evidenceId, at, context.CancellationToken);
        });
        deliveries.Signal.Notify();
    }

    private static async Task<IEnumerable<string>> KnownToAsync(Transaction tx, string contactHash, CancellationToken ct)
    {
        const string sql = """
            SELECT organization_id FROM response_links WHERE contact_hash = @contactHash
            UNION SELECT organization_id FROM consent_provenance WHERE contact_hash = @contactHash
            UNION SELECT organization_id FROM crm_contacts WHERE contact_hash = @contactHash
            """;
        return await tx.Connection.QueryAsync<string>(new CommandDefinition(sql, new { contactHash }, tx.Inner, cancellationToken: ct));
    }

    private async Task WriteAsync(Transaction tx, string organizationId, string contactHash, string? lookupKey, PreferenceChange change, string? source,
        string? evidenceId, DateTimeOffset at, CancellationToken ct)
    {
        const string external = "SELECT external_id FROM crm_contacts WHERE organization_id = @organizationId AND contact_hash = @contactHash";
        var externalId = await tx.Connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(external, new { organizationId, contactHash }, tx.Inner, cancellationToken: ct));
        var changeId = Guid.NewGuid();
        var preference = new CrmPreference(changeId.ToString(), organizationId, externalId, contactHash, change, source, evidenceId, at);
        const string insert = """
            INSERT INTO preference_changes (change_id, organization_id, contact_hash, evidence_id, payload, created_at)
            VALUES (@changeId, @organizationId, @contactHash, @lookupKey, @payload, @now)
            """;
        await tx.Connection.ExecuteAsync(new CommandDefinition(insert, new
        {
            changeId = changeId.ToString(), organizationId, contactHash, lookupKey, payload = JsonSerializer.Serialize(preference, WebhookSignature.Json),
            now = time.GetUtcNow().ToUnixTimeMilliseconds(),
        }, tx.Inner, cancellationToken: ct));
        await DeliveryStore.EnqueueAsync(tx, organizationId, changeId, contactHash, time.GetUtcNow(), ct, DeliveryKinds.Preference);
    }

    public static async Task<CrmPreference?> FindAsync(System.Data.Common.DbConnection connection, string changeId, CancellationToken ct)
    {
        var payload = await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition("SELECT payload FROM preference_changes WHERE change_id = @changeId",
            new { changeId }, cancellationToken: ct));
        return payload is null ? null : JsonSerializer.Deserialize<CrmPreference>(payload, WebhookSignature.Json);
    }

    /// <summary>Remembers the organization's own id for the contact, given when a call was planned.</summary>
    public static async Task RememberExternalIdAsync(Transaction tx, ResponseLinkIssued link)
    {
        if (link.ExternalId is null) return;
        const string update = "UPDATE crm_contacts SET external_id = @ExternalId, updated_at = @at WHERE organization_id = @OrganizationId AND contact_hash = @ContactHash";
        // Two replicas issuing links for one contact at once may both find no row to update.
        var insert = tx.Database.Dialect.InsertIfAbsent(
            "crm_contacts",
            "organization_id, contact_hash, external_id, updated_at",
            "@OrganizationId, @ContactHash, @ExternalId, @at",
            key: "organization_id, contact_hash");
        var args = new { link.OrganizationId, link.ContactHash, link.ExternalId, at = link.IssuedAt.ToUnixTimeMilliseconds() };
        if (await tx.Connection.ExecuteAsync(update, args, tx.Inner) == 0) await tx.Connection.ExecuteAsync(insert, args, tx.Inner);
    }
}

public sealed class PreferenceChangeConsumerDefinition : ConsumerDefinition<PreferenceChangeConsumer>
{
    public PreferenceChangeConsumerDefinition()
    {
        EndpointName = "responses-preference-changes";
        // One at a time: changes for a contact are queued for the CRM in the order they arrive here.
        ConcurrentMessageLimit = 1;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<PreferenceChangeConsumer> consumer, IRegistrationContext context) =>
        endpoint.UseMessageRetry(r => r.Exponential(10, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(200)));
}
