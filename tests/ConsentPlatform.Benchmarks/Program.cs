using BenchmarkDotNet.Running;

namespace ConsentPlatform.Benchmarks;

/// <summary>
/// BenchmarkDotNet suites by default (<c>-- --filter '*Telephony*'</c>), or a harness by name:
/// <c>outbox</c> (Outbox/README.md) and <c>http-load</c> (Http/PacedLoad.cs).
/// A named class rather than top-level statements: the referenced services each have a Program.
/// </summary>
public static class BenchmarkProgram
{
    public static async Task<int> Main(string[] args) => args switch
    {
        ["outbox", ..] => await Outbox.OutboxBenchmark.RunAsync(args[1..]),
        ["http-load", ..] => await Http.PacedLoad.RunAsync(args[1..]),
        ["notices-send", ..] => await Notices.NoticesSendBenchmark.RunAsync(args[1..]),
        ["consent-scrub", ..] => Consent.ConsentScrubRun.Run(args[1..]),
        ["consent-import", ..] => await Consent.ConsentImportBenchmark.RunAsync(args[1..]),
        _ => Run(args),
    };

    private static int Run(string[] args)
    {
        BenchmarkSwitcher.FromAssembly(typeof(BenchmarkProgram).Assembly).Run(args);
        return 0;
    }
}
