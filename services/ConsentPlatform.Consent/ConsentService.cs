using ConsentPlatform.ServiceDefaults;
using ConsentPlatform.ServiceDefaults.Data;
using ConsentPlatform.ServiceDefaults.Identity;
using ConsentPlatform.ServiceDefaults.Organizations;
using MassTransit;

namespace ConsentPlatform.Consent;

/// <summary>The Consent service as a module: run alone by its Program.cs, or with the others by the host.</summary>
public static class ConsentService
{
    public static readonly PlatformModule Module = new()
    {
        Name = "consent",
        Title = "Consent",
        Description = "Embeddable event-registration forms that capture per-channel consent with evidence; the suppression list; the may-I-contact gate and bulk list scrubbing.",
        AddServices = builder => builder.Services.AddServiceDatabase<ConsentDatabase>(),
        AddConsumers = bus => bus.AddConsumer<OrganizationProfileChangedConsumer<ConsentDatabase>, OrganizationProfileChangedConsumerDefinition<ConsentDatabase>>(),
        MapEndpoints = app =>
        {
            var api = app.MapGroup("/api/consent").WithGroupName("consent").WithTags("Consent").RequireAuthorization(Scopes.Consent);
            api.MapOrganizationProfileReplica<ConsentDatabase>();
        },
    };
}
