using ConsentPlatform.Contracts;
using ConsentPlatform.Responses.Confirmation;
using ConsentPlatform.Responses.Crm;
using ConsentPlatform.Responses.ResponseForm;
using ConsentPlatform.Responses.Links;
using ConsentPlatform.ServiceDefaults.Messaging;
using MassTransit;

namespace ConsentPlatform.Responses.Erasure;

/// <summary>
/// A verified erasure (Consent's ErasureRequested, one per contact): each feature erases what it holds
/// for the contact in one transaction, the files keep no copy, and Consent is told (ContactErased).
/// Each organization that knew the contact is sent one "erased" preference change (its own external id,
/// nothing else) in place of every change and response not yet delivered; what CRMs already received is
/// the organizations' to erase, and the event tells them to.
/// </summary>
public sealed class ErasureRequestedConsumer(ResponsesDatabase database, LinkCache links, TimeProvider time) : IConsumer<ErasureRequested>
{
    public async Task Consume(ConsumeContext<ErasureRequested> context)
    {
        var m = context.Message;
        IReadOnlyList<string> codes = [];
        await database.HandleOnceAsync(this, context, async tx =>
        {
            // First: the links still say which organizations knew the contact, and each hears of the erasure.
            await PreferenceChangeConsumer.EraseAsync(tx, m.ContactHash, m.RequestId, time.GetUtcNow(), context.CancellationToken);
            codes = await LinkStore.EraseAsync(tx, m.ContactHash);
            await VisitCounter.EraseAsync(tx, codes);
            await ResponseStore.EraseAsync(tx, m.ContactHash);
            await EmailConfirmations.EraseAsync(tx, m.ContactHash);
            Outbox.Write(tx, new ContactErased { RequestId = m.RequestId, Service = "responses", ErasedAt = time.GetUtcNow() });
        });
        await database.ForgetErasedAsync(context.CancellationToken);
        foreach (var code in codes) links.Invalidate(code);
    }
}

public sealed class ErasureRequestedConsumerDefinition() : PlatformConsumerDefinition<ErasureRequestedConsumer>(Queues.ResponsesErasure, concurrentMessageLimit: null);
