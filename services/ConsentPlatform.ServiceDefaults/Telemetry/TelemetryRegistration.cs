using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace ConsentPlatform.ServiceDefaults.Telemetry;

/// <summary>
/// OpenTelemetry for every service: ASP.NET Core, HttpClient, runtime and MassTransit
/// instrumentation plus the product's own meters. What to collect is always configured; a trace
/// or meter provider is only started when something will receive it (an OTLP endpoint, or a test's
/// in-memory exporter), so the embedded default neither pays for telemetry nor connects anywhere.
/// </summary>
internal static class TelemetryRegistration
{
    /// <summary>MassTransit's ActivitySource and Meter (DiagnosticHeaders.DefaultListenerName).</summary>
    private const string MassTransitName = "MassTransit";

    public static void AddPlatformTelemetry(this WebApplicationBuilder builder, PlatformOptions options, IReadOnlyList<PlatformModule> modules)
    {
        var services = builder.Services;
        var serviceName = modules.Count == 1 ? modules[0].Name : "consentplatform";
        services.ConfigureOpenTelemetryTracerProvider(tracing => tracing
            .ConfigureResource(r => r.AddService(serviceName))
            .AddSource(PlatformTelemetry.Name, MassTransitName)
            .AddAspNetCoreInstrumentation(o =>
            {
                o.Filter = context => !context.Request.Path.StartsWithSegments("/health");
                // Paths carry short-link codes and query strings may carry numbers: a span keeps the route only.
                o.EnrichWithHttpResponse = (activity, response) =>
                {
                    var route = (response.HttpContext.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "(unmatched)";
                    activity.SetTag("url.path", route);
                    activity.SetTag("url.query", null);
                };
            })
            .AddHttpClientInstrumentation(o =>
                // Connector URLs can hold tokens: keep where a request went, not the whole address.
                o.EnrichWithHttpRequestMessage = (activity, request) => activity.SetTag("url.full", request.RequestUri is { } uri ? uri.GetLeftPart(UriPartial.Authority) : null)));
        services.ConfigureOpenTelemetryMeterProvider(metrics => metrics
            .ConfigureResource(r => r.AddService(serviceName))
            .AddMeter(PlatformTelemetry.Name, MassTransitName, "ConsentPlatform.Outbox")
            .AddAspNetCoreInstrumentation()
            .AddHttpClientInstrumentation()
            .AddRuntimeInstrumentation());

        if (options.OtlpEndpoint is not { } endpoint) return;
        services.AddOpenTelemetry()
            .WithTracing(t => t.AddOtlpExporter(o => o.Endpoint = new Uri(endpoint)))
            .WithMetrics(m => m.AddOtlpExporter(o => o.Endpoint = new Uri(endpoint)));
    }
}
