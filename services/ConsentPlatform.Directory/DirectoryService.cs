using ConsentPlatform.Directory.Organizations;
using ConsentPlatform.ServiceDefaults;
using ConsentPlatform.ServiceDefaults.Data;
using ConsentPlatform.ServiceDefaults.Identity;

namespace ConsentPlatform.Directory;

/// <summary>The Directory service as a module: run alone by its Program.cs, or with the others by the host.</summary>
public static class DirectoryService
{
    public static readonly PlatformModule Module = new()
    {
        Name = "directory",
        Title = "Directory",
        Description = "The company's published caller numbers and public profile: look a number up, recognise or block it, opt out from there.",
        AddServices = builder =>
        {
            builder.Services.AddServiceDatabase<DirectoryDatabase>();
            builder.Services.AddSingleton<ProfilePublisher>();
        },
        MapEndpoints = app =>
        {
            var api = app.MapGroup("/api/directory").WithGroupName("directory").WithTags("Directory").RequireAuthorization(Scopes.Directory);
            api.MapProfileApi();
            app.MapProfilePages();
        },
        Pages = [new PageLink("Organization profile", "/directory/organization")],
    };
}
