using ConsentPlatform.Contracts;
using ConsentPlatform.Responses.Form;
using ConsentPlatform.Responses.Links;
using ConsentPlatform.ServiceDefaults.Messaging;
using MassTransit;

namespace ConsentPlatform.Responses.Erasure;

/// <summary>
/// A verified erasure (Consent's ErasureRequested, one per contact): each feature erases what it holds
/// for the contact in one transaction, the files keep no copy, and Consent is told (ContactErased).
/// CRM deliveries not yet made then fail as "the response no longer exists"; what CRMs already
/// received is the organizations' to erase.
/// </summary>
public sealed class ErasureRequestedConsumer(ResponsesDatabase database, LinkCache links, TimeProvider time) : IConsumer<ErasureRequested>
{
    public async Task Consume(ConsumeContext<ErasureRequested> context)
    {
        var m = context.Message;
        IReadOnlyList<string> codes = [];
        await database.HandleOnceAsync(context, "responses.erasure-requested", async tx =>
        {
            codes = await LinkStore.EraseAsync(tx, m.ContactHash);
            await VisitCounter.EraseAsync(tx, codes);
            await ResponseStore.EraseAsync(tx, m.ContactHash);
            await Outbox.WriteAsync(tx, new ContactErased { RequestId = m.RequestId, Service = "responses", ErasedAt = time.GetUtcNow() }, context.CancellationToken);
        });
        await database.ForgetErasedAsync(context.CancellationToken);
        foreach (var code in codes) links.Invalidate(code);
    }
}

public sealed class ErasureRequestedConsumerDefinition : ConsumerDefinition<ErasureRequestedConsumer>
{
    public ErasureRequestedConsumerDefinition() => EndpointName = "responses-erasure";

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<ErasureRequestedConsumer> consumer, IRegistrationContext context) =>
        endpoint.UseMessageRetry(r => r.Exponential(10, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(200)));
}
