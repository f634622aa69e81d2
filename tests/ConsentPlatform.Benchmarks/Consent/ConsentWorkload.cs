using ConsentPlatform.Consent.Gate;

namespace ConsentPlatform.Benchmarks.Consent;

/// <summary>The Consent gate's benchmark workload (<see cref="GateWorkload"/>), with a fixed hashing key.</summary>
public sealed class ConsentWorkload
{
    private readonly GateWorkload _workload;

    private ConsentWorkload(GateWorkload workload) => _workload = workload;

    public int ContactCount => _workload.ContactCount;

    public long IndexTableBytes => _workload.IndexTableBytes;

    public static ConsentWorkload Create(int consents, int suppressions, int probes) =>
        new(GateWorkload.Create(consents, suppressions, probes, Enumerable.Range(1, 32).Select(i => (byte)i).ToArray()));

    /// <summary>"+8190" + 8 digits: the generated consented range; "+8180": the suppressed range.</summary>
    public static string Number(int range, int n) => GateWorkload.Number(range, n);

    public int Check(int i) => _workload.Check(i);

    public int CheckHashed(int i) => _workload.CheckHashed(i);

    public long Scrub(Stream csv, TextWriter output) => _workload.Scrub(csv, output);
}
