using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace ConsentPlatform.Host.Tests;

/// <summary>
/// Cross-site request forgery against a signed-in browser (issue 12, finding 4; ADR 0017): every
/// POST, PUT, PATCH and DELETE route the host maps, sent as another site could make the browser
/// send it — the session cookie and nothing else — is refused and changes no row.
/// </summary>
public sealed partial class CrossSiteRequestTests : IAsyncLifetime
{
    private static readonly string[] Unsafe = ["POST", "PUT", "PATCH", "DELETE"];
    private readonly HostFactory _host = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_cookie_only_cross_site_request_to_any_state_changing_route_is_refused_and_changes_nothing()
    {
        var (_, key) = await _host.CreateOrganizationAsync("Forgery K.K.");
        using var company = _host.CreateClient(key.Key);
        var profile = await company.PutAsJsonAsync("/api/directory/organization", new
        {
            legalName = "Forgery K.K.", contactEmail = "privacy@forgery.example", privacyPolicyUrl = "https://forgery.example/privacy",
        });
        Assert.Equal(HttpStatusCode.OK, profile.StatusCode);
        var added = await company.PostAsJsonAsync("/api/directory/numbers", new
        {
            phoneNumber = "03-5555-0123", department = "Sales", purposes = new[] { "Renewals" }, callingHoursStart = "09:00", callingHoursEnd = "18:00",
        });
        Assert.True(added.StatusCode == HttpStatusCode.Created, await added.Content.ReadAsStringAsync());
        var numberId = (await added.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        using var browser = _host.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        var cookies = await SignInAsync(browser, key.Key);
        var session = cookies.Split("; ").Single(c => c.StartsWith("cp_session=", StringComparison.Ordinal));

        var routes = _host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? []).Intersect(Unsafe).Select(m => (Method: m, Endpoint: e)))
            .ToList();
        var before = await QuietSnapshotAsync();
        var wrong = new List<string>();
        foreach (var (method, endpoint) in routes)
        {
            var path = PathOf(endpoint.RoutePattern, numberId);
            using var forged = new HttpRequestMessage(new HttpMethod(method), path)
            {
                // What a form on another site can send without a preflight.
                Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["enabled"] = "false", ["code"] = "123456", ["name"] = "x" }),
            };
            forged.Headers.Add("Cookie", session);
            forged.Headers.Add("Origin", "https://attacker.example");
            forged.Headers.Add("Sec-Fetch-Site", "cross-site");
            var answer = await browser.SendAsync(forged);
            var body = await answer.Content.ReadAsStringAsync();
            var rides = endpoint.Metadata.GetMetadata<IAuthorizeData>() is not null && endpoint.Metadata.GetMetadata<IAllowAnonymous>() is null;
            var status = (int)answer.StatusCode;
            // Anonymous routes do not ride the session (anyone may call them); they must just not act on this request,
            // and a form without any of their fields is input like any other (never a 5xx).
            if (rides ? status != 400 || !body.Contains("__RequestVerificationToken") : status is < 400 or >= 500)
                wrong.Add($"{method} {path} ({endpoint.RoutePattern.RawText}) answered {status}: {body[..Math.Min(body.Length, 200)]}");
            if (answer.Headers.TryGetValues("Set-Cookie", out var set) && set.Any(c => c.StartsWith("cp_session=;", StringComparison.Ordinal)))
                wrong.Add($"{method} {path} signed the browser out");
        }

        Assert.True(routes.Count >= 40, $"only {routes.Count} state-changing routes found");
        Assert.True(wrong.Count == 0, $"{wrong.Count} of {routes.Count} forged requests were not refused:\n" + string.Join("\n", wrong));
        await Task.Delay(TimeSpan.FromSeconds(1));
        var after = await SnapshotAsync();
        Assert.Equal(before.Where(t => after.GetValueOrDefault(t.Key) != t.Value).Select(t => t.Key), []);

        // The same session with the page's token is accepted: the refusals above were the forgery's.
        var landing = await SendAsync(browser, HttpMethod.Get, "/", cookies);
        var token = WebUtility.HtmlDecode(AntiforgeryField().Match(await landing.Content.ReadAsStringAsync()).Groups[1].Value);
        using var signOut = new HttpRequestMessage(HttpMethod.Post, "/signout");
        signOut.Headers.Add("Cookie", cookies);
        signOut.Headers.Add("RequestVerificationToken", token);
        var signedOut = await browser.SendAsync(signOut);
        Assert.Equal(HttpStatusCode.Redirect, signedOut.StatusCode);
    }

    /// <summary>The route with its parameters filled in; the Directory number routes get a real number.</summary>
    private static string PathOf(RoutePattern pattern, string numberId)
    {
        var path = new StringBuilder();
        foreach (var segment in pattern.PathSegments)
        {
            path.Append('/');
            foreach (var part in segment.Parts)
            {
                path.Append(part switch
                {
                    RoutePatternLiteralPart literal => literal.Content,
                    RoutePatternParameterPart { Name: "id" } when pattern.RawText!.Contains("numbers") => numberId,
                    RoutePatternParameterPart p when p.ParameterPolicies.Any(c => c.Content is "guid") => Guid.NewGuid().ToString(),
                    RoutePatternParameterPart p when p.ParameterPolicies.Any(c => c.Content is "int" or "long") => "1",
                    RoutePatternParameterPart => "x" + Guid.NewGuid().ToString("N")[..8],
                    RoutePatternSeparatorPart separator => separator.Content,
                    _ => "",
                });
            }
        }
        return path.Length == 0 ? "/" : path.ToString();
    }

    private async Task<string> SignInAsync(HttpClient browser, string key)
    {
        var form = await browser.GetAsync("/signin");
        var antiforgery = CookiesOf(form).Single(c => c.StartsWith("cp_af=", StringComparison.Ordinal));
        using var signIn = new HttpRequestMessage(HttpMethod.Post, "/signin")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = WebUtility.HtmlDecode(AntiforgeryField().Match(await form.Content.ReadAsStringAsync()).Groups[1].Value),
                ["key"] = key,
            }),
        };
        signIn.Headers.Add("Cookie", antiforgery);
        var signedIn = await browser.SendAsync(signIn);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        return antiforgery + "; " + CookiesOf(signedIn).Single(c => c.StartsWith("cp_session=", StringComparison.Ordinal));
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, string cookies)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Add("Cookie", cookies);
        return await client.SendAsync(request);
    }

    private static IEnumerable<string> CookiesOf(HttpResponseMessage response) =>
        (response.Headers.TryGetValues("Set-Cookie", out var set) ? set : []).Select(c => c.Split(';')[0]);

    /// <summary>A snapshot once background work (relays, replicas) has settled: two in a row alike.</summary>
    private async Task<Dictionary<string, string>> QuietSnapshotAsync()
    {
        var last = await SnapshotAsync();
        for (var i = 0; i < 40; i++)
        {
            await Task.Delay(500);
            var next = await SnapshotAsync();
            if (next.Count == last.Count && next.All(t => last.GetValueOrDefault(t.Key) == t.Value)) return next;
            last = next;
        }
        return last;
    }

    /// <summary>A hash of every table's rows in every database of the host.</summary>
    private async Task<Dictionary<string, string>> SnapshotAsync()
    {
        var tables = new Dictionary<string, string>();
        foreach (var file in System.IO.Directory.GetFiles(_host.DataFolder, "*.db"))
        {
            await using var connection = new SqliteConnection($"Data Source={file};Mode=ReadOnly;Pooling=False");
            foreach (var table in await connection.QueryAsync<string>("SELECT name FROM sqlite_master WHERE type = 'table'"))
            {
                var rows = (await connection.QueryAsync($"SELECT * FROM \"{table}\"")).Select(r => string.Join("|", ((IDictionary<string, object?>)r).Values.Select(v => v is byte[] b ? Convert.ToHexString(b) : v?.ToString())));
                tables[$"{Path.GetFileName(file)}:{table}"] = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\n", rows.Order()))));
            }
        }
        return tables;
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
