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
        AddServices = builder => builder.Services.AddServiceDatabase<ResponsesDatabase>(),
        AddConsumers = bus => bus.AddConsumer<OrganizationProfileChangedConsumer<ResponsesDatabase>, OrganizationProfileChangedConsumerDefinition<ResponsesDatabase>>(),
        MapEndpoints = app =>
        {
            var api = app.MapGroup("/api/responses").WithGroupName("responses").WithTags("Responses").RequireAuthorization(Scopes.Responses);
            api.MapOrganizationProfileReplica<ResponsesDatabase>();
        },
    };
}
