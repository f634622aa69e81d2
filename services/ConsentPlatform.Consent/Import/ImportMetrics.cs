using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace ConsentPlatform.Consent.Import;

/// <summary>
/// How long an import holds the database's single writer: every opt-out, suppression and form
/// submission of the service waits that long. Observed by the consent-import benchmark and by any
/// metrics exporter listening to <see cref="MeterName"/>.
/// </summary>
public static class ImportMetrics
{
    public const string MeterName = "ConsentPlatform.Consent.Import";
    public const string WriteTransactionName = "consent.import.write_transaction";

    private static readonly Meter Meter = new(MeterName);

    private static readonly Histogram<double> WriteTransaction = Meter.CreateHistogram<double>(WriteTransactionName, "ms",
        "Time one import write transaction held the database's writer, from begin to commit or rollback.");

    public static void RecordWriteTransaction(long startedTimestamp) =>
        WriteTransaction.Record(Stopwatch.GetElapsedTime(startedTimestamp).TotalMilliseconds);
}
