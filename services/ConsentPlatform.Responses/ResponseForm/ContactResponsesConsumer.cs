using ConsentPlatform.Contracts;
using ConsentPlatform.ServiceDefaults.Messaging;
using Dapper;
using MassTransit;

namespace ConsentPlatform.Responses.ResponseForm;

/// <summary>
/// Answers the contact record's question (Consent asks over the bus): the responses one contact gave one
/// organization, found by the contact's keyed hashes; the choices and reason codes, not their free text.
/// </summary>
public sealed class ContactResponsesConsumer(ResponsesDatabase database) : IConsumer<ContactResponsesRequested>
{
    public async Task Consume(ConsumeContext<ContactResponsesRequested> context)
    {
        var m = context.Message;
        await using var connection = await database.OpenAsync(context.CancellationToken);
        var rows = await connection.QueryAsync<(string ResponseId, string Topic, string PreferredContact, string? Reason, long RespondedAt)>(new CommandDefinition($"""
            SELECT response_id, topic, preferred_contact, reason, responded_at FROM responses
            WHERE organization_id = @organizationId AND contact_hash {database.Dialect.InList("@hashes")} ORDER BY responded_at, id
            """, new { organizationId = m.OrganizationId, hashes = m.ContactHashes.ToArray() }, cancellationToken: context.CancellationToken));
        await context.RespondAsync(new ContactResponses(rows.Select(r =>
            new HeldResponse(r.ResponseId, r.Topic, r.PreferredContact, r.Reason, DateTimeOffset.FromUnixTimeMilliseconds(r.RespondedAt))).ToList()));
    }
}

public sealed class ContactResponsesConsumerDefinition() : PlatformConsumerDefinition<ContactResponsesConsumer>(Queues.ResponsesContactRecord);
