using System.Diagnostics;
using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace ConsentPlatform.Benchmarks.Consent;

/// <summary>
/// Acceptance 4 (Consent issue): the permission check in process, ≥ 1M checks/s against 1M
/// suppression entries and 1M consents. <c>Check</c> is the whole decision for a number in E.164
/// (keyed hash, index lookup, every rule incl. quiet hours); <c>CheckHashed</c> leaves out the hash.
/// OperationsPerInvoke = 1,024 probes per invocation, a third each consented, suppressed, unknown.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ConsentShortRunConfig))]
public class ConsentGateBenchmarks
{
    private const int Probes = 1_024;
    private ConsentWorkload _workload = null!;

    [GlobalSetup]
    public void Setup()
    {
        var clock = Stopwatch.StartNew();
        _workload = ConsentWorkload.Create(consents: 1_000_000, suppressions: 1_000_000, probes: Probes);
        Console.WriteLine($"// index: {_workload.ContactCount:N0} contacts built in {clock.Elapsed.TotalSeconds:0.0} s");
    }

    [Benchmark(OperationsPerInvoke = Probes)]
    public int Check()
    {
        var sum = 0;
        for (var i = 0; i < Probes; i++) sum += _workload.Check(i);
        return sum;
    }

    /// <summary>The whole check on every core at once (what one process can answer per second).</summary>
    [Benchmark(OperationsPerInvoke = Probes * 16)]
    public int CheckAllCores()
    {
        var sum = 0;
        Parallel.For(0, 16, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, () => 0, (_, _, local) =>
        {
            for (var i = 0; i < Probes; i++) local += _workload.Check(i);
            return local;
        }, local => Interlocked.Add(ref sum, local));
        return sum;
    }

    [Benchmark(OperationsPerInvoke = Probes)]
    public int CheckHashed()
    {
        var sum = 0;
        for (var i = 0; i < Probes; i++) sum += _workload.CheckHashed(i);
        return sum;
    }
}

/// <summary>
/// Acceptance 4: bulk scrub of 1M rows against 10M suppression entries in ≤ 10 s and ≤ 2 GiB peak
/// memory. One cold run (the list is a file on disk, the result is written to disk); the peak
/// working set of the whole process (index included) is printed at the end.
/// </summary>
[Config(typeof(ConsentSingleShotConfig))]
public class ConsentScrubBenchmarks
{
    private const int Rows = 1_000_000;
    private ConsentWorkload _workload = null!;
    private string _input = null!;
    private string _output = null!;

    [GlobalSetup]
    public void Setup()
    {
        var clock = Stopwatch.StartNew();
        _workload = ConsentWorkload.Create(consents: 0, suppressions: 10_000_000, probes: 1);
        Console.WriteLine($"// index: {_workload.ContactCount:N0} suppressed contacts built in {clock.Elapsed.TotalSeconds:0.0} s");
        _input = Path.Combine(Path.GetTempPath(), $"cp-scrub-in-{Environment.ProcessId}.csv");
        _output = Path.ChangeExtension(_input, ".out.csv");
        var random = new Random(7);
        using var writer = new StreamWriter(_input, false, new UTF8Encoding(false));
        writer.WriteLine("name,phone");
        // Half the list is on the suppression list, written as people type numbers (national, hyphenated).
        for (var i = 0; i < Rows; i++)
        {
            var n = random.Next(10_000_000);
            var e164 = i % 2 == 0 ? ConsentWorkload.Number(1, n) : ConsentWorkload.Number(0, n);
            writer.WriteLine($"Customer {i},0{e164[3..5]}-{e164[5..9]}-{e164[9..]}");
        }
    }

    [Benchmark]
    public long Scrub()
    {
        using var input = File.OpenRead(_input);
        using var output = new StreamWriter(_output, false, new UTF8Encoding(false), 1 << 16);
        return _workload.Scrub(input, output);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        using var process = Process.GetCurrentProcess();
        Console.WriteLine($"// peak working set: {process.PeakWorkingSet64 / (1024.0 * 1024 * 1024):0.00} GiB; result rows: {File.ReadLines(_output).Count() - 1:N0}");
        File.Delete(_input);
        File.Delete(_output);
    }
}

/// <summary>In process: the generated out-of-process project does not restore here (NU1605).</summary>
public sealed class ConsentShortRunConfig : ManualConfig
{
    public ConsentShortRunConfig() => AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance));
}

public sealed class ConsentSingleShotConfig : ManualConfig
{
    public ConsentSingleShotConfig() => AddJob(Job.Dry.WithStrategy(RunStrategy.ColdStart).WithLaunchCount(1).WithWarmupCount(0).WithIterationCount(1)
        .WithToolchain(InProcessEmitToolchain.Instance));
}
