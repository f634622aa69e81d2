using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ConsentPlatform.Benchmarks.Responses;

/// <summary>
/// The baseline of the short-link benchmark: Kestrel with one minimal-API endpoint and nothing
/// else (no middleware, no logging), on the same machine and runtime as the service.
/// </summary>
internal static class BareKestrel
{
    public static int Run()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapGet("/bench/bare", () => Results.Text("ok"));
        app.MapGet("/health/ready", () => Results.Text("ready"));
        app.Run();
        return 0;
    }
}
