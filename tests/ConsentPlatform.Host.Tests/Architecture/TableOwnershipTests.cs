using System.Text.RegularExpressions;

namespace ConsentPlatform.Host.Tests.Architecture;

/// <summary>
/// Every table has one owning feature folder: only its files name the table in SQL, and other
/// folders call the owner (issue 17). Tables come from each service's SQLite migrations; a folder
/// "names" a table when a C# file in it has FROM/INTO/UPDATE/JOIN/TABLE before the name.
/// <c>Data/SqlDialect.cs</c> is exempt: it is where the few statements that differ per database live.
/// </summary>
public sealed partial class TableOwnershipTests
{
    /// <summary>The owner where two folders use a table; otherwise the one folder that names it owns it.</summary>
    private static readonly Dictionary<string, string> Owners = new()
    {
        ["Consent consent_ledger"] = "Ledger",
        ["Consent suppressions"] = "Suppression",
        ["Consent suppression_lifts"] = "Suppression",
        ["Notices notices"] = "Calls",
        ["Responses consent_provenance"] = "Links",
        ["Responses response_links"] = "Links",
    };

    [Fact]
    public void No_feature_folder_names_a_table_another_folder_owns()
    {
        var services = Path.Combine(Repository.Root(), "services");
        var found = new List<string>();
        var tablesChecked = 0;
        foreach (var service in new[] { "Consent", "Notices", "Responses", "Directory", "ServiceDefaults" })
        {
            var folder = Path.Combine(services, "ConsentPlatform." + service);
            var tables = System.IO.Directory.EnumerateFiles(folder, "*.sql", SearchOption.AllDirectories)
                .Where(f => f.Contains($"{Path.DirectorySeparatorChar}Sqlite{Path.DirectorySeparatorChar}"))
                .SelectMany(f => CreateTable().Matches(File.ReadAllText(f)).Select(m => m.Groups[1].Value))
                .ToHashSet();
            tablesChecked += tables.Count;
            var sources = System.IO.Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories)
                .Where(f => !IsBuildOutput(f) && Path.GetFileName(f) != "SqlDialect.cs")
                .Select(f => (Folder: FeatureFolder(folder, f), Text: File.ReadAllText(f)))
                .ToList();
            foreach (var table in tables)
            {
                var naming = new Regex($@"\b(FROM|INTO|UPDATE|JOIN|TABLE)\s+{table}\b");
                var folders = sources.Where(s => naming.IsMatch(s.Text)).Select(s => s.Folder).Distinct().Order().ToList();
                if (folders.Count < 2) continue;
                var owner = Owners.GetValueOrDefault($"{service} {table}");
                if (owner is null)
                {
                    found.Add($"{service} {table}: named in {string.Join(", ", folders)}; declare its owner and move the others' SQL there");
                    continue;
                }
                found.AddRange(folders.Where(f => f != owner).Select(f => $"{service} {table} {f} (owner: {owner}): call the owner's store instead"));
            }
        }

        Assert.True(tablesChecked >= 40, $"only {tablesChecked} tables found in the migrations");
        Assert.True(found.Count == 0, "tables named outside their owner:\n" + string.Join('\n', found));
    }

    private static string FeatureFolder(string serviceFolder, string file)
    {
        var relative = Path.GetRelativePath(serviceFolder, file).Split(Path.DirectorySeparatorChar);
        return relative.Length > 1 ? relative[0] : "(root)";
    }

    private static bool IsBuildOutput(string file) =>
        file.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}") || file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}");

    [GeneratedRegex(@"CREATE TABLE (?:IF NOT EXISTS )?""?(\w+)", RegexOptions.IgnoreCase)]
    private static partial Regex CreateTable();
}
