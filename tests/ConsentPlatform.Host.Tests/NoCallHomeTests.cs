using MassTransit.UsageTracking;
using Microsoft.Extensions.DependencyInjection;

namespace ConsentPlatform.Host.Tests;

/// <summary>The product never reports anything to a third party: MassTransit's usage telemetry is off.</summary>
public sealed class NoCallHomeTests(HostFactory host) : IClassFixture<HostFactory>
{
    [Fact]
    public async Task The_running_bus_never_reports_usage_to_MassTransits_vendor()
    {
        using var client = host.CreateClient();
        Assert.Equal(System.Net.HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);

        // UsageTracker posts its report only when Enabled, which it settles in its constructor
        // (options, then the MASSTRANSIT_USAGE_TELEMETRY variable).
        var tracker = Assert.IsType<UsageTracker>(host.Services.GetRequiredService<IUsageTracker>());
        Assert.False(tracker.Enabled);
    }

    [Fact]
    public void Without_an_OTLP_endpoint_no_trace_or_metric_provider_runs_so_no_exporter_can_connect()
    {
        Assert.Null(host.Services.GetService<OpenTelemetry.Trace.TracerProvider>());
        Assert.Null(host.Services.GetService<OpenTelemetry.Metrics.MeterProvider>());
    }
}
