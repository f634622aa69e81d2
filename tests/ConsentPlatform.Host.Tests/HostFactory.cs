using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using ConsentPlatform.Host;
using ConsentPlatform.Notices;
using ConsentPlatform.ServiceDefaults.Data;
using ConsentPlatform.ServiceDefaults.Identity;
using ConsentPlatform.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ConsentPlatform.Host.Tests;

/// <summary>The all-in-one host in process, on its own temporary data folder.</summary>
public partial class HostFactory : WebApplicationFactory<HostAssembly>
{
    private readonly TempDirectory _data = new("cp-host-");

    public string DataFolder => _data.Path;

    protected virtual string EnvironmentName => Environments.Development;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(EnvironmentName);
        builder.UseSetting("Database:DataFolder", _data.Path);
        builder.UseSetting("Identity:CacheSeconds", "1");
        builder.UseSetting("RateLimiting:PublicRequestsPerMinute", "100000");
        builder.UseSetting("Outbox:PollMilliseconds", "20");
        // An in-memory server listens on no address, so its short links name the base address its clients use.
        builder.UseSetting("Notices:PublicBaseUrl", "http://localhost");
    }

    public IdentityStore Identity => Services.GetRequiredService<IdentityStore>();

    /// <summary>A new organization and a key for it with the given scopes (all when none given).</summary>
    public async Task<(string OrganizationId, IssuedApiKey Key)> CreateOrganizationAsync(string legalName = "Acme K.K.", params string[] scopes)
    {
        var org = await Identity.CreateOrganizationAsync(legalName);
        var key = await Identity.CreateKeyAsync(org.Id, scopes.Length == 0 ? Scopes.All.ToArray() : scopes, "test");
        return (org.Id, key);
    }

    public HttpClient CreateClient(string apiKey)
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Authorization = new("Bearer", apiKey);
        return client;
    }

    /// <summary>
    /// Publishes <paramref name="landline"/> as the organization's calling number the way a company
    /// does: profile, number, and the code read out by the verification call (dev call log).
    /// </summary>
    public async Task PublishCallingNumberAsync(HttpClient company, string legalName, string landline, string department = "Sales", string purpose = "Seminar follow-up")
    {
        Assert.Equal(HttpStatusCode.OK, (await company.PutAsJsonAsync("/api/directory/organization", new
        {
            legalName, contactEmail = "privacy@company.example", privacyPolicyUrl = "https://company.example/privacy",
        })).StatusCode);
        var added = await company.PostAsJsonAsync("/api/directory/numbers", new
        {
            phoneNumber = landline, department, purposes = new[] { purpose }, callingHoursStart = "09:00", callingHoursEnd = "18:00",
        });
        Assert.True(added.StatusCode == HttpStatusCode.Created, await added.Content.ReadAsStringAsync());
        var numberId = (await added.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        var started = await company.PostAsync($"/api/directory/numbers/{numberId}/verification", null);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var request = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("requestId").GetString();
        string? spoken = null;
        await Eventually.AssertAsync(async () => (spoken = await QueryAsync<NoticesDatabase, string?>("SELECT spoken_text FROM dev_calls WHERE request_id = @request", new { request })) is not null,
            TimeSpan.FromSeconds(15), "the company's landline hears its code");
        var code = new string(SpokenCode().Match(spoken!).Groups[1].Value.Where(char.IsAsciiDigit).ToArray());
        Assert.Equal(HttpStatusCode.OK, (await company.PostAsJsonAsync($"/api/directory/numbers/{numberId}/verification/code", new { code })).StatusCode);
    }

    /// <summary>Plans a call (again until Notices has the consent) and returns the short code in the pre-call SMS to <paramref name="e164"/>.</summary>
    public async Task<string> PlanCallAndReadLinkCodeAsync(HttpClient company, string e164, object call)
    {
        await Eventually.AssertAsync(async () =>
        {
            var planned = await company.PostAsJsonAsync("/api/notices/calls", call);
            var answer = await planned.Content.ReadFromJsonAsync<JsonElement>();
            return planned.IsSuccessStatusCode && answer.GetProperty("notices")[0].GetProperty("status").GetString() != "refused";
        }, TimeSpan.FromSeconds(20), "a pre-call notice is queued once Notices has the consent", TimeSpan.FromMilliseconds(250));
        string? code = null;
        await Eventually.AssertAsync(async () =>
            (code = ShortLink().Match(await QueryAsync<NoticesDatabase, string?>("SELECT body FROM dev_inbox WHERE to_number = @e164 AND body LIKE '%/r/%'", new { e164 }) ?? "") is { Success: true } m
                ? m.Groups["code"].Value : null) is not null,
            TimeSpan.FromSeconds(15), "the pre-call SMS with its link reaches the dev inbox");
        return code!;
    }

    /// <summary>One value read from a service's database.</summary>
    public async Task<T> QueryAsync<TDatabase, T>(string sql, object? parameters = null) where TDatabase : ServiceDatabase
    {
        await using var connection = await Services.GetRequiredService<TDatabase>().OpenAsync();
        return (await connection.ExecuteScalarAsync<T>(sql, parameters))!;
    }

    /// <summary>
    /// Every place one of <paramref name="values"/> appears, as UTF-8 or UTF-16, in the files under the data folder whose
    /// names match <paramref name="files"/> (a database's -wal and -shm too), read while the services keep them open.
    /// </summary>
    public (List<string> Found, List<string> Files) Residue(IEnumerable<string> values, string files = "*")
    {
        var patterns = values.SelectMany(v => new[] { ("utf-8", Encoding.UTF8.GetBytes(v)), ("utf-16le", Encoding.Unicode.GetBytes(v)), ("utf-16be", Encoding.BigEndianUnicode.GetBytes(v)) }).ToList();
        var found = new List<string>();
        var read = System.IO.Directory.EnumerateFiles(DataFolder, files, SearchOption.AllDirectories).ToList();
        foreach (var file in read)
        {
            byte[] bytes;
            using (var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
            using (var copy = new MemoryStream())
            {
                stream.CopyTo(copy);
                bytes = copy.ToArray();
            }
            foreach (var (encoding, pattern) in patterns)
                if (bytes.AsSpan().IndexOf(pattern) >= 0) found.Add($"{Path.GetFileName(file)}: {Encoding.UTF8.GetString(pattern.Where(b => b != 0).ToArray())} ({encoding})");
        }
        return (found, read);
    }

    [GeneratedRegex(@"/r/(?<code>[A-Za-z0-9_-]+)")]
    private static partial Regex ShortLink();

    [GeneratedRegex("確認コードは、 ([0-9、 ]+)です")]
    private static partial Regex SpokenCode();

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (disposing) _data.Dispose();
    }
}

/// <summary>The host on a data folder the test owns, so a second host can open what the first left behind.</summary>
public sealed class HostOnFolder(string folder) : HostFactory
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Database:DataFolder", folder);
    }

    /// <summary>Runs SQL on one of the folder's SQLite databases while no host has it open.</summary>
    public static async Task ExecuteOfflineAsync(string folder, string database, string sql)
    {
        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(folder, database + ".db")}"))
            await connection.ExecuteAsync(sql);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }
}

/// <summary>The host as `dotnet run` starts it without launch settings: what an attacker meets.</summary>
public sealed class ProductionHostFactory : HostFactory
{
    protected override string EnvironmentName => Environments.Production;
}
