extern alias libphonenumber;

using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using ConsentPlatform.Telephony;

namespace ConsentPlatform.Benchmarks.Telephony;

/// <summary>
/// Targets (issue 15): typical Japanese input ≥ 10 M parses/s on one core (≤ 100 ns per parse), and
/// zero allocation when the input is already E.164.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(TelephonyShortRunConfig))]
public class TelephonyParseBenchmarks
{
    // What people type into forms, in roughly the mix we see: hyphenated, full-width, bare, +81.
    internal static readonly string[] TypicalJapanese =
    [
        "090-1234-5678", "０９０－１２３４－５６７８", "03-1234-5678", "+81 (0)90 1234 5678",
        "080 9876 5432", "0120-123-456", "09012345678", "045-671-2121",
    ];

    private readonly string _e164 = "+819012345678";

    [Benchmark(OperationsPerInvoke = 8)]
    public int ParseTypicalJapanese() => CountValid(TypicalJapanese);

    internal static int CountValid(string[] inputs)
    {
        var valid = 0;
        foreach (var input in inputs)
        {
            if (PhoneNumbers.Parse(input).IsValid)
            {
                valid++;
            }
        }
        return valid;
    }

    [Benchmark]
    public PhoneParseResult ParseHyphenatedMobile() => PhoneNumbers.Parse("090-1234-5678");

    [Benchmark]
    public PhoneParseResult ParseFullWidthMobile() => PhoneNumbers.Parse("０９０－１２３４－５６７８");

    [Benchmark]
    public PhoneParseResult ParseAlreadyE164() => PhoneNumbers.Parse(_e164);
}

/// <summary>
/// Issue 15: numbers from around the world as people write them with the country code, read by our
/// parser (libphonenumber behind our character policy outside Japan) and by libphonenumber alone,
/// both to a validated E.164 string.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(TelephonyShortRunConfig))]
public class TelephonyInternationalBenchmarks
{
    private static readonly libphonenumber::PhoneNumbers.PhoneNumberUtil Util = libphonenumber::PhoneNumbers.PhoneNumberUtil.GetInstance();

    // One in four Japanese, as in our traffic's mix; the rest from the countries we see most.
    private static readonly string[] MixedInternational =
    [
        "+81 90-1234-5678", "+81 3-1234-5678", "+1 212-555-0123", "+44 20 7946 0018",
        "+82 10-1234-5678", "+86 138 0013 8000", "+886 912 345 678", "+65 9123 4567",
        "+61 412 345 678", "+49 151 23456789", "+33 6 12 34 56 78", "+31 6 12345678",
        "+81 (0)80 9876 5432", "+44 (0)7400 123456", "+39 06 1234 5678", "+91 98765 43210",
    ];

    [Benchmark(OperationsPerInvoke = 16)]
    public int OursMixedInternational() => TelephonyParseBenchmarks.CountValid(MixedInternational);

    [Benchmark(OperationsPerInvoke = 16)]
    public int LibphonenumberMixedInternational() => LibphonenumberCountValid(MixedInternational);

    [Benchmark(OperationsPerInvoke = 8)]
    public int LibphonenumberTypicalJapanese() => LibphonenumberCountValid(TelephonyParseBenchmarks.TypicalJapanese);

    private static int LibphonenumberCountValid(string[] inputs)
    {
        var valid = 0;
        foreach (var input in inputs)
        {
            var number = Util.Parse(input, "JP");
            if (Util.IsValidNumber(number) && Util.Format(number, libphonenumber::PhoneNumbers.PhoneNumberFormat.E164).Length > 0)
            {
                valid++;
            }
        }
        return valid;
    }
}

[MemoryDiagnoser]
[Config(typeof(TelephonyShortRunConfig))]
public class TelephonyTextBenchmarks
{
    private const string JapaneseNotice = "【サンプル社】明日10時にお電話します。今後の連絡が不要な方は STOP と返信してください。";

    [Benchmark]
    public SmsTextInfo AnalyzeJapaneseSms() => SmsText.Analyze(JapaneseNotice);

    [Benchmark]
    public OptOutDetection DetectStopKeyword() => OptOutDetector.Detect("Stop");

    [Benchmark]
    public OptOutDetection DetectJapaneseFreeText() => OptOutDetector.Detect("いつもお世話になっております。もう連絡しないでください。");
}

/// <summary>
/// Short run, in process: the generated out-of-process project does not restore here (NU1605
/// package downgrade via ServiceDefaults → MassTransit), and Telephony needs none of that.
/// </summary>
public sealed class TelephonyShortRunConfig : ManualConfig
{
    public TelephonyShortRunConfig() => AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance));
}
