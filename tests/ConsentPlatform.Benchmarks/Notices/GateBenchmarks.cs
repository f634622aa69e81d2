using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using ConsentPlatform.Contracts;
using ConsentPlatform.Notices.Replica;
using ConsentPlatform.Telephony;

namespace ConsentPlatform.Benchmarks.Notices;

/// <summary>
/// Acceptance 6 (issue 5): gate decisions ≥ 500k/s in process on one core, against a replica
/// holding 1M suppressed and 1M consented contacts. <c>DecideByHash</c> is the decision itself
/// (index lookup and rules); <c>DecideByNumber</c> adds the keyed hash of the parsed number, as
/// CallPlanner does per notice. Each invocation decides a batch of mixed requests: consented,
/// suppressed, never seen, and a landline.
/// Run: <c>dotnet run -c Release --project tests/ConsentPlatform.Benchmarks -- --filter '*GateBenchmarks*'</c>
/// </summary>
[MemoryDiagnoser]
[Config(typeof(GateConfig))]
public class GateBenchmarks
{
    private const int Suppressed = 1_000_000;
    private const int Consented = 1_000_000;
    private const int Batch = 1024;
    private const string Organization = "org-bench";
    private const string Purpose = "sales";

    private readonly ReplicaIndex _index = new();
    private readonly PhoneNumberHasher _hasher = new("k1", Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());
    private readonly OrganizationRules _rules = new(new TimeOnly(8, 0), new TimeOnly(21, 0), 3, 24);
    private readonly DateTimeOffset _at = new(2026, 7, 16, 3, 0, 0, TimeSpan.Zero); // noon in Tokyo
    private PhoneNumber[] _numbers = [];
    private string[] _hashes = [];

    private static string NumberAt(int i) => "+8190" + (10_000_000 + i).ToString(System.Globalization.CultureInfo.InvariantCulture);

    [GlobalSetup]
    public void Setup()
    {
        var suppressedAt = new[] { new SuppressionEntry(Organization, Channels.Sms, null) };
        var recorded = _at.AddDays(-30).ToUnixTimeMilliseconds();
        var chunk = new Dictionary<string, ContactState>(100_000);
        for (var i = 0; i < Suppressed + Consented; i++)
        {
            var hash = _hasher.Hash(PhoneNumbers.Parse(NumberAt(i)).Number);
            chunk[hash] = i < Suppressed
                ? new ContactState(0, suppressedAt, [])
                : new ContactState(0, [], [new ConsentEntry(Organization, Channels.Sms, Purpose, recorded, null, 0)]);
            if (chunk.Count == 100_000)
            {
                _index.Replace(chunk);
                chunk.Clear();
            }
        }
        _index.Replace(chunk);
        _index.ReplacePublished(new Dictionary<string, HashSet<string>> { [Organization] = ["+81312345678"] });

        // The mix a dialer sends: mostly consented, some opted out, some unknown, a few landlines.
        var random = new Random(42);
        _numbers = Enumerable.Range(0, Batch).Select(i => (i % 16) switch
        {
            0 or 1 or 2 => PhoneNumbers.Parse(NumberAt(random.Next(Suppressed))).Number,
            3 => PhoneNumbers.Parse("+8190" + (30_000_000 + random.Next(1_000_000)).ToString(System.Globalization.CultureInfo.InvariantCulture)).Number,
            4 => PhoneNumbers.Parse("+8135" + (5_000_000 + random.Next(1_000_000)).ToString(System.Globalization.CultureInfo.InvariantCulture)).Number,
            _ => PhoneNumbers.Parse(NumberAt(Suppressed + random.Next(Consented))).Number,
        }).ToArray();
        _hashes = _numbers.Select(n => _hasher.Hash(n)).ToArray();
        if (_index.Count != Suppressed + Consented) throw new InvalidOperationException($"index holds {_index.Count} contacts");
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    public int DecideByHash()
    {
        var allowed = 0;
        for (var i = 0; i < _numbers.Length; i++)
        {
            var request = new GateRequest(Organization, _numbers[i], Purpose, _index.IsPublished(Organization, "+81312345678"), _at, 0);
            if (GateDecider.Decide(request, _index.Find(_hashes[i]), _rules) is null) allowed++;
        }
        return allowed;
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    public int DecideByNumber()
    {
        var allowed = 0;
        for (var i = 0; i < _numbers.Length; i++)
        {
            var request = new GateRequest(Organization, _numbers[i], Purpose, _index.IsPublished(Organization, "+81312345678"), _at, 0);
            if (GateDecider.Decide(request, _index.Find(_hasher.CandidateHashes(_numbers[i])), _rules) is null) allowed++;
        }
        return allowed;
    }
}

public sealed class GateConfig : ManualConfig
{
    // In process: the default out-of-process toolchain fails to restore here (NU1605).
    public GateConfig() => AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance));
}
