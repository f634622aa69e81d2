// Features: Erasure → Confirmation → ResponseForm → Links; Erasure → Crm → ResponseForm; Organization → Crm
// (an arrow: the folder on its left may use the one on its right, and what that one may use; ADR 0037,
// held by Architecture/FeatureDependencyTests)
using ConsentPlatform.Responses.Confirmation;
using ConsentPlatform.Responses.Crm;
using ConsentPlatform.Responses.Erasure;
using ConsentPlatform.Responses.ResponseForm;
using ConsentPlatform.Responses.Links;
using ConsentPlatform.Responses.Organization;
using ConsentPlatform.ServiceDefaults;
using ConsentPlatform.ServiceDefaults.Data;
using ConsentPlatform.ServiceDefaults.Identity;
using ConsentPlatform.ServiceDefaults.Organizations;
using MassTransit;

namespace ConsentPlatform.Responses;

/// <summary>The Responses service as a module: run alone by its Program.cs, or with the others by the host.</summary>
public static class ResponsesService
{
    public static readonly PlatformModule Module = new()
    {
        Name = "responses",
        Title = "Responses",
        Description = "The short link and response form where recipients say how (or whether) they want to be contacted; answers feed the CRM.",
        JapaneseTitle = "回答",
        JapaneseDescription = "受け取った人が、連絡を望むか・どう望むかを答える短縮リンクと回答フォーム。回答はCRMに届きます。",
        AddServices = AddServices,
        AddConsumers = bus =>
        {
            bus.AddConsumer<OrganizationProfileChangedConsumer<ResponsesDatabase>, OrganizationProfileChangedConsumerDefinition<ResponsesDatabase>>();
            bus.AddConsumer<ResponseLinkIssuedConsumer, ResponseLinkIssuedConsumerDefinition>();
            bus.AddConsumer<ConsentRecordedConsumer, ConsentRecordedConsumerDefinition>();
            bus.AddConsumer<CallNoticeSentConsumer, CallNoticeSentConsumerDefinition>();
            bus.AddConsumer<ErasureRequestedConsumer, ErasureRequestedConsumerDefinition>();
            bus.AddConsumer<ContactResponsesConsumer, ContactResponsesConsumerDefinition>();
            bus.AddConsumer<PreferenceChangeConsumer, PreferenceChangeConsumerDefinition>();
            bus.AddConsumer<CrmFiguresConsumer, CrmFiguresConsumerDefinition>();
        },
        MapEndpoints = app =>
        {
            var api = app.MapGroup("/api/responses").WithGroupName("responses").WithTags("Responses").RequireAuthorization(Scopes.Responses);
            api.MapOrganizationProfileReplica<ResponsesDatabase>();
            api.MapCrmApi();
            app.MapResponseForm();
            app.MapEmailConfirmation();
            app.MapOrganizationPages();
        },
        Pages =
        [
            new PageLink("Responses", "回答一覧", "/responses/list"),
            new PageLink("CRM connectors", "CRM連携", "/responses/connectors"),
            new PageLink("CRM delivery log", "CRM送信記録", "/responses/deliveries"),
        ],
    };

    private static void AddServices(IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        var options = ResponsesOptions.Read(builder.Configuration);
        services.AddCheckedSettings(options);
        services.AddServiceDatabase<ResponsesDatabase>();
        services.AddSingleton<LinkStore>();
        services.AddSingleton<LinkCache>();
        // A rename reaches the pages this instance has cached at once; other instances (the profile queue is
        // shared, one of them hears it) when their entries expire, Responses:LinkCacheSeconds at most.
        services.AddSingleton(sp => new OrganizationProfileApplied<ResponsesDatabase>(sp.GetRequiredService<LinkCache>().InvalidateOrganization));
        services.AddSingleton<FormPageCache>();
        services.AddSingleton<VisitCounter>();
        services.AddHostedService(sp => sp.GetRequiredService<VisitCounter>());
        services.AddSingleton<EmailConfirmations>();
        services.AddSingleton<IEmailConfirmationStart>(sp => sp.GetRequiredService<EmailConfirmations>());
        services.AddSingleton<ResponseRecorder>();
        services.AddSingleton<ResponseStore>();
        services.AddSingleton<GenericOptOut>();
        services.AddSingleton<ConnectorStore>();
        services.AddSingleton<DeliveryStore>();
        services.AddSingleton<IResponseDeliveries>(sp => sp.GetRequiredService<DeliveryStore>());
        services.AddSingleton<ILinkIssuedFollowUp, CrmExternalIds>();
        services.AddSingleton<WebhookSender>();
        services.AddSingleton<SalesforceSender>();
        services.AddSingleton<OutboundUrlPolicy>();
        // Every connection a delivery opens goes through the policy (ADR 0016); no proxy, so the
        // address checked is the address reached, and no redirects to somewhere else.
        services.AddHttpClient(WebhookSender.HttpClientName, client => client.Timeout = options.CrmTimeout + TimeSpan.FromSeconds(5))
            .ConfigurePrimaryHttpMessageHandler(sp => new SocketsHttpHandler
            {
                ConnectCallback = sp.GetRequiredService<OutboundUrlPolicy>().ConnectAsync,
                UseProxy = false,
                AllowAutoRedirect = false,
            });
        services.AddSingleton<DeliveryWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<DeliveryWorker>());
    }
}
