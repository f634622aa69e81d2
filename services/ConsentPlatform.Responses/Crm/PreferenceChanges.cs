using System.Text.Json;
using ConsentPlatform.Contracts;
using ConsentPlatform.Responses.Links;
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
/// number or the address. An erasure carries the external id alone: no hash, nothing else of the person.
/// </summary>
public sealed record CrmPreference(
    string ChangeId, string OrganizationId, string? ExternalId, string? ContactHash, PreferenceChange Change, string? Source, string? EvidenceId, DateTimeOffset At);

public sealed record PreferenceEnvelope(string Event, string DeliveryId, CrmPreference Preference);

public static class PreferenceKinds
{
    public const string Stopped = "stopped";
    public const string Resumed = "resumed";
    public const string Consented = "consented";
    public const string Withdrawn = "withdrawn";
    /// <summary>A consent's "until" passed: no consent on that channel and purpose from then, though nobody said no.</summary>
    public const string Expired = "expired";
    public const string Erased = "erased";
}

/// <summary>
/// Issue 13: Consent's decisions, whichever channel the person used (a short-link answer, a STOP reply, a refused
/// call, a directory opt-out, a data-subject request, a form, START, a consent's expiry), become one preference change per message
/// and organization, queued for every enabled connector in the message's own transaction, so they go out in order
/// per contact through the same at-least-once delivery (retries, dead letters) as responses.
/// </summary>
public sealed class PreferenceChangeConsumer(ResponsesDatabase database, DeliveryStore deliveries, TimeProvider time) :
    IConsumer<ContactSuppressed>, IConsumer<ContactUnsuppressed>, IConsumer<ConsentRecorded>, IConsumer<ConsentWithdrawn>,
    IConsumer<ConsentExpired>
{
    /// <summary>Consent's ledger methods for withdrawals that a stop brings with it (its ContactSuppressed says the change).</summary>
    private static readonly HashSet<string> StopMethods = ["opt_out", "dsr_stop_use"];

    public Task Consume(ConsumeContext<ContactSuppressed> context)
    {
        var m = context.Message;
        // An erasure's stop is said by the erasure event (ErasureRequested, below), which carries nothing of the person;
        // recording it here would keep the hash after the erasure when this message comes second.
        if (m.Reason == "erased") return Task.CompletedTask;
        return RecordAsync(context, m.ContactHash, m.OrganizationId, m.SuppressionId.ToString(),
            new PreferenceChange(PreferenceKinds.Stopped, m.Channel, m.Purpose, Scope(m.OrganizationId), m.Until), m.Source ?? m.Reason, m.EvidenceId?.ToString(), m.SuppressedAt);
    }

    public async Task Consume(ConsumeContext<ContactUnsuppressed> context)
    {
        var m = context.Message;
        // The lift names only its suppression: the organizations, channel and purpose are those of the stop it lifts.
        await database.HandleOnceAsync(this, context, async tx =>
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
        deliveries.Signal.Wake();
    }

    public Task Consume(ConsumeContext<ConsentRecorded> context)
    {
        var m = context.Message;
        return RecordAsync(context, m.ContactHash, m.OrganizationId, null,
            new PreferenceChange(PreferenceKinds.Consented, m.Channel, m.Purpose, "organization", m.ExpiresAt), m.SourceEvent ?? "consent", m.ConsentId.ToString(), m.RecordedAt);
    }

    public Task Consume(ConsumeContext<ConsentWithdrawn> context)
    {
        var m = context.Message;
        // One change, one event: the stop that withdrew these consents is delivered as "stopped".
        if (m.Method is not null && StopMethods.Contains(m.Method)) return Task.CompletedTask;
        return RecordAsync(context, m.ContactHash, m.OrganizationId, null,
            new PreferenceChange(PreferenceKinds.Withdrawn, m.Channel, m.Purpose, "organization", null), "consent_withdrawn", m.ConsentId.ToString(), m.WithdrawnAt);
    }

    public Task Consume(ConsumeContext<ConsentExpired> context)
    {
        var m = context.Message;
        return RecordAsync(context, m.ContactHash, m.OrganizationId, null,
            new PreferenceChange(PreferenceKinds.Expired, m.Channel, m.Purpose, "organization", null), "consent_expired", m.ConsentId.ToString(), m.ExpiredAt);
    }

    private static string Scope(string? organizationId) => organizationId is null ? "all_organizations" : "organization";

    /// <param name="suppressionId">Kept (as the row's evidence key) so a later lift finds the organizations and scope it lifts.</param>
    private async Task RecordAsync<TMessage>(ConsumeContext<TMessage> context, string contactHash, string? organizationId, string? suppressionId,
        PreferenceChange change, string? source, string? evidenceId, DateTimeOffset at)
        where TMessage : class
    {
        await database.HandleOnceAsync(this, context, async tx =>
        {
            // A stop for every organization (a data-subject request) reaches each organization that knows the contact here.
            IEnumerable<string> organizations = organizationId is not null ? [organizationId] : await KnownToAsync(tx, contactHash, context.CancellationToken);
            foreach (var organization in organizations)
                await WriteAsync(tx, organization, contactHash, suppressionId is null ? null : "s:" + suppressionId, change, source, evidenceId, at, context.CancellationToken);
        });
        deliveries.Signal.Wake();
    }

    /// <summary>Organizations that reached the contact (links, consents) or hold it in their CRM; in ordinal order, so each gets its change in the same order everywhere.</summary>
    private static async Task<IEnumerable<string>> KnownToAsync(Transaction tx, string contactHash, CancellationToken ct)
    {
        const string sql = "SELECT organization_id FROM crm_contacts WHERE contact_hash = @contactHash";
        var inCrm = await tx.Connection.QueryAsync<string>(new CommandDefinition(sql, new { contactHash }, tx.Inner, cancellationToken: ct));
        return (await LinkStore.OrganizationsForContactAsync(tx, contactHash, ct)).Union(inCrm).Order(StringComparer.Ordinal).ToList();
    }

    private async Task WriteAsync(Transaction tx, string organizationId, string contactHash, string? lookupKey, PreferenceChange change, string? source,
        string? evidenceId, DateTimeOffset at, CancellationToken ct)
    {
        const string external = "SELECT external_id FROM crm_contacts WHERE organization_id = @organizationId AND contact_hash = @contactHash";
        var externalId = await tx.Connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(external, new { organizationId, contactHash }, tx.Inner, cancellationToken: ct));
        var changeId = Guid.NewGuid();
        await InsertAsync(tx, new CrmPreference(changeId.ToString(), organizationId, externalId, contactHash, change, source, evidenceId, at), contactHash, lookupKey,
            time.GetUtcNow(), ct);
    }

    /// <param name="key">The contact the change is ordered and found by: its hash, or for an erasure a key of its own.</param>
    private static async Task InsertAsync(Transaction tx, CrmPreference preference, string key, string? lookupKey, DateTimeOffset now, CancellationToken ct)
    {
        const string insert = """
            INSERT INTO preference_changes (change_id, organization_id, contact_hash, evidence_id, payload, created_at)
            VALUES (@ChangeId, @OrganizationId, @key, @lookupKey, @payload, @now)
            """;
        // A CRM pulls the feed by ascending seq (ADR 0025).
        await tx.LockFollowedInsertsAsync(ct);
        await tx.Connection.ExecuteAsync(new CommandDefinition(insert, new
        {
            preference.ChangeId, preference.OrganizationId, key, lookupKey, payload = JsonSerializer.Serialize(preference, WebhookSignature.Json),
            now = now.ToUnixTimeMilliseconds(),
        }, tx.Inner, cancellationToken: ct));
        await DeliveryStore.EnqueueAsync(tx, preference.OrganizationId, Guid.Parse(preference.ChangeId), key, now, ct, DeliveryKinds.Preference);
    }

    /// <summary>
    /// A verified erasure, in the erasure's transaction: every organization that knew the contact here gets one "erased"
    /// change carrying only its own external id; every earlier change, queued or sent, the external ids and the delivery
    /// rows of the contact go. Call before the links are erased (they say which organizations knew the contact).
    /// </summary>
    public static async Task EraseAsync(Transaction tx, string contactHash, Guid requestId, DateTimeOffset now, CancellationToken ct)
    {
        var known = (await KnownToAsync(tx, contactHash, ct)).ToList();
        const string externals = "SELECT organization_id AS OrganizationId, external_id AS ExternalId FROM crm_contacts WHERE contact_hash = @contactHash";
        var ids = (await tx.Connection.QueryAsync<(string OrganizationId, string ExternalId)>(new CommandDefinition(externals, new { contactHash }, tx.Inner, cancellationToken: ct)))
            .ToDictionary(r => r.OrganizationId, r => r.ExternalId);
        foreach (var table in new[] { "preference_changes", "crm_contacts", "crm_deliveries" })
            await tx.Connection.ExecuteAsync(new CommandDefinition($"DELETE FROM {table} WHERE contact_hash = @contactHash", new { contactHash }, tx.Inner, cancellationToken: ct));
        foreach (var organizationId in known)
        {
            var changeId = Guid.NewGuid().ToString();
            var erased = new CrmPreference(changeId, organizationId, ids.GetValueOrDefault(organizationId), null,
                new PreferenceChange(PreferenceKinds.Erased, null, null, "all_organizations", null), "dsr_erasure", requestId.ToString(), now);
            await InsertAsync(tx, erased, "erased:" + changeId, null, now, ct);
        }
    }

    /// <summary>The organization's changes after a cursor (the pull feed), oldest first, each with its sequence.</summary>
    public static async Task<IReadOnlyList<(long Sequence, CrmPreference Preference)>> ListAsync(ResponsesDatabase database, string organizationId, long after, int take,
        CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var sql = $"""
            SELECT id AS Sequence, payload AS Payload FROM preference_changes
            WHERE organization_id = @organizationId AND id > @after
            ORDER BY id {database.Dialect.FirstRows("@take")}
            """;
        var rows = await connection.QueryAsync<(long Sequence, string Payload)>(new CommandDefinition(sql, new { organizationId, after, take }, cancellationToken: ct));
        return [.. rows.Select(r => (r.Sequence, JsonSerializer.Deserialize<CrmPreference>(r.Payload, WebhookSignature.Json)!))];
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

/// <summary>The external id an organization gave for a contact, kept with the link Notices issued for the preference changes sent later.</summary>
public sealed class CrmExternalIds : ILinkIssuedFollowUp
{
    public Task ApplyAsync(Transaction tx, ResponseLinkIssued link) => PreferenceChangeConsumer.RememberExternalIdAsync(tx, link);
}

// One at a time: changes for a contact are queued for the CRM in the order they arrive here.
public sealed class PreferenceChangeConsumerDefinition() : PlatformConsumerDefinition<PreferenceChangeConsumer>(Queues.ResponsesPreferenceChanges, concurrentMessageLimit: 1);
