using ConsentPlatform.ServiceDefaults;
using ConsentPlatform.ServiceDefaults.Data;
using ConsentPlatform.ServiceDefaults.Identity;
using ConsentPlatform.ServiceDefaults.Organizations;
using MassTransit;

namespace ConsentPlatform.Notices;

/// <summary>The Notices service as a module: run alone by its Program.cs, or with the others by the host.</summary>
public static class NoticesService
{
    public static readonly PlatformModule Module = new()
    {
        Name = "notices",
        Title = "Notices",
        Description = "Pre-call and post-call SMS notices naming the company, the caller and the topic, with a short opt-out link; never twice, never to someone who said no.",
        AddServices = builder => builder.Services.AddServiceDatabase<NoticesDatabase>(),
        AddConsumers = bus => bus.AddConsumer<OrganizationProfileChangedConsumer<NoticesDatabase>, OrganizationProfileChangedConsumerDefinition<NoticesDatabase>>(),
        MapEndpoints = app =>
        {
            var api = app.MapGroup("/api/notices").WithGroupName("notices").WithTags("Notices").RequireAuthorization(Scopes.Notices);
            api.MapOrganizationProfileReplica<NoticesDatabase>();
        },
    };
}
