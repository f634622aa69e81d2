using System.Net;
using System.Text;
using ConsentPlatform.ServiceDefaults.Identity;
using Dapper;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace ConsentPlatform.Host.Tests;

public sealed class CredentialTests(HostFactory host) : IClassFixture<HostFactory>
{
    private sealed record OrganizationEndpoint(string Method, string Path, string Scope, string ContentType)
    {
        public override string ToString() => $"{Method} {Path} ({Scope})";
    }

    /// <summary>Every organization endpoint of every service, read from the running host's routing table.</summary>
    private IReadOnlyList<OrganizationEndpoint> OrganizationEndpoints()
    {
        var endpoints = host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>();
        return endpoints
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api/", StringComparison.Ordinal) == true)
            .SelectMany(e => e.Metadata.GetOrderedMetadata<IAuthorizeData>()
                .Where(a => a.Policy is { } p && Scopes.All.Contains(p))
                .SelectMany(a => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                    .Select(m => new OrganizationEndpoint(m, Fill(e.RoutePattern.RawText!), a.Policy!,
                        // Routing answers 415 before authorization for a body it does not accept.
                        e.Metadata.GetMetadata<Microsoft.AspNetCore.Http.Metadata.IAcceptsMetadata>()?.ContentTypes.FirstOrDefault() ?? "application/json"))))
            .Distinct()
            .ToList();
    }

    // Route parameters get a harmless value: the credential check runs before anything reads them.
    private static string Fill(string pattern) =>
        System.Text.RegularExpressions.Regex.Replace(pattern, @"\{[^}]+\}", "00000000-0000-0000-0000-000000000000");

    private async Task<HttpStatusCode> CallAsync(OrganizationEndpoint endpoint, string? apiKey)
    {
        using var client = apiKey is null ? host.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false }) : host.CreateClient(apiKey);
        using var request = new HttpRequestMessage(new HttpMethod(endpoint.Method), endpoint.Path);
        if (endpoint.Method is "POST" or "PUT" or "PATCH")
            request.Content = new StringContent(endpoint.ContentType.Contains("json") ? "{}" : "", Encoding.UTF8, endpoint.ContentType);
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    [Fact]
    public async Task Every_organization_endpoint_refuses_a_missing_revoked_or_unscoped_key()
    {
        var endpoints = OrganizationEndpoints();
        Assert.All(Scopes.All, scope => Assert.Contains(endpoints, e => e.Scope == scope)); // all four services are covered

        var (org, allScopes) = await host.CreateOrganizationAsync();
        var revoked = await host.Identity.CreateKeyAsync(org, Scopes.All.ToArray(), "revoked");
        Assert.True(await host.Identity.RevokeKeyAsync(revoked.Info.Id));

        var failures = new List<string>();
        foreach (var endpoint in endpoints)
        {
            var lacking = await host.Identity.CreateKeyAsync(org, Scopes.All.Where(s => s != endpoint.Scope).ToArray(), "lacking");
            (string Case, string? Key, HttpStatusCode[] Expected)[] table =
            [
                ("no key", null, [HttpStatusCode.Unauthorized]),
                ("malformed key", "cpk_not-a-key", [HttpStatusCode.Unauthorized]),
                ("revoked key", revoked.Key, [HttpStatusCode.Unauthorized]),
                ("key without the scope", lacking.Key, [HttpStatusCode.Forbidden]),
            ];
            foreach (var (name, key, expected) in table)
            {
                var status = await CallAsync(endpoint, key);
                if (!expected.Contains(status)) failures.Add($"{endpoint} with {name}: {(int)status}, expected {string.Join("/", expected.Select(s => (int)s))}");
            }
            var allowed = await CallAsync(endpoint, allScopes.Key);
            if (allowed is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
                failures.Add($"{endpoint} with a valid key: {(int)allowed}");
        }
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    [Fact]
    public async Task Keys_are_stored_only_as_hashes()
    {
        var (_, key) = await host.CreateOrganizationAsync();
        var secret = key.Key[(key.Key.LastIndexOf('_') + 1)..];

        await using var connection = new SqliteConnection($"Data Source={Path.Combine(host.DataFolder, "identity.db")}");
        var row = await connection.QuerySingleAsync<(string Id, string SecretHash)>("SELECT id, secret_hash FROM api_keys WHERE id = @id", new { id = key.Info.Id });
        Assert.DoesNotContain(secret, row.SecretHash);
        Assert.Equal(64, row.SecretHash.Length);

        connection.Close();
        SqliteConnection.ClearAllPools();
        foreach (var file in System.IO.Directory.GetFiles(host.DataFolder, "identity.db*"))
            Assert.DoesNotContain(secret, Encoding.Latin1.GetString(await File.ReadAllBytesAsync(file)));
    }

    [Fact]
    public async Task Revoked_key_stops_working_within_the_cache_window()
    {
        var (_, key) = await host.CreateOrganizationAsync();
        using var client = host.CreateClient(key.Key);
        Assert.NotEqual(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/notices/organization")).StatusCode);

        await host.Identity.RevokeKeyAsync(key.Info.Id);
        await Testing.Eventually.AssertAsync(async () => (await client.GetAsync("/api/notices/organization")).StatusCode == HttpStatusCode.Unauthorized,
            TimeSpan.FromSeconds(5), "a revoked key must be refused within Identity:CacheSeconds");
    }
}
