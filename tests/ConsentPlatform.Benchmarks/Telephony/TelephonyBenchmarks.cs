using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using ConsentPlatform.Telephony;

namespace ConsentPlatform.Benchmarks.Telephony;

/// <summary>
/// Targets (issue 3): typical Japanese input ≥ 2M parses/s on one core (≤ 500 ns per parse), and
/// zero allocation when the input is already E.164.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(TelephonyShortRunConfig))]
public class TelephonyParseBenchmarks
{
    // What people type into forms, in roughly the mix we see: hyphenated, full-width, bare, +81.
    private static readonly string[] TypicalJapanese =
    [
        "090-1234-5678", "０９０－１２３４－５６７８", "03-1234-5678", "+81 (0)90 1234 5678",
        "080 9876 5432", "0120-123-456", "09012345678", "045-671-2121",
    ];

    private readonly string _e164 = "+819012345678";

    [Benchmark(OperationsPerInvoke = 8)]
    public int ParseTypicalJapanese()
    {
        var valid = 0;
        foreach (var input in TypicalJapanese)
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
