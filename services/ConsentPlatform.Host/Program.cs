using ConsentPlatform.Consent;
using ConsentPlatform.Directory;
using ConsentPlatform.Host;
using ConsentPlatform.Notices;
using ConsentPlatform.Responses;
using ConsentPlatform.ServiceDefaults;
using ConsentPlatform.ServiceDefaults.Identity;

var builder = WebApplication.CreateBuilder(args);
builder.UseEmbeddedDefaults();
if (IdentityCommands.IsCommand(args))
    return await IdentityCommands.RunAsync(args, builder.Configuration, Console.Out, Console.Error);

builder.AddServiceDefaults(ConsentService.Module, NoticesService.Module, ResponsesService.Module, DirectoryService.Module);

var app = builder.Build();
app.MapServiceDefaults();
return await app.RunPlatformAsync();
