using System.Globalization;
using ConsentPlatform.Consent.Gate;
using ConsentPlatform.Consent.Scrub;
using ConsentPlatform.Telephony;
using Microsoft.Extensions.Logging.Abstractions;

namespace ConsentPlatform.Benchmarks.Consent;

/// <summary>
/// Synthetic load for the Consent benchmarks: an index filled with generated consents and
/// suppression entries (fixed hashing key), and the gate's real decision code run against it.
/// </summary>
public sealed class ConsentWorkload
{
    public const string Organization = "org_bench";
    public const string Purpose = "seminar";

    private readonly PermissionGate _gate;
    private readonly GateIndex _index;
    private readonly ScrubEngine _scrub;
    private readonly PhoneNumber[] _probes;
    private readonly ContactKey[] _probeKeys;
    private readonly DateTimeOffset _at;

    private ConsentWorkload(GateIndex index, PhoneNumberHasher hasher, ContactHasher contactHasher, PhoneNumber[] probes)
    {
        _index = index;
        // The decision reads contact hours from the store's memory and records no audit row, so
        // neither needs the database the service would give them.
        _gate = new PermissionGate(index, hasher, contactHasher, new ContactHoursStore(null!, TimeProvider.System), new CheckAudit(null!, NullLogger<CheckAudit>.Instance),
            TimeProvider.System, NullLogger<PermissionGate>.Instance);
        _scrub = new ScrubEngine(_gate);
        _probes = probes;
        _probeKeys = Array.ConvertAll(probes, p => ContactKey.Parse(hasher.Hash(p)));
        // 12:00 in Tokyo: quiet hours never decide, every rule is evaluated.
        _at = new DateTimeOffset(2026, 3, 2, 3, 0, 0, TimeSpan.Zero);
    }

    public int ContactCount => _index.ContactCount;

    /// <summary>Bytes of the index's compact table (the bulk of its memory when most contacts are only suppressed).</summary>
    public long IndexTableBytes => _index.TableBytes;

    /// <summary>Mobile number n of a generated range: "+8190" + 8 digits (consents) or "+8180" (suppressions).</summary>
    public static string Number(int range, int n) => string.Create(CultureInfo.InvariantCulture, $"+81{(range == 0 ? "90" : "80")}{n:D8}");

    /// <summary>
    /// <paramref name="consents"/> SMS consents on +8190…, <paramref name="suppressions"/> suppression entries on
    /// +8180…; <paramref name="probes"/> numbers to check, a third consented, a third suppressed, a third unknown.
    /// </summary>
    public static ConsentWorkload Create(int consents, int suppressions, int probes)
    {
        var hashKey = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
        var hasher = new PhoneNumberHasher("bench", hashKey);
        var contactHasher = new ContactHasher("bench", hashKey);
        var index = new GateIndex(consents + suppressions);
        var recorded = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        Parallel.For(0, consents, i =>
        {
            var key = contactHasher.KeyOf(PhoneNumbers.Parse(Number(0, i)).Number);
            index.AddConsent(key, new ConsentFact(Guid.NewGuid(), Organization, "sms", Purpose, recorded, recorded + 365L * 86_400_000, "ev_bench", "Bench Seminar", 1, "sha256:bench"));
        });
        Parallel.For(0, suppressions, i =>
        {
            var key = contactHasher.KeyOf(PhoneNumbers.Parse(Number(1, i)).Number);
            index.AddSuppression(key, new SuppressionFact(Guid.NewGuid(), i % 2 == 0 ? Organization : null, i % 3 == 0 ? null : "sms", null, ReasonCodes.OptedOut, recorded));
        });
        index.MarkReady();
        var sample = new Random(42);
        var numbers = Enumerable.Range(0, probes).Select(i => (i % 3) switch
        {
            0 => Number(0, sample.Next(Math.Max(1, consents))),
            1 => Number(1, sample.Next(Math.Max(1, suppressions))),
            _ => Number(0, 90_000_000 + i),
        }).Select(n => PhoneNumbers.Parse(n).Number).ToArray();
        return new ConsentWorkload(index, hasher, contactHasher, numbers);
    }

    /// <summary>The whole check for probe i: keyed hash of the number, lookup, every rule. Returns the reason flags.</summary>
    public int Check(int i) => (int)_gate.Decide(new CheckQuery(Organization, _probes[i % _probes.Length], null, "sms", Purpose, _at), null, out _);

    /// <summary>Lookup and rules only, for a number whose hash is known (what the index itself costs).</summary>
    public int CheckHashed(int i)
    {
        var n = i % _probes.Length;
        return (int)GateRules.Evaluate(_index.Find(_probeKeys[n]), null, Organization, "sms", Purpose, _at, _probes[n], ContactHours.Default);
    }

    /// <summary>Runs the bulk scrub over a CSV stream (header "phone"); returns the rows checked.</summary>
    public long Scrub(Stream csv, TextWriter output)
    {
        var progress = new ScrubProgress();
        using var reader = new StreamReader(csv, leaveOpen: true);
        _scrub.RunAsync(reader, output, Organization, "sms", Purpose, _at, progress, CancellationToken.None).GetAwaiter().GetResult();
        return progress.Rows;
    }
}
