using ConsentPlatform.Contracts;
using ConsentPlatform.ServiceDefaults.Data;
using ConsentPlatform.ServiceDefaults.Messaging;
using MassTransit;

namespace ConsentPlatform.Responses.Links;

/// <summary>
/// Another folder's part of a newly issued link, in the transaction that stores it: Crm keeps the contact's
/// external id. Links owns the interface and Crm implements it, because Crm uses the links (issue 17, ADR 0037).
/// </summary>
public interface ILinkIssuedFollowUp
{
    Task ApplyAsync(Transaction tx, ResponseLinkIssued link);
}

/// <summary>Keeps the replica of short links Notices issued.</summary>
public sealed class ResponseLinkIssuedConsumer(ResponsesDatabase database, LinkCache cache, ILinkIssuedFollowUp followUp) : IConsumer<ResponseLinkIssued>
{
    public async Task Consume(ConsumeContext<ResponseLinkIssued> context)
    {
        await database.HandleOnceAsync(this, context, async tx =>
        {
            await LinkStore.ApplyAsync(tx, context.Message);
            await followUp.ApplyAsync(tx, context.Message);
        });
        // A code looked up before its link arrived was cached as unknown.
        cache.Invalidate(context.Message.Code);
    }
}

public sealed class ResponseLinkIssuedConsumerDefinition() : PlatformConsumerDefinition<ResponseLinkIssuedConsumer>(Queues.ResponsesResponseLinks, concurrentMessageLimit: 16);

/// <summary>Keeps where each contact came from, for the form's provenance line.</summary>
public sealed class ConsentRecordedConsumer(ResponsesDatabase database) : IConsumer<ConsentRecorded>
{
    public Task Consume(ConsumeContext<ConsentRecorded> context) =>
        database.HandleOnceAsync(this, context, tx => LinkStore.ApplyAsync(tx, context.Message));
}

public sealed class ConsentRecordedConsumerDefinition() : PlatformConsumerDefinition<ConsentRecordedConsumer>(Queues.ResponsesConsentProvenance, concurrentMessageLimit: 16);

/// <summary>Records notices as sent, for the organization's response reports.</summary>
public sealed class CallNoticeSentConsumer(ResponsesDatabase database) : IConsumer<CallNoticeSent>
{
    public Task Consume(ConsumeContext<CallNoticeSent> context) =>
        database.HandleOnceAsync(this, context, tx => LinkStore.ApplyAsync(tx, context.Message));
}

public sealed class CallNoticeSentConsumerDefinition() : PlatformConsumerDefinition<CallNoticeSentConsumer>(Queues.ResponsesCallNotices, concurrentMessageLimit: 16);
