using System.Runtime.CompilerServices;

namespace ConsentPlatform.Benchmarks.Responses;

/// <summary>
/// Starts the baseline of deploy/bench/responses-shortlink.sh when RESPONSES_BENCH=bare (address
/// from ASPNETCORE_URLS). A module initializer, so this folder needs no change to the shared
/// Program.cs: the script runs the exe with <c>--list flat</c> (BenchmarkDotNet lists and returns)
/// while a foreground thread started here runs the server until the process is stopped. The work
/// cannot run inside the initializer itself: until it returns, every other thread that touches
/// this assembly waits. Without the variable this does nothing. (A <c>["responses-bare", ..]</c>
/// line in Program.cs, like the other named harnesses, would replace it.)
/// </summary>
internal static class ResponsesBenchEntry
{
#pragma warning disable CA2255 // Picking a mode before Main is the point here.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Dispatch()
    {
        var mode = Environment.GetEnvironmentVariable("RESPONSES_BENCH");
        if (string.IsNullOrEmpty(mode)) return;
        new Thread(() => Environment.Exit(Run(mode))) { IsBackground = false, Name = "responses-bench" }.Start();
    }

    private static int Run(string mode)
    {
        try
        {
            return mode switch
            {
                "bare" => BareKestrel.Run(),
                _ => Fail($"RESPONSES_BENCH must be bare, not '{mode}'."),
            };
        }
        catch (Exception error)
        {
            return Fail(error.ToString());
        }
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine(message);
        return 2;
    }
}
