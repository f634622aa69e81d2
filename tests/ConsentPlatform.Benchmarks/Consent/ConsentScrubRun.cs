using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace ConsentPlatform.Benchmarks.Consent;

/// <summary>
/// Acceptance 4 (Consent issue) as one command, in a process of its own so the memory figures are
/// the scrub's and not a harness's:
/// <c>dotnet run -c Release --project tests/ConsentPlatform.Benchmarks -- consent-scrub [--rows 1000000] [--suppressions 10000000]</c>.
/// Builds the gate index with the suppression entries (as the service does at start-up), writes
/// the call list to a temporary file (half of it suppressed, typed as people type numbers), scrubs
/// it to another file, and prints the scrub's elapsed time, the process's peak working set and
/// the GC heap (peak sampled every 10 ms, and after a full collection). Target: ≤ 10 s, ≤ 2 GiB.
/// </summary>
public static class ConsentScrubRun
{
    private const double GiB = 1024.0 * 1024 * 1024;

    public static int Run(string[] args)
    {
        var rows = Option(args, "--rows", 1_000_000);
        var suppressions = Option(args, "--suppressions", 10_000_000);
        using var sampler = new HeapSampler();

        var clock = Stopwatch.StartNew();
        var workload = ConsentWorkload.Create(consents: 0, suppressions: suppressions, probes: 1);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"index: {workload.ContactCount:N0} suppressed contacts built in {clock.Elapsed.TotalSeconds:0.0} s; compact table {workload.IndexTableBytes / GiB:0.00} GiB"));

        var input = Path.Combine(Path.GetTempPath(), $"cp-scrub-in-{Environment.ProcessId}.csv");
        var output = Path.ChangeExtension(input, ".out.csv");
        try
        {
            WriteCallList(input, rows, suppressions);
            clock.Restart();
            long checkedRows;
            using (var csv = File.OpenRead(input))
            using (var result = new StreamWriter(output, false, new UTF8Encoding(false), 1 << 16))
                checkedRows = workload.Scrub(csv, result);
            var elapsed = clock.Elapsed;
            // No consents are generated, so every row is denied; the suppressed half says opted_out.
            var optedOut = File.ReadLines(output).Skip(1).Count(line => line.Contains("opted_out", StringComparison.Ordinal));

            using var process = Process.GetCurrentProcess();
            process.Refresh();
            var heapAfterFullGc = GC.GetTotalMemory(forceFullCollection: true);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"scrub: {checkedRows:N0} rows against {suppressions:N0} suppression entries in {elapsed.TotalSeconds:0.00} s ({checkedRows / elapsed.TotalSeconds:N0} rows/s); {optedOut:N0} opted_out"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"memory: peak working set {process.PeakWorkingSet64 / GiB:0.00} GiB; GC heap peak (sampled) {sampler.Peak / GiB:0.00} GiB, after full GC {heapAfterFullGc / GiB:0.00} GiB; gen2 GCs {GC.CollectionCount(2)}"));
            Console.WriteLine("target: ≤ 10 s and ≤ 2 GiB peak");
            return 0;
        }
        finally
        {
            File.Delete(input);
            File.Delete(output);
        }
    }

    private static void WriteCallList(string path, int rows, int suppressions)
    {
        var random = new Random(7);
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16);
        writer.WriteLine("name,phone");
        for (var i = 0; i < rows; i++)
        {
            var n = random.Next(Math.Max(1, suppressions));
            var e164 = i % 2 == 0 ? ConsentWorkload.Number(1, n) : ConsentWorkload.Number(0, n);
            writer.WriteLine($"Customer {i},0{e164[3..5]}-{e164[5..9]}-{e164[9..]}");
        }
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out var value) ? value : fallback;
    }

    /// <summary>The largest GC heap seen while the run lasts.</summary>
    private sealed class HeapSampler : IDisposable
    {
        private readonly Timer _timer;
        private long _peak;

        public HeapSampler() => _timer = new Timer(_ => Sample(), null, 0, 10);

        public long Peak
        {
            get
            {
                Sample();
                return Interlocked.Read(ref _peak);
            }
        }

        private void Sample()
        {
            var heap = GC.GetGCMemoryInfo().HeapSizeBytes;
            var total = GC.GetTotalMemory(false);
            var now = Math.Max(heap, total);
            long seen;
            while (now > (seen = Interlocked.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, now, seen) != seen) { }
        }

        public void Dispose() => _timer.Dispose();
    }
}
