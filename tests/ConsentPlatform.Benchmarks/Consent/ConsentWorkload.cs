using System.Reflection;
using System.Runtime.Loader;

namespace ConsentPlatform.Benchmarks.Consent;

/// <summary>
/// Binds to ConsentPlatform.Consent's GateWorkload at run time. The benchmark project does not
/// reference the Consent service (its project file is shared), so the built service assembly is
/// loaded from services/ConsentPlatform.Consent/bin/{Release|Debug}/net10.0 and its members are
/// bound to delegates once: a call then costs one delegate invocation (~1-2 ns), not reflection.
/// Build it first: dotnet build -c Release services/ConsentPlatform.Consent
/// </summary>
public sealed class ConsentWorkload
{
    private static readonly Lazy<Assembly> ConsentAssembly = new(Load);

    public Func<int, int> Check { get; }
    public Func<int, int> CheckHashed { get; }
    public Func<Stream, TextWriter, long> Scrub { get; }
    public int ContactCount { get; }

    private ConsentWorkload(object workload)
    {
        var type = workload.GetType();
        Check = type.GetMethod("Check")!.CreateDelegate<Func<int, int>>(workload);
        CheckHashed = type.GetMethod("CheckHashed")!.CreateDelegate<Func<int, int>>(workload);
        Scrub = type.GetMethod("Scrub")!.CreateDelegate<Func<Stream, TextWriter, long>>(workload);
        ContactCount = (int)type.GetProperty("ContactCount")!.GetValue(workload)!;
    }

    public static ConsentWorkload Create(int consents, int suppressions, int probes)
    {
        var type = ConsentAssembly.Value.GetType("ConsentPlatform.Consent.Gate.GateWorkload", throwOnError: true)!;
        var key = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
        var workload = type.GetMethod("Create")!.Invoke(null, [consents, suppressions, probes, key])!;
        return new ConsentWorkload(workload);
    }

    /// <summary>"+8190" + 8 digits: the generated consented range; "+8180": the suppressed range.</summary>
    public static string Number(int range, int n) => $"+81{(range == 0 ? "90" : "80")}{n:D8}";

    private static Assembly Load()
    {
        var root = AppContext.BaseDirectory;
        for (var dir = new DirectoryInfo(root); dir is not null; dir = dir.Parent)
        {
            if (!File.Exists(Path.Combine(dir.FullName, "ConsentPlatform.sln"))) continue;
            foreach (var configuration in new[] { "Release", "Debug" })
            {
                var folder = Path.Combine(dir.FullName, "services", "ConsentPlatform.Consent", "bin", configuration, "net10.0");
                var path = Path.Combine(folder, "ConsentPlatform.Consent.dll");
                if (!File.Exists(path)) continue;
                // The service's own dependencies that this project lacks (CsvHelper) come from its folder.
                AssemblyLoadContext.Default.Resolving += (context, name) =>
                    File.Exists(Path.Combine(folder, name.Name + ".dll")) ? context.LoadFromAssemblyPath(Path.Combine(folder, name.Name + ".dll")) : null;
                return AssemblyLoadContext.Default.LoadFromAssemblyPath(path);
            }
            throw new FileNotFoundException("ConsentPlatform.Consent is not built: run dotnet build -c Release services/ConsentPlatform.Consent");
        }
        throw new InvalidOperationException("Repository root (ConsentPlatform.sln) not found above " + root);
    }
}
