using System.Text.RegularExpressions;

namespace ConsentPlatform.Host.Tests.Architecture;

/// <summary>
/// A list goes into SQL only through <c>SqlDialect.InList</c>. Dapper expands <c>IN @ids</c> into one parameter
/// per item on SQLite and SQL Server, but binds one array on PostgreSQL, where <c>IN $1</c> is a syntax error:
/// three contact-record queries written that way passed every SQLite test and failed on the first PostgreSQL
/// deployment. Read from the source, because a query only fails on the provider that runs it.
/// </summary>
public sealed partial class ListParameterTests
{
    [Fact]
    public void No_query_binds_a_list_with_IN_at_a_parameter_outside_the_dialect()
    {
        var services = Path.Combine(Repository.Root(), "services");
        var separator = Path.DirectorySeparatorChar;
        var dialect = Path.Combine("Data", "SqlDialect.cs");
        var found = System.IO.Directory.EnumerateFiles(services, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{separator}bin{separator}") && !f.Contains($"{separator}obj{separator}") && !f.EndsWith(dialect, StringComparison.Ordinal))
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (File: Path.GetRelativePath(services, f), Line: i + 1, Text: line.Trim())))
            .Where(l => ListParameter().IsMatch(l.Text))
            .Select(l => $"{l.File}:{l.Line}: {l.Text}")
            .ToList();
        Assert.True(found.Count == 0, $"{found.Count} list parameters bound with IN @…; write {{dialect.InList(\"@name\")}} and pass an array:\n{string.Join('\n', found)}");
    }

    [GeneratedRegex(@"\bIN\s+@\w", RegexOptions.IgnoreCase)]
    private static partial Regex ListParameter();
}
