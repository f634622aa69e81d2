using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace ConsentPlatform.Host.Tests.Architecture;

/// <summary>
/// A test project that starts a service as its own process must reference that service's project
/// (directly or through another reference), or `dotnet test` on the solution may run its tests before
/// the service is built. CI failed that way once: Directory's distributed test ran before Notices existed.
/// </summary>
public sealed partial class ServiceProcessBuildOrderTests
{
    [Fact]
    public void Every_test_project_that_starts_a_service_process_builds_that_service_first()
    {
        var root = Repository.Root();
        var missing = new List<string>();
        var starters = 0;
        foreach (var project in System.IO.Directory.EnumerateFiles(Path.Combine(root, "tests"), "*.csproj", SearchOption.AllDirectories))
        {
            var started = System.IO.Directory.EnumerateFiles(Path.GetDirectoryName(project)!, "*.cs", SearchOption.AllDirectories)
                .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
                .SelectMany(f => StartedService().Matches(File.ReadAllText(f)).Select(m => m.Groups[1].Value))
                .ToHashSet();
            if (started.Count == 0) continue;
            starters++;
            var built = ReferencedProjects(project).Select(Path.GetFileNameWithoutExtension).ToHashSet();
            missing.AddRange(started.Where(s => !built.Contains(s)).Select(s => $"{Path.GetFileName(project)} starts {s} but does not reference it"));
        }
        Assert.True(starters >= 3, $"only {starters} test projects start service processes");
        Assert.True(missing.Count == 0, string.Join('\n', missing));
    }

    private static IEnumerable<string> ReferencedProjects(string project)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([Path.GetFullPath(project)]);
        while (pending.TryPop(out var current))
        {
            foreach (var include in XDocument.Load(current).Descendants("ProjectReference").Select(r => (string?)r.Attribute("Include")).OfType<string>())
            {
                var path = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(current)!, include.Replace('\\', Path.DirectorySeparatorChar)));
                if (seen.Add(path)) pending.Push(path);
            }
        }
        return seen;
    }

    [GeneratedRegex(@"ServiceProcess\.StartAsync\(\s*""([A-Za-z.]+)""")]
    private static partial Regex StartedService();
}
