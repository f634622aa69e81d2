namespace ConsentPlatform.Host.Tests.Architecture;

/// <summary>
/// Every schema change exists for every database the product supports: a script added for SQLite
/// alone starts fine in development and fails on the first server deployment (Consent 0008 was
/// written for SQLite and SQL Server while PostgreSQL landed beside it).
/// </summary>
public sealed class MigrationParityTests
{
    private static readonly string[] Providers = ["Sqlite", "SqlServer", "PostgreSql"];

    [Fact]
    public void Every_migration_script_exists_for_SQLite_SQL_Server_and_PostgreSQL()
    {
        var services = Path.Combine(Repository.Root(), "services");
        var missing = new List<string>();
        var checkedFolders = 0;
        foreach (var folder in System.IO.Directory.EnumerateDirectories(services, "Migrations", SearchOption.AllDirectories)
                     .SelectMany(m => System.IO.Directory.EnumerateDirectories(m).Prepend(m))
                     .Where(f => Providers.Any(p => System.IO.Directory.Exists(Path.Combine(f, p)))))
        {
            checkedFolders++;
            var scripts = Providers.ToDictionary(p => p, p => System.IO.Directory.Exists(Path.Combine(folder, p))
                ? System.IO.Directory.EnumerateFiles(Path.Combine(folder, p), "*.sql").Select(Path.GetFileName).ToHashSet()
                : []);
            foreach (var name in scripts.Values.SelectMany(s => s).Distinct().Order())
                foreach (var provider in Providers.Where(p => !scripts[p].Contains(name)))
                    missing.Add($"{Path.GetRelativePath(services, Path.Combine(folder, provider, name!))}");
        }
        Assert.True(checkedFolders >= 6, $"only {checkedFolders} migration folders found under {services}");
        Assert.True(missing.Count == 0, $"{missing.Count} scripts missing:\n{string.Join('\n', missing)}");
    }
}
