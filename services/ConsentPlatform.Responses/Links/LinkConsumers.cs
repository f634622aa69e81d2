using ConsentPlatform.Contracts;
using ConsentPlatform.ServiceDefaults.Messaging;
using MassTransit;

namespace ConsentPlatform.Responses.Links;

/// <summary>Keeps the replica of short links Notices issued.</summary>
public sealed class ResponseLinkIssuedConsumer(ResponsesDatabase database, LinkCache cache) : IConsumer<ResponseLinkIssued>
{
    public async Task Consume(ConsumeContext<ResponseLinkIssued> context)
    {
        await database.HandleOnceAsync(context, "responses.response-link", async tx =>
        {
            await LinkStore.ApplyAsync(tx, context.Message);
            await Crm.PreferenceChangeConsumer.RememberExternalIdAsync(tx, context.Message);
        });
        // A code looked up before its link arrived was cached as unknown.
        cache.Invalidate(context.Message.Code);
    }
}

public sealed class ResponseLinkIssuedConsumerDefinition : ConsumerDefinition<ResponseLinkIssuedConsumer>
{
    public ResponseLinkIssuedConsumerDefinition()
    {
        EndpointName = "responses-response-links";
        ConcurrentMessageLimit = 16;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<ResponseLinkIssuedConsumer> consumer, IRegistrationContext context) =>
        endpoint.UseMessageRetry(r => r.Exponential(10, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(200)));
}

/// <summary>Keeps where each contact came from, for the form's provenance line.</summary>
public sealed class ConsentRecordedConsumer(ResponsesDatabase database) : IConsumer<ConsentRecorded>
{
    public Task Consume(ConsumeContext<ConsentRecorded> context) =>
        database.HandleOnceAsync(context, "responses.consent-provenance", tx => LinkStore.ApplyAsync(tx, context.Message));
}

public sealed class ConsentRecordedConsumerDefinition : ConsumerDefinition<ConsentRecordedConsumer>
{
    public ConsentRecordedConsumerDefinition()
    {
        EndpointName = "responses-consent-provenance";
        ConcurrentMessageLimit = 16;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<ConsentRecordedConsumer> consumer, IRegistrationContext context) =>
        endpoint.UseMessageRetry(r => r.Exponential(10, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(200)));
}

/// <summary>Records notices as sent, for the organization's response reports.</summary>
public sealed class CallNoticeSentConsumer(ResponsesDatabase database) : IConsumer<CallNoticeSent>
{
    public Task Consume(ConsumeContext<CallNoticeSent> context) =>
        database.HandleOnceAsync(context, "responses.call-notice", tx => LinkStore.ApplyAsync(tx, context.Message));
}

public sealed class CallNoticeSentConsumerDefinition : ConsumerDefinition<CallNoticeSentConsumer>
{
    public CallNoticeSentConsumerDefinition()
    {
        EndpointName = "responses-call-notices";
        ConcurrentMessageLimit = 16;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<CallNoticeSentConsumer> consumer, IRegistrationContext context) =>
        endpoint.UseMessageRetry(r => r.Exponential(10, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(200)));
}
