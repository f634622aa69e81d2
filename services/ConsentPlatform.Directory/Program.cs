using ConsentPlatform.Directory;
using ConsentPlatform.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults(DirectoryService.Module);

var app = builder.Build();
app.MapServiceDefaults();
return await app.RunPlatformAsync();
