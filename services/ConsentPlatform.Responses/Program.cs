using ConsentPlatform.Responses;
using ConsentPlatform.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults(ResponsesService.Module);

var app = builder.Build();
app.MapServiceDefaults();
return await app.RunPlatformAsync();
