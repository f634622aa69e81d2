using ConsentPlatform.Consent;
using ConsentPlatform.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults(ConsentService.Module);

var app = builder.Build();
app.MapServiceDefaults();
return await app.RunPlatformAsync();
