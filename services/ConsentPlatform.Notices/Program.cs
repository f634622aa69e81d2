using ConsentPlatform.Notices;
using ConsentPlatform.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults(NoticesService.Module);

var app = builder.Build();
app.MapServiceDefaults();
return await app.RunPlatformAsync();
