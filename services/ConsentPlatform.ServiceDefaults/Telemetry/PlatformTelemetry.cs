using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace ConsentPlatform.ServiceDefaults.Telemetry;

/// <summary>
/// The product's own traces and meters. Instruments cost next to nothing while nobody listens, so
/// they are always recorded; whether anything collects them is <see cref="TelemetryRegistration"/>'s choice.
/// </summary>
public static class PlatformTelemetry
{
    public const string Name = "ConsentPlatform";

    public static readonly ActivitySource Source = new(Name);
    public static readonly Meter Meter = new(Name);

    /// <summary>
    /// From the moment a person's opt-out was made (the time it carries) to the moment a service
    /// applied it; tagged with the service, so each service's p50/p99 can be read apart.
    /// </summary>
    public static readonly Histogram<double> OptOutPropagation = Meter.CreateHistogram<double>(
        "consentplatform.opt_out.propagation", unit: "s", description: "Time from an opt-out to its application by a service",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] });

    /// <summary>
    /// Records that <paramref name="service"/> applied, at <paramref name="appliedAt"/>, an opt-out made at
    /// <paramref name="requestedAt"/>; returns the seconds recorded (<see cref="PropagationHistory{TDatabase}"/> keeps the same value).
    /// </summary>
    public static double OptOutApplied(string service, DateTimeOffset requestedAt, DateTimeOffset appliedAt, string source)
    {
        var seconds = Math.Max(0, (appliedAt - requestedAt).TotalSeconds);
        OptOutPropagation.Record(seconds, new KeyValuePair<string, object?>("service", service), new KeyValuePair<string, object?>("source", source));
        return seconds;
    }
}
