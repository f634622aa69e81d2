using ConsentPlatform.Contracts;
using ConsentPlatform.ServiceDefaults.Messaging;
using Dapper;
using MassTransit;

namespace ConsentPlatform.Notices.Calls;

/// <summary>
/// Answers the contact record's question (Consent asks over the bus): the notices made for one organization to
/// one contact, found by the contact's keyed hashes. Nothing is written.
/// </summary>
public sealed class ContactNoticesConsumer(NoticesDatabase database) : IConsumer<ContactNoticesRequested>
{
    public async Task Consume(ConsumeContext<ContactNoticesRequested> context)
    {
        var m = context.Message;
        await using var connection = await database.OpenAsync(context.CancellationToken);
        var rows = await connection.QueryAsync<(string Id, string Kind, string Status, string? Reason, long CreatedAt)>(new CommandDefinition($"""
            SELECT id, kind, status, reason, created_at FROM notices
            WHERE organization_id = @organizationId AND contact_hash {database.Dialect.InList("@hashes")} ORDER BY created_at, id
            """, new { organizationId = m.OrganizationId, hashes = m.ContactHashes.ToArray() }, cancellationToken: context.CancellationToken));
        await context.RespondAsync(new ContactNotices(rows.Select(r => new HeldNotice(r.Id, r.Kind, r.Status, r.Reason, DateTimeOffset.FromUnixTimeMilliseconds(r.CreatedAt))).ToList()));
    }
}

public sealed class ContactNoticesConsumerDefinition() : PlatformConsumerDefinition<ContactNoticesConsumer>(Queues.NoticesContactRecord);
