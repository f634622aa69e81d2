using System.Text.RegularExpressions;

namespace ConsentPlatform.Host.Tests.Architecture;

/// <summary>
/// Time comes only from <see cref="TimeProvider"/>: a test can then set the date a rule depends on,
/// and no rule reads a clock the host did not give it.
/// </summary>
public sealed partial class ClockTests
{
    [Fact]
    public void No_product_code_reads_the_system_clock_directly()
    {
        var services = Path.Combine(Repository.Root(), "services");
        var reads = System.IO.Directory.EnumerateFiles(services, "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".razor", StringComparison.Ordinal))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (File: Path.GetRelativePath(services, f), Line: i + 1, Text: line.Trim())))
            .Where(l => SystemClock().IsMatch(l.Text))
            .Select(l => $"{l.File}:{l.Line}: {l.Text}")
            .ToList();
        Assert.True(reads.Count == 0, $"{reads.Count} direct clock reads; take a TimeProvider instead:\n{string.Join('\n', reads)}");
    }

    [GeneratedRegex(@"\bDateTime(Offset)?\.(UtcNow|Now|Today)\b")]
    private static partial Regex SystemClock();
}
