using System.Net;
using System.Text.RegularExpressions;
using ConsentPlatform.Contracts;
using ConsentPlatform.Responses;
using ConsentPlatform.ServiceDefaults.Identity;
using ConsentPlatform.Telephony;
using ConsentPlatform.Testing;
using Dapper;
using MassTransit;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace ConsentPlatform.Responses.Tests;

/// <summary>The Responses service in process on its own data folder, with helpers to act as Notices and Consent.</summary>
public sealed partial class ResponsesFactory : WebApplicationFactory<ResponsesDatabase>
{
    public const string PhoneBrowser = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
    public static readonly string HashKey = Convert.ToBase64String(Enumerable.Range(7, 32).Select(i => (byte)i).ToArray());

    private readonly TempDirectory _data = new("cp-responses-");
    private readonly Dictionary<string, string?> _settings;

    public ResponsesFactory(Dictionary<string, string?>? settings = null) => _settings = settings ?? [];

    public string DataFolder => _data.Path;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Database:DataFolder", _data.Path);
        builder.UseSetting("Hashing:Key", HashKey);
        builder.UseSetting("Identity:CacheSeconds", "1");
        builder.UseSetting("RateLimiting:PublicRequestsPerMinute", "100000");
        builder.UseSetting("Outbox:PollMilliseconds", "20");
        builder.UseSetting("Responses:Crm:PollSeconds", "0.05");
        foreach (var (key, value) in _settings) builder.UseSetting(key, value);
    }

    public PhoneNumberHasher Hasher => Services.GetRequiredService<PhoneNumberHasher>();

    private CodeRecorder? _codes;

    protected override Microsoft.Extensions.Hosting.IHost CreateHost(Microsoft.Extensions.Hosting.IHostBuilder builder) => CodeRecorder.Attach(base.CreateHost(builder), out _codes);

    /// <summary>The one-time-code commands as Notices receives them: off the bus.</summary>
    public CodeRecorder Codes => _codes ?? throw new InvalidOperationException("The host has not started");

    /// <summary>A client that looks like a phone's browser and keeps cookies (the sign-in session and its antiforgery cookie), without following redirects.</summary>
    public HttpClient CreateBrowser(string userAgent = PhoneBrowser)
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        // An empty agent is a client that sends none (scripts, some scanners).
        if (userAgent.Length > 0) client.DefaultRequestHeaders.TryAddWithoutValidation("User-Agent", userAgent);
        return client;
    }

    public async Task<(string OrganizationId, HttpClient Api)> CreateOrganizationAsync(string legalName = "Acme K.K.")
    {
        var (org, key) = await CreateOrganizationKeyAsync(legalName);
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Authorization = new("Bearer", key);
        return (org, client);
    }

    public async Task<(string OrganizationId, string Key)> CreateOrganizationKeyAsync(string legalName = "Acme K.K.")
    {
        var identity = Services.GetRequiredService<IdentityStore>();
        var org = await identity.CreateOrganizationAsync(legalName);
        var key = await identity.CreateKeyAsync(org.Id, [Scopes.Responses], "test");
        return (org.Id, key.Key);
    }

    /// <summary>A staff member's browser, signed in with the organization's key on /signin.</summary>
    public async Task<HttpClient> SignInAsync(string key)
    {
        var browser = CreateBrowser();
        var token = AntiforgeryToken(await browser.GetStringAsync("/signin"));
        var signIn = await browser.PostAsync("/signin", new FormUrlEncodedContent([new("__RequestVerificationToken", token), new("key", key)]));
        if (signIn.StatusCode != HttpStatusCode.Redirect) throw new InvalidOperationException($"Sign-in failed: {(int)signIn.StatusCode}");
        return browser;
    }

    /// <summary>What Notices does when it sends a notice: publishes the link, then we wait for the replica to hold it.</summary>
    public async Task<ResponseLinkIssued> IssueLinkAsync(string organizationId, string phone = "090-1234-5678", string topic = "New plan for your team", string? code = null,
        string? externalId = null)
    {
        var number = PhoneNumbers.Parse(phone).Number;
        var link = new ResponseLinkIssued
        {
            Code = code ?? "c" + Guid.NewGuid().ToString("N")[..10],
            NoticeId = Guid.NewGuid(),
            OrganizationId = organizationId,
            MaskedNumber = number.FormatMasked(),
            ContactHash = Hasher.Hash(number),
            Topic = topic,
            CallerName = "Yamada",
            IssuedAt = DateTimeOffset.UtcNow,
            ExternalId = externalId,
        };
        await Services.GetRequiredService<IBus>().Publish(link);
        await Eventually.AssertAsync(async () => await CountAsync("SELECT COUNT(*) FROM response_links WHERE code = @code", new { code = link.Code }) == 1,
            TimeSpan.FromSeconds(10), "the link reaches the replica");
        return link;
    }

    public async Task PublishAsync<T>(T message) where T : class => await Services.GetRequiredService<IBus>().Publish(message);

    public async Task PublishProfileAsync(string organizationId, string legalName) =>
        await PublishAsync(new OrganizationProfileChanged
        {
            OrganizationId = organizationId, Revision = 1, LegalName = legalName, ContactEmail = "privacy@acme.example",
            ContactPhone = "+81312345678", ChangedAt = DateTimeOffset.UtcNow,
        });

    public async Task<long> CountAsync(string sql, object? args = null)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(_data.Path, "responses.db")};Pooling=False");
        return await connection.ExecuteScalarAsync<long>(sql, args);
    }

    public async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, object? args = null)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(_data.Path, "responses.db")};Pooling=False");
        return (await connection.QueryAsync<T>(sql, args)).ToList();
    }

    /// <summary>Rows a request may have written: responses, outbox messages, visits, deliveries, challenges.</summary>
    public async Task<(long Responses, long Outbox, long Visits, long Deliveries)> StateAsync(string code) => (
        await CountAsync("SELECT COUNT(*) FROM responses"),
        await CountAsync("SELECT COUNT(*) FROM outbox_messages WHERE message_type NOT LIKE '%OrganizationProfileChanged'"),
        await CountAsync("SELECT COALESCE(SUM(visits), 0) FROM link_visits WHERE code = @code", new { code }),
        await CountAsync("SELECT COUNT(*) FROM crm_deliveries"));

    /// <summary>Every table's rows, except those that mention one of the given codes: what a request may not change.</summary>
    public async Task<Dictionary<string, string>> SnapshotAsync(params string[] except)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(_data.Path, "responses.db")};Mode=ReadOnly;Pooling=False");
        var tables = new Dictionary<string, string>();
        foreach (var table in await connection.QueryAsync<string>("SELECT name FROM sqlite_master WHERE type = 'table'"))
        {
            var rows = (await connection.QueryAsync($"SELECT * FROM \"{table}\""))
                .Select(r => string.Join("|", ((IDictionary<string, object?>)r).Values.Select(v => v is byte[] b ? Convert.ToHexString(b) : v?.ToString())))
                .Where(row => !except.Any(code => row.Contains(code, StringComparison.Ordinal)));
            tables[table] = string.Join("\n", rows.Order(StringComparer.Ordinal));
        }
        return tables;
    }

    /// <summary>The tables whose rows differ between two snapshots, each with its rows afterwards.</summary>
    public static IReadOnlyList<string> Changed(Dictionary<string, string> before, Dictionary<string, string> after) =>
        [.. after.Where(t => before.GetValueOrDefault(t.Key) != t.Value).Select(t => $"{t.Key}: {t.Value}")];

    /// <summary>Opens the form as a browser would and posts the given fields; fails unless the thank-you page comes back.</summary>
    public static async Task SubmitAsync(HttpClient browser, string code, params (string Key, string Value)[] fields)
    {
        var token = FormToken(await browser.GetStringAsync($"/r/{code}?lang=en"));
        var response = await browser.PostAsync($"/r/{code}", new FormUrlEncodedContent(
            [new("__formToken", token), new("lang", "en"), .. fields.Select(f => new KeyValuePair<string, string>(f.Key, f.Value))]));
        if (response.StatusCode != HttpStatusCode.OK)
            throw new InvalidOperationException($"Posting the response failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    public static string AntiforgeryToken(string html) =>
        TokenPattern().Match(html) is { Success: true } m ? WebUtility.HtmlDecode(m.Groups[1].Value) : throw new InvalidOperationException("No antiforgery token in the page");

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();

    /// <summary>The cookie-less token of the public forms (the short link's form and the generic opt-out).</summary>
    public static string FormToken(string html) =>
        FormTokenPattern().Match(html) is { Success: true } m ? WebUtility.HtmlDecode(m.Groups[1].Value) : throw new InvalidOperationException("No form token in the page");

    [GeneratedRegex("name=\"__formToken\" value=\"([^\"]+)\"")]
    private static partial Regex FormTokenPattern();

    protected override void Dispose(bool disposing)
    {
        _codes?.Dispose();
        base.Dispose(disposing);
        SqliteConnection.ClearAllPools();
        if (disposing) _data.Dispose();
    }
}
