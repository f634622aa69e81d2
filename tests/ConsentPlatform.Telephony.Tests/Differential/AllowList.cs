namespace ConsentPlatform.Telephony.Tests.Differential;

/// <summary>
/// allow-list.txt: one deliberate difference a line, "region form E.164-prefix reason…" where form
/// is national, international, e164 or * and the prefix is matched against libphonenumber's E.164.
/// </summary>
internal sealed class AllowList
{
    internal sealed record Entry(string Region, string Form, string E164Prefix, string Reason, string Line);

    public IReadOnlyList<Entry> Entries { get; }

    private AllowList(IReadOnlyList<Entry> entries) => Entries = entries;

    public static AllowList Load()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Differential", "allow-list.txt");
        var entries = new List<Entry>();
        foreach (var line in File.ReadLines(path))
        {
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }
            var parts = line.Split(' ', 4, StringSplitOptions.RemoveEmptyEntries);
            Assert.True(parts.Length == 4 && parts[3].Length > 10, $"allow-list line without a reason: {line}");
            entries.Add(new Entry(parts[0], parts[1], parts[2], parts[3], line));
        }
        return new AllowList(entries);
    }

    public Entry? Match(DifferentialTests.Difference difference, string expectedE164) =>
        Entries.FirstOrDefault(e => e.Region == difference.Region
            && (e.Form == "*" || e.Form == difference.Form)
            && expectedE164.StartsWith(e.E164Prefix, StringComparison.Ordinal));
}
