using System.Text;
using System.Text.RegularExpressions;

namespace ConsentPlatform.Host.Tests.Architecture;

/// <summary>
/// Feature folders depend one way (issue 17, ADR 0037). Each service declares its graph at the top of its
/// <c>*Service.cs</c> (<c>// Features: Forms → Ledger → Gate; …</c>, an arrow meaning "may use"); this test
/// derives the folders' real dependencies from the source, from <c>using ConsentPlatform.Service.Folder;</c>
/// lines and from references to types declared at the top level of another folder (the same namespace root
/// needs no using, so the usings alone would miss them), and fails on a cycle or on an edge the declaration
/// does not allow. The service's root files (Program, the module, options, the database) compose the folders
/// and are not part of the graph.
/// </summary>
public sealed partial class FeatureDependencyTests
{
    /// <summary>The services whose folders depend one way: all of them now (ADR 0037).</summary>
    private static readonly string[] Services = ["Consent", "Notices", "Responses", "Directory"];

    private static readonly string[] AllServices = ["Consent", "Notices", "Responses", "Directory"];

    public static TheoryData<string> Checked() => new(Services);

    [Theory]
    [MemberData(nameof(Checked))]
    public void Feature_folders_use_each_other_only_as_the_service_declares_and_never_in_a_circle(string service)
    {
        var folder = Path.Combine(Repository.Root(), "services", "ConsentPlatform." + service);
        var declared = Declared(service, File.ReadAllText(Path.Combine(folder, service + "Service.cs")));
        var found = Dependencies(service, folder);
        var folders = FeatureFolders(folder);

        var problems = new List<string>();
        problems.AddRange(folders.Where(f => !declared.Folders.Contains(f)).Select(f => $"{f}/ is not in the graph {service}Service.cs declares"));
        problems.AddRange(Cycles(declared.Edges.ToLookup(e => e.From, e => e.To)).Select(c => $"the declared graph has a cycle: {c}"));
        var allowed = Closure(declared.Edges);
        problems.AddRange(found
            .Where(d => !allowed.Contains((d.From, d.To)))
            .GroupBy(d => (d.From, d.To))
            .Select(g => $"{g.Key.From} → {g.Key.To} is not declared, used in {string.Join(", ", g.Select(d => $"{d.File} ({d.Reference})").Distinct().Take(4))}"));
        problems.AddRange(Cycles(found.ToLookup(d => d.From, d => d.To)).Select(c => $"the folders' dependencies form a cycle: {c}"));

        Assert.True(found.Count > 0, $"no dependencies found between {service}'s folders");
        Assert.True(problems.Count == 0, $"{service}:\n" + string.Join('\n', problems));
    }

    [Fact]
    public void No_service_project_references_another_service()
    {
        var services = Path.Combine(Repository.Root(), "services");
        var references = AllServices
            .SelectMany(service => ProjectReference().Matches(File.ReadAllText(Path.Combine(services, $"ConsentPlatform.{service}", $"ConsentPlatform.{service}.csproj")))
                .Select(m => (Service: service, Referenced: m.Groups[1].Value)))
            .Where(r => AllServices.Contains(r.Referenced))
            .Select(r => $"ConsentPlatform.{r.Service}.csproj references ConsentPlatform.{r.Referenced}: services meet only through contracts")
            .ToList();
        Assert.True(references.Count == 0, string.Join('\n', references));
    }

    /// <summary>The declared edges: every <c>// Features:</c> line holds chains separated by ';'.</summary>
    private static (HashSet<string> Folders, List<(string From, string To)> Edges) Declared(string service, string module)
    {
        var chains = module.Split('\n')
            .Select(l => l.Trim())
            .Where(l => l.StartsWith("// Features:", StringComparison.Ordinal))
            .SelectMany(l => l["// Features:".Length..].Split(';'))
            .Select(chain => chain.Split('→').Select(f => f.Trim()).Where(f => f.Length > 0).ToList())
            .Where(chain => chain.Count > 0)
            .ToList();
        Assert.True(chains.Count > 0, $"{service}Service.cs declares no '// Features:' graph");
        var edges = chains.SelectMany(chain => chain.Zip(chain.Skip(1))).ToList();
        return (chains.SelectMany(c => c).ToHashSet(), edges);
    }

    private sealed record Dependency(string From, string To, string File, string Reference);

    private static List<Dependency> Dependencies(string service, string serviceFolder)
    {
        var files = System.IO.Directory.EnumerateFiles(serviceFolder, "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".razor", StringComparison.Ordinal))
            .Where(f => !IsBuildOutput(f))
            .Select(f => (Folder: FeatureFolder(serviceFolder, f), Path: f, Code: Code(File.ReadAllText(f))))
            .Where(f => f.Folder is not null and not "Migrations")
            .ToList();

        // A name declared at the top level of two folders says nothing about which one is meant.
        var owners = files
            .Where(f => f.Path.EndsWith(".cs", StringComparison.Ordinal))
            .SelectMany(f => TopLevelType().Matches(f.Code).Select(m => (Type: m.Groups[1].Value, f.Folder)))
            .GroupBy(t => t.Type)
            .Where(g => g.Select(t => t.Folder).Distinct().Count() == 1)
            .ToDictionary(g => g.Key, g => g.First().Folder!);

        var usingLine = new Regex($@"using\s+(?:static\s+)?ConsentPlatform\.{service}\.(\w+)");
        // A qualified name needs no using: Compliance.Overview, ConsentPlatform.Consent.Ledger.LedgerRow.
        var qualified = new Regex($@"(?<![\w.])(?:ConsentPlatform\.{service}\.)?(\w+)\.([A-Z]\w*)");
        var found = new List<Dependency>();
        foreach (var (from, path, code) in files)
        {
            var file = Path.GetRelativePath(serviceFolder, path);
            found.AddRange(usingLine.Matches(code).Where(m => m.Groups[1].Value != from)
                .Select(m => new Dependency(from!, m.Groups[1].Value, file, "using")));
            found.AddRange(qualified.Matches(code)
                .Where(m => m.Groups[1].Value != from && owners.GetValueOrDefault(m.Groups[2].Value) == m.Groups[1].Value && !usingLine.IsMatch(Line(code, m.Index)))
                .Select(m => new Dependency(from!, m.Groups[1].Value, file, m.Value)));
            found.AddRange(Identifier().Matches(code)
                .Where(m => owners.TryGetValue(m.Value, out var owner) && owner != from && NamesAType(code, m))
                .Select(m => new Dependency(from!, owners[m.Value], file, m.Value)));
        }
        return found.Distinct().ToList();
    }

    private static string Line(string code, int at)
    {
        var start = code.LastIndexOf('\n', at) + 1;
        var end = code.IndexOf('\n', at);
        return code[start..(end < 0 ? code.Length : end)];
    }

    private static readonly HashSet<string> Keywords =
    [
        "new", "return", "is", "as", "await", "out", "in", "ref", "static", "typeof", "nameof", "default", "case", "throw",
        "yield", "else", "using", "var", "readonly", "public", "private", "internal", "protected", "sealed", "partial",
        "abstract", "class", "record", "struct", "interface", "enum", "where", "select", "from", "let", "const", "params",
        "this", "base", "when", "and", "or", "not", "with", "inject", "inherits", "implements", "typeparam",
    ];

    /// <summary>
    /// Whether an identifier that matches a type's name is that type rather than a member or a variable of the
    /// same name: not after a dot, not the name a declaration introduces (after a type), not an initializer's
    /// or a named argument's name.
    /// </summary>
    private static bool NamesAType(string code, Match m)
    {
        var before = m.Index - 1;
        while (before >= 0 && char.IsWhiteSpace(code[before])) before--;
        if (before >= 0)
        {
            var c = code[before];
            if (c is '.' or '?' or ']') return false;
            if (c == '>' && !(before > 0 && code[before - 1] == '=')) return false;
            if (char.IsLetterOrDigit(c) || c == '_')
            {
                var start = before;
                while (start >= 0 && (char.IsLetterOrDigit(code[start]) || code[start] == '_')) start--;
                var word = code[(start + 1)..(before + 1)];
                if (!Keywords.Contains(word) && !(start >= 0 && code[start] == '@')) return false;
            }
        }
        var after = m.Index + m.Length;
        while (after < code.Length && code[after] is ' ' or '\t') after++;
        if (after < code.Length)
        {
            if (code[after] == '=' && !(after + 1 < code.Length && code[after + 1] is '=' or '>')) return false;
            if (code[after] == ':' && !(after + 1 < code.Length && code[after + 1] == ':')) return false;
        }
        return true;
    }

    /// <summary>The source without comments and string contents, so that prose and SQL name no type.</summary>
    private static string Code(string source)
    {
        var code = new StringBuilder(source.Length);
        for (var i = 0; i < source.Length;)
        {
            if (source.AsSpan(i).StartsWith("//"))
            {
                var end = source.IndexOf('\n', i);
                i = end < 0 ? source.Length : end;
            }
            else if (source.AsSpan(i).StartsWith("/*") || source.AsSpan(i).StartsWith("@*"))
            {
                var end = source.IndexOf(source[i] == '/' ? "*/" : "*@", i + 2, StringComparison.Ordinal);
                i = end < 0 ? source.Length : end + 2;
                code.Append(' ');
            }
            else if (source.AsSpan(i).StartsWith("\"\"\""))
            {
                var end = source.IndexOf("\"\"\"", i + 3, StringComparison.Ordinal);
                i = end < 0 ? source.Length : end + 3;
                code.Append("\"\"");
            }
            else if (StringStart().Match(source, i, Math.Min(4, source.Length - i)) is { Success: true } open)
            {
                var verbatim = open.Value.Contains('@');
                i += open.Length;
                while (i < source.Length)
                {
                    if (verbatim && source.AsSpan(i).StartsWith("\"\"")) i += 2;
                    else if (!verbatim && source[i] == '\\') i += 2;
                    else if (source[i] == '"') { i++; break; }
                    else if (!verbatim && source[i] == '\n') break;
                    else i++;
                }
                code.Append("\"\"");
            }
            else if (source[i] == '\'' && CharLiteral().Match(source, i, Math.Min(12, source.Length - i)) is { Success: true } literal)
            {
                i += literal.Length;
                code.Append("' '");
            }
            else code.Append(source[i++]);
        }
        return code.ToString();
    }

    private static HashSet<(string, string)> Closure(IEnumerable<(string From, string To)> edges)
    {
        var next = edges.ToLookup(e => e.From, e => e.To);
        var closure = new HashSet<(string, string)>();
        foreach (var start in next.Select(g => g.Key))
        {
            var pending = new Stack<string>(next[start]);
            while (pending.TryPop(out var to))
                if (closure.Add((start, to))) foreach (var further in next[to]) pending.Push(further);
        }
        return closure;
    }

    /// <summary>Each cycle once, as "A → B → A" from its smallest folder's name.</summary>
    private static List<string> Cycles(ILookup<string, string> next)
    {
        var cycles = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var start in next.Select(g => g.Key))
        {
            var path = new List<string> { start };
            void Walk(string at)
            {
                foreach (var to in next[at].Distinct())
                {
                    if (to == start) cycles.Add(string.Join(" → ", path.Append(start)));
                    else if (!path.Contains(to) && string.CompareOrdinal(to, start) > 0)
                    {
                        path.Add(to);
                        Walk(to);
                        path.RemoveAt(path.Count - 1);
                    }
                }
            }
            Walk(start);
        }
        return cycles.ToList();
    }

    private static IEnumerable<string> FeatureFolders(string serviceFolder) =>
        System.IO.Directory.EnumerateDirectories(serviceFolder)
            .Select(Path.GetFileName)
            .Where(name => name is not ("bin" or "obj" or "Migrations" or "Properties" or "wwwroot"))
            .Where(name => System.IO.Directory.EnumerateFiles(Path.Combine(serviceFolder, name!), "*.cs", SearchOption.AllDirectories).Any()
                || System.IO.Directory.EnumerateFiles(Path.Combine(serviceFolder, name!), "*.razor", SearchOption.AllDirectories).Any())
            .Select(name => name!);

    private static string? FeatureFolder(string serviceFolder, string file)
    {
        var relative = Path.GetRelativePath(serviceFolder, file).Split(Path.DirectorySeparatorChar);
        return relative.Length > 1 ? relative[0] : null;
    }

    private static bool IsBuildOutput(string file) =>
        file.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}") || file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}");

    [GeneratedRegex(@"^(?:(?:public|internal|sealed|static|partial|abstract|file|readonly|ref)\s+)*(?:class|record(?:\s+struct|\s+class)?|struct|interface|enum)\s+(\w+)", RegexOptions.Multiline)]
    private static partial Regex TopLevelType();

    [GeneratedRegex(@"\b[A-Z]\w*\b")]
    private static partial Regex Identifier();

    [GeneratedRegex(@"\G(?:\$*@\$*""|\$*"")")]
    private static partial Regex StringStart();

    [GeneratedRegex(@"\G'(?:\\.[^']*|[^'\\])'")]
    private static partial Regex CharLiteral();

    [GeneratedRegex(@"<ProjectReference\s+Include=""[^""]*ConsentPlatform\.(\w+)\.csproj""")]
    private static partial Regex ProjectReference();
}
