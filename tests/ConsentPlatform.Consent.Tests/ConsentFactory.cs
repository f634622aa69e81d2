using System.Net.Http.Json;
using System.Text.Json;
using ConsentPlatform.Contracts;
using ConsentPlatform.ServiceDefaults.Identity;
using ConsentPlatform.Telephony;
using ConsentPlatform.Testing;
using Dapper;
using MassTransit;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace ConsentPlatform.Consent.Tests;

/// <summary>The Consent service alone, in process, on its own temporary data folder and in-memory bus.</summary>
public sealed class ConsentFactory : WebApplicationFactory<ConsentDatabase>
{
    public static readonly string HashKey = Convert.ToBase64String(Enumerable.Range(7, 32).Select(i => (byte)i).ToArray());

    private readonly TempDirectory _data = new("cp-consent-");

    public string DataFolder => _data.Path;

    /// <summary>More settings, applied last: another database provider, or a data folder shared with a second factory as a second process.</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; init; } = new Dictionary<string, string?>();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Database:DataFolder", _data.Path);
        builder.UseSetting("Hashing:Key", HashKey);
        builder.UseSetting("RateLimiting:PublicRequestsPerMinute", "100000");
        builder.UseSetting("Outbox:PollMilliseconds", "20");
        builder.UseSetting("Identity:CacheSeconds", "1");
        foreach (var (key, value) in Settings) builder.UseSetting(key, value);
    }

    public IdentityStore Identity => Services.GetRequiredService<IdentityStore>();

    public PhoneNumberHasher Hasher => Services.GetRequiredService<PhoneNumberHasher>();

    public string HashOf(string phoneNumber) => Hasher.Hash(PhoneNumbers.Parse(phoneNumber, "JP").Number);

    public async Task<(string OrganizationId, HttpClient Client)> CreateOrganizationAsync(string legalName = "Acme K.K.")
    {
        var org = await Identity.CreateOrganizationAsync(legalName);
        var key = await Identity.CreateKeyAsync(org.Id, [Scopes.Consent], "test");
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Authorization = new("Bearer", key.Key);
        return (org.Id, client);
    }

    /// <summary>Publishes as another service would (through the bus, not our own code).</summary>
    public Task PublishAsync<T>(T message) where T : class => Services.GetRequiredService<IBus>().Publish(message);

    public async Task<T> QueryScalarAsync<T>(string sql, object? parameters = null)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(DataFolder, "consent.db")};Pooling=False");
        return (await connection.ExecuteScalarAsync<T>(sql, parameters))!;
    }

    private CodeRecorder? _codes;

    protected override Microsoft.Extensions.Hosting.IHost CreateHost(Microsoft.Extensions.Hosting.IHostBuilder builder) => CodeRecorder.Attach(base.CreateHost(builder), out _codes);

    /// <summary>The one-time-code commands as Notices receives them: off the bus.</summary>
    public CodeRecorder Codes => _codes ?? throw new InvalidOperationException("The host has not started");

    /// <summary>How many outbox rows were ever written (sent rows carrying a code are deleted, so a count of rows would not tell).</summary>
    public Task<long> OutboxWritesAsync() => QueryScalarAsync<long>("SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence WHERE name = 'outbox_messages'");

    public async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, object? parameters = null)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(DataFolder, "consent.db")};Pooling=False");
        return (await connection.QueryAsync<T>(sql, parameters)).ToList();
    }

    protected override void Dispose(bool disposing)
    {
        _codes?.Dispose();
        base.Dispose(disposing);
        SqliteConnection.ClearAllPools();
        if (disposing) _data.Dispose();
    }
}

public static class Api
{
    public static async Task<JsonElement> CheckAsync(this HttpClient client, object body)
    {
        var response = await client.PostAsJsonAsync("/api/consent/checks", body);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.IsSuccessStatusCode, $"check: {(int)response.StatusCode} {json}");
        return json;
    }

    public static string[] Reasons(this JsonElement check) => check.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()!).ToArray();

    public static string Decision(this JsonElement check) => check.GetProperty("decision").GetString()!;

    public static OptOutRequested OptOut(string contactHash, string organizationId, string source, string? purpose = null, params string[] channels) => new()
    {
        RequestId = Guid.NewGuid(), ContactHash = contactHash, OrganizationId = organizationId, Channels = channels,
        Purpose = purpose, Source = source, RequestedAt = DateTimeOffset.UtcNow,
    };
}

/// <summary>The signed-in pages as a browser without JavaScript uses them: a cookie session and the page's antiforgery field.</summary>
public static partial class Pages
{
    [System.Text.RegularExpressions.GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial System.Text.RegularExpressions.Regex AntiforgeryField();

    public static string TokenOf(string html) => AntiforgeryField().Match(html).Groups[1].Value;

    /// <summary>A new organization with an API client, and a browser signed in with a second key of the given scopes (consent only unless given).</summary>
    public static async Task<(string Org, HttpClient Api, HttpClient Browser)> SignedInAsync(this ConsentFactory factory, params string[] scopes)
    {
        var (org, api) = await factory.CreateOrganizationAsync();
        var key = await factory.Identity.CreateKeyAsync(org, scopes.Length == 0 ? [ServiceDefaults.Identity.Scopes.Consent] : scopes, "browser");
        var browser = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        var form = await browser.GetStringAsync("/signin");
        var signedIn = await browser.PostAsync("/signin", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = TokenOf(form), ["key"] = key.Key }));
        Assert.Equal(System.Net.HttpStatusCode.Redirect, signedIn.StatusCode);
        return (org, api, browser);
    }
}
