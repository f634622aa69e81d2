using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using ConsentPlatform.Consent;
using ConsentPlatform.Contracts;
using ConsentPlatform.Notices;
using ConsentPlatform.ServiceDefaults.Telemetry;
using ConsentPlatform.Telephony;
using ConsentPlatform.Testing;
using MassTransit;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Xunit.Abstractions;

namespace ConsentPlatform.Host.Tests;

/// <summary>
/// Activity sources and meters are process-wide, so an exporter in one host also sees every span and
/// measurement of the hosts other test classes run at the same moment (CI at 1a6a565 counted a second
/// "POST /r/{code}"). These tests therefore run alone, after the parallel ones.
/// </summary>
[CollectionDefinition(nameof(TelemetryTests), DisableParallelization = true)]
public sealed class TelemetryCollection;

/// <summary>
/// OpenTelemetry: a person's stop is one trace from the short-link POST through the bus into each
/// consuming service, and each service records how long the opt-out took to reach it.
/// </summary>
[Collection(nameof(TelemetryTests))]
public sealed partial class TelemetryTests(ITestOutputHelper output)
{
    /// <summary>The host with what a team's collector would add: exporters, here in memory.</summary>
    private sealed class TracedHost : HostFactory
    {
        public Locked<Activity> Spans { get; } = [];
        public Locked<MetricSnapshot> Metrics { get; } = [];

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureServices(s => s.AddOpenTelemetry()
                .WithTracing(t => t.AddInMemoryExporter(Spans))
                .WithMetrics(m => m.AddInMemoryExporter(Metrics)));
        }
    }

    [Fact]
    public async Task A_stop_on_the_short_link_is_one_trace_through_the_bus_into_consent_and_notices_and_each_records_its_propagation_once()
    {
        using var host = new TracedHost();
        var (organization, _) = await host.CreateOrganizationAsync("Traced K.K.");
        var number = PhoneNumbers.Parse("090-7000-0001").Number;
        var code = $"trace{Guid.NewGuid():N}"[..20];
        var bus = host.Services.GetRequiredService<IBus>();
        await bus.Publish(new ResponseLinkIssued
        {
            Code = code, NoticeId = Guid.NewGuid(), OrganizationId = organization, MaskedNumber = number.FormatMasked(),
            ContactHash = host.Services.GetRequiredService<PhoneNumberHasher>().Hash(number), Topic = "New plan", CallerName = "Yamada", IssuedAt = DateTimeOffset.UtcNow,
        });

        using var person = host.CreateClient();
        person.DefaultRequestHeaders.UserAgent.ParseAdd("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1");
        string page = "";
        await Eventually.AssertAsync(async () =>
        {
            var r = await person.GetAsync($"/r/{code}?lang=en");
            page = await r.Content.ReadAsStringAsync();
            return r.StatusCode == HttpStatusCode.OK && page.Contains("preferredContact");
        },
            TimeSpan.FromSeconds(15), "Responses has the link");
        var stop = await person.PostAsync($"/r/{code}", new FormUrlEncodedContent(
        [
            new("__formToken", WebUtility.HtmlDecode(FormToken().Match(page).Groups[1].Value)), new("preferredContact", "no_further_contact"), new("lang", "en"),
        ]));
        Assert.True(stop.StatusCode == HttpStatusCode.OK, await stop.Content.ReadAsStringAsync());

        var meters = host.Services.GetRequiredService<MeterProvider>();
        long Recorded(string service)
        {
            meters.ForceFlush();
            return host.Metrics.Snapshot().LastOrDefault(m => m.Name == "consentplatform.opt_out.propagation")?.MetricPoints
                .Where(p => TagValue(p.Tags, "service") == service).Sum(p => p.GetHistogramCount()) ?? 0;
        }
        await Eventually.AssertAsync(() => Task.FromResult(Recorded("consent") > 0 && Recorded("notices") > 0), TimeSpan.FromSeconds(15),
            "Consent and Notices apply the opt-out");

        host.Services.GetRequiredService<TracerProvider>().ForceFlush();
        var spans = host.Spans.Snapshot();
        var post = Assert.Single(spans, s => s.Kind == ActivityKind.Server && s.DisplayName == "POST /r/{code}");
        var trace = spans.Where(s => s.TraceId == post.TraceId).ToList();
        output.WriteLine(string.Join('\n', trace.Select(s => $"{s.Kind,-8} {s.Source.Name,-16} {s.DisplayName}  [{string.Join(", ", s.Tags.Where(t => t.Key.StartsWith("messaging.")).Select(t => $"{t.Key}={t.Value}"))}]")));

        Assert.Contains(trace, s => s.Source.Name == PlatformTelemetry.Name && s.DisplayName == $"outbox publish {nameof(OptOutRequested)}");
        Assert.Contains(trace, s => s.Source.Name == "MassTransit" && s.Kind == ActivityKind.Producer);
        Assert.Contains(trace, s => s.Kind == ActivityKind.Consumer && s.DisplayName.Contains("consent-opt-outs"));
        Assert.Contains(trace, s => s.Kind == ActivityKind.Consumer && s.DisplayName.Contains("notices-replica"));
        // The route, never the code: a short-link code opens the person's page.
        Assert.DoesNotContain(spans.SelectMany(s => s.Tags), t => t.Value?.Contains(code) == true);

        // A redelivery or a second look changes nothing: one value per service for one opt-out.
        await Task.Delay(500);
        Assert.Equal(1, Recorded("consent"));
        Assert.Equal(1, Recorded("notices"));

        // Each service keeps the value its meter recorded, in its own database, for the console's p50/p99.
        double RecordedMilliseconds(string service) => host.Metrics.Snapshot().Last(m => m.Name == "consentplatform.opt_out.propagation").MetricPoints
            .Where(p => TagValue(p.Tags, "service") == service).Sum(p => p.GetHistogramSum()) * 1000;
        await host.Services.GetRequiredService<PropagationHistory<ConsentDatabase>>().FlushAsync();
        await host.Services.GetRequiredService<PropagationHistory<NoticesDatabase>>().FlushAsync();
        var (from, to) = (DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(1));
        var consent = await PropagationHistory<ConsentDatabase>.FiguresAsync(host.Services.GetRequiredService<ConsentDatabase>(), organization, from, to, default);
        var notices = await PropagationHistory<NoticesDatabase>.FiguresAsync(host.Services.GetRequiredService<NoticesDatabase>(), organization, from, to, default);
        Assert.Equal((1L, 1L), (consent.Count, notices.Count));
        Assert.Equal(RecordedMilliseconds("consent"), consent.P50Milliseconds!.Value, 0.001);
        Assert.Equal(RecordedMilliseconds("notices"), notices.P50Milliseconds!.Value, 0.001);
    }

    private sealed class CollectedHost : HostFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Telemetry:OtlpEndpoint", "http://127.0.0.1:4317");
        }
    }

    [Fact]
    public void An_OTLP_endpoint_in_the_configuration_starts_the_trace_and_metric_providers()
    {
        using var host = new CollectedHost();
        Assert.NotNull(host.Services.GetService<TracerProvider>());
        Assert.NotNull(host.Services.GetService<MeterProvider>());
    }

    /// <summary>Exporters add from whichever thread ends a span or collects a metric.</summary>
    private sealed class Locked<T> : System.Collections.ObjectModel.Collection<T>
    {
        protected override void InsertItem(int index, T item)
        {
            lock (this) base.InsertItem(index, item);
        }

        public T[] Snapshot()
        {
            lock (this) return [.. this];
        }
    }

    private static string? TagValue(ReadOnlyTagCollection tags, string key)
    {
        foreach (var tag in tags)
            if (tag.Key == key) return tag.Value?.ToString();
        return null;
    }

    [GeneratedRegex("name=\"__formToken\" value=\"([^\"]+)\"")]
    private static partial Regex FormToken();
}
