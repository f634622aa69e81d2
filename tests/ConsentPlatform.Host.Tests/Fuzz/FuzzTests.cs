using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace ConsentPlatform.Host.Tests.Fuzz;

/// <summary>
/// Every operation of the four OpenAPI documents, as the running host (in Production) serves
/// them, gets generated hostile input with a valid key, with no key and with another
/// organization's key. Nothing may answer 5xx; every 4xx is problem details; every 400 names a
/// field or parameter; a refused request changes no table's row count.
/// </summary>
public sealed class FuzzTests(FuzzFixture fuzz, ITestOutputHelper output) : IClassFixture<FuzzFixture>
{
    [Fact]
    public async Task Hostile_input_to_every_operation_gets_no_5xx_only_problem_details_named_400s_and_no_writes_when_refused()
    {
        var run = await fuzz.RunAsync();

        foreach (var (operation, count) in run.Requests.OrderBy(r => r.Key, StringComparer.Ordinal))
            output.WriteLine($"{count,5}  {operation}  [{string.Join(' ', run.Observed[operation])}]");
        output.WriteLine($"{run.Requests.Values.Sum()} requests to {run.Requests.Count} operations in {run.Elapsed.TotalSeconds:F0} s; "
            + $"5xx: {run.ServerErrors.Count}, 4xx without problem details: {run.NotProblemDetails.Count}, unnamed 400s: {run.UnnamedBadRequests.Count}, "
            + $"refusals that changed rows: {run.ChangedRows.Count}");

        Assert.True(run.Requests.Count >= 40, $"only {run.Requests.Count} operations were found in the documents");
        Assert.True(run.ServerErrors.Count == 0, "5xx:\n" + string.Join('\n', run.ServerErrors.Take(20)));
        Assert.True(run.NotProblemDetails.Count == 0, "4xx without problem details:\n" + string.Join('\n', run.NotProblemDetails.Take(20)));
        Assert.True(run.UnnamedBadRequests.Count == 0, "400s naming nothing:\n" + string.Join('\n', run.UnnamedBadRequests.Take(20)));
        Assert.True(run.ChangedRows.Count == 0, "refused requests that changed rows:\n" + string.Join('\n', run.ChangedRows.Take(20)));
    }

    [Fact]
    public async Task Every_status_the_fuzz_run_observed_is_declared_by_its_operation()
    {
        var run = await fuzz.RunAsync();

        var undeclared = run.Observed
            .SelectMany(o => o.Value.Where(status => !run.Declared[o.Key].Contains(status)).Select(status => $"{o.Key}: {status}"))
            .ToList();

        Assert.True(undeclared.Count == 0, "observed but not declared:\n" + string.Join('\n', undeclared));
    }
}

public sealed record FuzzResult(
    Dictionary<string, int> Requests, Dictionary<string, SortedSet<int>> Observed, Dictionary<string, HashSet<int>> Declared,
    List<string> ServerErrors, List<string> NotProblemDetails, List<string> UnnamedBadRequests, List<string> ChangedRows, TimeSpan Elapsed);

/// <summary>The host, two organizations with some data, and one fuzz run both tests read.</summary>
public sealed class FuzzFixture : IDisposable
{
    private static readonly string[] Services = ["consent", "notices", "responses", "directory"];
    private readonly ProductionHostFactory _host = new();
    private readonly Lazy<Task<FuzzResult>> _run;

    public FuzzFixture() => _run = new(RunOnceAsync);

    public Task<FuzzResult> RunAsync() => _run.Value;

    public void Dispose() => _host.Dispose();

    private enum Caller { Owner, Anonymous, Stranger }

    private sealed record Attempt(HttpMethod Method, string Path, HttpContent? Content, string What);

    private async Task<FuzzResult> RunOnceAsync()
    {
        var (_, owner) = await _host.CreateOrganizationAsync("Fuzz Owner K.K.");
        var (_, stranger) = await _host.CreateOrganizationAsync("Fuzz Stranger K.K.");
        var clients = new Dictionary<Caller, HttpClient>
        {
            [Caller.Owner] = _host.CreateClient(owner.Key),
            [Caller.Anonymous] = _host.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false }),
            [Caller.Stranger] = _host.CreateClient(stranger.Key),
        };
        // As a browser asks: every operation is under /api/, where a browser too gets problem details
        // (pages answer it HTML; HtmlProblemWriter).
        foreach (var client in clients.Values) client.DefaultRequestHeaders.Accept.ParseAdd(PageBasicsTests.BrowserAccept);
        var ids = await SeedAsync(clients[Caller.Owner]);
        using var counter = new RowCounter(_host.DataFolder);

        var result = new FuzzResult([], [], [], [], [], [], [], TimeSpan.Zero);
        var clock = Stopwatch.StartNew();
        foreach (var service in Services)
        {
            var document = JsonNode.Parse(await clients[Caller.Owner].GetStringAsync($"/openapi/{service}.json"))!;
            foreach (var (path, item) in document["paths"]!.AsObject())
            foreach (var (method, operationNode) in item!.AsObject())
            {
                if (operationNode is not JsonObject operation || method is "parameters" or "summary" or "description") continue;
                var name = $"{method.ToUpperInvariant()} {path}";
                result.Declared[name] = operation["responses"]?.AsObject().Select(r => int.TryParse(r.Key, out var s) ? s : 0).ToHashSet() ?? [];
                result.Observed[name] = [];
                result.Requests[name] = 0;
                var generator = new AttemptGenerator(document, new HttpMethod(method.ToUpperInvariant()), path, operation, ids);
                foreach (var caller in new[] { Caller.Owner, Caller.Anonymous, Caller.Stranger })
                foreach (var attempt in generator.Generate(full: caller == Caller.Owner))
                {
                    await SendAsync(clients[caller], counter, name, $"{caller}: {attempt.What}", attempt, result);
                }
            }
        }
        return result with { Elapsed = clock.Elapsed };
    }

    private static async Task SendAsync(HttpClient client, RowCounter counter, string operation, string what, Attempt attempt, FuzzResult result)
    {
        var before = counter.Count();
        using var request = new HttpRequestMessage(attempt.Method, attempt.Path) { Content = attempt.Content };
        using var response = await client.SendAsync(request);
        var status = (int)response.StatusCode;
        var body = await response.Content.ReadAsStringAsync();
        result.Requests[operation]++;
        result.Observed[operation].Add(status);
        var label = $"{operation} {what} -> {status} {Shorten(body)}";

        if (status >= 500) result.ServerErrors.Add(label);
        if (status is < 400 or >= 500)
        {
            // An accepted request may go on writing (outbox, consumers, audit): wait until the tables are still before the next request.
            await counter.SettleAsync();
            return;
        }
        if (response.Content.Headers.ContentType?.MediaType != "application/problem+json") result.NotProblemDetails.Add(label);
        else if (status == 400 && !NamesAField(body)) result.UnnamedBadRequests.Add(label);

        var after = counter.Count();
        if (!after.SequenceEqual(before))
        {
            // Work an earlier accepted request started may still be landing: only a difference that stays is this request's.
            after = await counter.SettleAsync();
            var changed = counter.Tables.Where((t, i) => before[i] != after[i] && !CountedRefusals.Contains(t)).ToList();
            if (changed.Count > 0) result.ChangedRows.Add($"{label}: {string.Join(", ", changed)}");
        }
    }

    /// <summary>
    /// Tables a refusal is meant to write: a wrong one-time code is counted, so that five of them
    /// lock verification of the number (guessing a code must not be free).
    /// </summary>
    private static readonly HashSet<string> CountedRefusals = ["directory.db:code_failures"];

    private static bool NamesAField(string body)
    {
        try
        {
            return JsonNode.Parse(body)?["errors"] is JsonObject { Count: > 0 } errors && errors.All(e => e.Key.Length > 0);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string Shorten(string body) => body.Length > 300 ? body[..300] + "…" : body;

    /// <summary>Real ids of the owner's things, so operations on one get past "not found" into their input handling.</summary>
    private static async Task<Dictionary<string, string>> SeedAsync(HttpClient owner)
    {
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        var profile = await owner.PutAsJsonAsync("/api/directory/organization", new { legalName = "Fuzz Owner K.K.", contactEmail = "privacy@fuzz.example" });
        Assert.True(profile.IsSuccessStatusCode, $"seed profile: {(int)profile.StatusCode}");
        ids["events"] = await Trust.TrustHelpers.CreateEventAsync(owner);
        var number = await owner.PostAsJsonAsync("/api/directory/numbers", new
        {
            phoneNumber = "03-5555-0101", department = "Sales", purposes = new[] { "renewals" }, callingHoursStart = "09:00", callingHoursEnd = "18:00",
        });
        if (number.IsSuccessStatusCode) ids["numbers"] = (await number.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        return ids;
    }

    /// <summary>Row counts of every table in every database under the data folder.</summary>
    private sealed class RowCounter : IDisposable
    {
        /// <summary>
        /// Rows that stand for work still to be done in the background: an accepted request may queue a
        /// verification call that the pacing schedule places seconds later, long after its tables were still.
        /// Work scheduled further ahead than the settle window (a call planned for tomorrow) is not waited for.
        /// </summary>
        private static readonly Dictionary<string, string> PendingWork = new(StringComparer.Ordinal)
        {
            ["outbox_messages"] = "sent_at IS NULL",
            ["outgoing_messages"] = "status IN ('pending', 'sending') AND next_attempt_at <= @soon",
            ["outgoing_calls"] = "status IN ('pending', 'placing') AND next_attempt_at <= @soon",
            ["outgoing_emails"] = "status IN ('pending', 'sending') AND next_attempt_at <= @soon",
        };

        private readonly List<(SqliteConnection Connection, string Sql, int Tables)> _databases = [];
        private readonly List<(SqliteConnection Connection, string Sql)> _pending = [];

        public List<string> Tables { get; } = [];

        public RowCounter(string folder)
        {
            foreach (var file in System.IO.Directory.GetFiles(folder, "*.db").Order(StringComparer.Ordinal))
            {
                var connection = new SqliteConnection($"Data Source={file};Mode=ReadOnly;Pooling=False");
                connection.Open();
                using var list = connection.CreateCommand();
                list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name";
                var names = new List<string>();
                using (var reader = list.ExecuteReader())
                    while (reader.Read()) names.Add(reader.GetString(0));
                if (names.Count == 0)
                {
                    connection.Dispose();
                    continue;
                }
                Tables.AddRange(names.Select(n => $"{Path.GetFileName(file)}:{n}"));
                _databases.Add((connection, "SELECT " + string.Join(", ", names.Select(n => $"(SELECT COUNT(*) FROM \"{n}\")")), names.Count));
                var pending = names.Where(PendingWork.ContainsKey).Select(n => $"(SELECT COUNT(*) FROM \"{n}\" WHERE {PendingWork[n]})").ToList();
                if (pending.Count > 0) _pending.Add((connection, "SELECT " + string.Join(" + ", pending)));
            }
        }

        public long[] Count()
        {
            var counts = new List<long>(Tables.Count);
            foreach (var (connection, sql, tables) in _databases)
            {
                using var command = connection.CreateCommand();
                command.CommandText = sql;
                using var reader = command.ExecuteReader();
                reader.Read();
                for (var i = 0; i < tables; i++) counts.Add(reader.GetInt64(i));
            }
            return [.. counts];
        }

        /// <summary>The counts once no background work is queued and two reads 100 ms apart agree (at most about 15 s).</summary>
        public async Task<long[]> SettleAsync()
        {
            var last = Count();
            for (var i = 0; i < 150; i++)
            {
                await Task.Delay(100);
                var now = Count();
                if (now.SequenceEqual(last) && Pending() == 0) return now;
                last = now;
            }
            return last;
        }

        private long Pending()
        {
            long total = 0;
            foreach (var (connection, sql) in _pending)
            {
                using var command = connection.CreateCommand();
                command.CommandText = sql;
                command.Parameters.AddWithValue("@soon", DateTimeOffset.UtcNow.AddSeconds(20).ToUnixTimeMilliseconds());
                total += (long)command.ExecuteScalar()!;
            }
            return total;
        }

        public void Dispose()
        {
            foreach (var (connection, _, _) in _databases) connection.Dispose();
        }
    }

    /// <summary>Requests for one operation: a plausible one, then hostile path, query and body values.</summary>
    private sealed class AttemptGenerator(JsonNode document, HttpMethod method, string path, JsonObject operation, Dictionary<string, string> ids)
    {
        private static readonly string[] HostileTexts =
        [
            "", "\0", "a\u202Egnp.exe", "x\u2066y\u2069", "<script>alert(1)</script>", "' OR '1'='1'; DROP TABLE ledger;--", "line\r\nInjected: yes",
            "../../etc/passwd", "=HYPERLINK(\"https://evil.example\")", "{{7*7}}${7*7}", new string('A', 100_000), "\uFFFF\uFFFE", "９０-１２３４",
        ];

        /// <summary>Values of the wrong JSON kind or out of range, as raw JSON.</summary>
        private static readonly string[] HostileJson =
        [
            "null", "12345", "-1", "true", "[]", "{}", "1e400", "\"\\ud800\"", "\"\\u0000\"", "[null]", "{\"$ref\":\"x\"}", "\"2026-13-45T25:61:00Z\"",
            JsonSerializer.Serialize(new string('B', 300_000)),
        ];

        // %00 in a path is refused by the server before the app (the test client refuses to send it).
        private static readonly string[] HostilePathValues = ["abc", "%01", "..%2F..%2Fetc", "%E2%80%AE", "%FF%FE", "0", "-1", new string('9', 400), "'%20OR%201=1--"];

        private static readonly string[] HostileQueryValues =
            ["", "abc", "%00", "%FF", "%E2%80%AE", "-1", "99999999999999999999", "1e400", "<script>", "'%20OR%201=1--", "2026-13-45", new string('C', 20_000)];

        private const string Placeholder = "__fuzz_value__";

        public IEnumerable<Attempt> Generate(bool full)
        {
            var parameters = (operation["parameters"]?.AsArray() ?? []).Select(p => Resolve(p)!.AsObject()).ToList();
            var pathParameters = parameters.Where(p => (string?)p["in"] == "path").Select(p => (string)p["name"]!).ToList();
            var queryParameters = parameters.Where(p => (string?)p["in"] == "query").Select(p => (string)p["name"]!).ToList();
            var content = operation["requestBody"]?["content"]?.AsObject();
            var contentTypes = content?.Select(c => c.Key).ToList() ?? [];
            var schema = content?.FirstOrDefault(c => c.Key.Contains("json", StringComparison.Ordinal)).Value?["schema"];
            var sample = schema is null ? null : Sample(schema, 0);

            string Url(Dictionary<string, string>? pathValues = null, string? query = null)
            {
                var url = path;
                foreach (var name in pathParameters)
                    url = url.Replace("{" + name + "}", pathValues?.GetValueOrDefault(name) ?? KnownId(path), StringComparison.Ordinal);
                return query is null ? url : url + "?" + query;
            }
            HttpContent? Body(string? json, string mediaType = "application/json") =>
                json is null ? null : new StringContent(json, Encoding.UTF8, new MediaTypeHeaderValue(mediaType));
            var plain = contentTypes.Count == 0 ? null
                : contentTypes.Contains("application/json") ? sample?.ToJsonString() ?? "{}"
                : contentTypes.Contains("text/csv") ? "phone\n03-1234-5678\n" : "x";
            var plainType = contentTypes.Contains("application/json") || contentTypes.Count == 0 ? "application/json" : contentTypes[0];

            yield return new Attempt(method, Url(), Body(plain, plainType), "plausible");
            if (!full)
            {
                // Without a key or with a stranger's: the refusal must hold whatever the input.
                if (contentTypes.Count > 0) yield return new Attempt(method, Url(), Body("{\"x\":\"\\u0000\"", "application/json"), "broken json");
                foreach (var name in pathParameters) yield return new Attempt(method, Url(new() { [name] = "%01" }), Body(plain, plainType), $"{name}=%01");
                foreach (var name in queryParameters) yield return new Attempt(method, Url(query: $"{name}=%FF"), Body(plain, plainType), $"{name}=%FF");
                yield break;
            }

            foreach (var name in pathParameters)
                foreach (var value in HostilePathValues)
                    yield return new Attempt(method, Url(new() { [name] = value }), Body(plain, plainType), $"path {name}={Cut(value)}");
            foreach (var name in queryParameters)
                foreach (var value in HostileQueryValues)
                    yield return new Attempt(method, Url(query: $"{name}={(value.Contains('%') ? value : Uri.EscapeDataString(value))}"), Body(plain, plainType), $"query {name}={Cut(value)}");
            if (contentTypes.Count == 0) yield break;

            // The body as a whole.
            yield return new Attempt(method, Url(), null, "no body");
            foreach (var json in new[] { "", "{", "null", "[]", "\"text\"", "42", "{\"a\":1,\"a\":2}", new string('[', 5_000) + new string(']', 5_000) })
                yield return new Attempt(method, Url(), Body(json), $"body {Cut(json)}");
            yield return new Attempt(method, Url(), new ByteArrayContent([0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xC3, 0x28, 0xFF, 0x22, 0x7D]) { Headers = { ContentType = new("application/json") } }, "invalid UTF-8");
            yield return new Attempt(method, Url(), Body("{\"x\":\"" + new string('D', 3_000_000) + "\"}"), "3 MB body");
            yield return new Attempt(method, Url(), Body(plain, "text/plain"), "text/plain");
            yield return new Attempt(method, Url(), Body("<a>1</a>", "application/xml"), "application/xml");
            if (contentTypes.Contains("text/csv"))
                foreach (var csv in new[] { "phone\n\"03-1234-5678\n", "a,\"b\"c\"\n1,2", "\0\0\0", "phone\n=cmd|' /C calc'!A0\n", "電話番号\r\n\u202E0312345678\r\n" })
                    yield return new Attempt(method, Url(), Body(csv, "text/csv"), $"csv {Cut(csv)}");

            // Each field, hostile in turn; a nested object's fields too.
            if (sample is not JsonObject root) yield break;
            foreach (var (fieldPath, _) in Fields(root, ""))
            {
                var values = HostileJson.Concat(HostileTexts.Select(t => JsonSerializer.Serialize(t))).ToList();
                foreach (var value in values)
                {
                    // Raw JSON text goes in by text: a JsonNode cannot hold what is hostile about some of it (a lone surrogate).
                    var copy = root.DeepClone().AsObject();
                    Set(copy, fieldPath, JsonValue.Create(Placeholder));
                    yield return new Attempt(method, Url(), Body(copy.ToJsonString().Replace($"\"{Placeholder}\"", value, StringComparison.Ordinal)), $"{fieldPath}={Cut(value)}");
                }
            }
        }

        private string KnownId(string template) =>
            ids.FirstOrDefault(i => template.Contains($"/{i.Key}/", StringComparison.Ordinal)).Value ?? "00000000-0000-0000-0000-000000000001";

        private static string Cut(string value) => value.Length > 24 ? value[..24] + $"…({value.Length})" : value;

        private static IEnumerable<(string Path, JsonNode? Value)> Fields(JsonObject node, string prefix)
        {
            foreach (var (name, value) in node)
            {
                var fieldPath = prefix.Length == 0 ? name : $"{prefix}.{name}";
                yield return (fieldPath, value);
                if (value is JsonObject nested && prefix.Length == 0)
                    foreach (var inner in Fields(nested, fieldPath)) yield return inner;
            }
        }

        private static void Set(JsonObject root, string fieldPath, JsonNode? value)
        {
            var parts = fieldPath.Split('.');
            var node = root;
            foreach (var part in parts[..^1]) node = node[part]!.AsObject();
            node[parts[^1]] = value;
        }

        private JsonNode? Resolve(JsonNode? node)
        {
            for (var i = 0; i < 10 && node?["$ref"] is JsonValue reference; i++)
            {
                var target = document;
                foreach (var part in ((string)reference!).TrimStart('#', '/').Split('/')) target = target![part]!;
                node = target;
            }
            return node;
        }

        /// <summary>A value of the schema's shape, plausible enough to reach the handler's own checks.</summary>
        private JsonNode? Sample(JsonNode schemaNode, int depth)
        {
            var schema = Resolve(schemaNode);
            if (schema is null || depth > 4) return null;
            if ((schema["anyOf"] ?? schema["oneOf"]) is JsonArray alternatives)
                return alternatives.Select(s => Sample(s!, depth + 1)).FirstOrDefault(s => s is not null);
            var types = schema["type"] switch
            {
                JsonArray list => list.Select(t => (string)t!).ToList(),
                JsonValue one => [(string)one!],
                _ => schema["properties"] is not null ? ["object"] : [],
            };
            var type = types.FirstOrDefault(t => t is not ("null" or "string")) ?? types.FirstOrDefault(t => t != "null");
            return type switch
            {
                "object" when schema["properties"] is JsonObject properties =>
                    new JsonObject(properties.Select(p => KeyValuePair.Create(p.Key, Sample(p.Value!, depth + 1)))),
                "object" => new JsonObject(),
                "array" => new JsonArray(schema["items"] is { } items ? Sample(items, depth + 1) : JsonValue.Create("x")),
                "integer" => JsonValue.Create(1),
                "number" => JsonValue.Create(1.5),
                "boolean" => JsonValue.Create(true),
                "string" => (string?)schema["format"] switch
                {
                    "date" => JsonValue.Create("2026-04-01"),
                    "date-time" => JsonValue.Create("2026-04-01T10:00:00+09:00"),
                    "uuid" => JsonValue.Create(Guid.NewGuid().ToString()),
                    _ => schema["enum"] is JsonArray values && values.Count > 0 ? values[0]!.DeepClone() : JsonValue.Create("x"),
                },
                _ => JsonValue.Create("x"),
            };
        }
    }
}
