using ConsentPlatform.ServiceDefaults.Identity;
using ConsentPlatform.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Playwright;

namespace ConsentPlatform.Browser.Tests;

/// <summary>
/// The all-in-one host as a separate process on its own data folder, and a headless Chromium
/// driven by Playwright. Shared by the browser tests of a collection; each test takes a fresh
/// browser context from <see cref="NewPageAsync"/> (own cookies, own network log).
/// </summary>
public sealed class HostFixture : IAsyncLifetime
{
    public const string CollectionName = "browser";

    private readonly TempDirectory _run = new("cp-browser-");
    private ServiceProcess? _host;
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public string DataFolder => _run.Combine("data");

    private static readonly byte[] HashKey = Enumerable.Range(40, 32).Select(i => (byte)i).ToArray();

    /// <summary>A number's keyed hash as the host stores it (its key is this fixture's), for tests that seed rows about a contact.</summary>
    public string HashOf(string phoneNumber) => new Telephony.PhoneNumberHasher("k1", HashKey).Hash(Telephony.PhoneNumbers.Parse(phoneNumber, "JP").Number);

    public ServiceProcess Host => _host ?? throw new InvalidOperationException(BrowserFactAttribute.SkipReason ?? "The host did not start.");

    /// <summary>http://127.0.0.1:{port}/ of the running host.</summary>
    public Uri BaseAddress => Host.BaseAddress;

    public IBrowser Browser => _browser ?? throw new InvalidOperationException(BrowserFactAttribute.SkipReason ?? "Chromium did not start.");

    public async Task InitializeAsync()
    {
        // xunit creates collection fixtures even when every test is skipped: then start nothing.
        if (BrowserFactAttribute.SkipReason is not null) return;

        System.IO.Directory.CreateDirectory(DataFolder);
        _host = await ServiceProcess.StartAsync("ConsentPlatform.Host", new Dictionary<string, string?>
        {
            ["Database__DataFolder"] = DataFolder,
            ["Hashing__Key"] = Convert.ToBase64String(HashKey),
            ["RateLimiting__PublicRequestsPerMinute"] = "100000",
            ["Identity__CacheSeconds"] = "1",
            ["Outbox__PollMilliseconds"] = "50",
        });
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = BrowserFactAttribute.ChromiumPath,
            Headless = true,
            Args = [$"--host-resolver-rules=MAP {TestPageServer.Host} 127.0.0.1", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    /// <summary>An organization and an API key for it (all scopes unless given), made with the host's own commands on the shared data folder.</summary>
    public async Task<(string OrganizationId, string ApiKey)> CreateOrganizationAsync(string legalName = "Browser Test K.K.", params string[] scopes)
    {
        var organizationId = await RunIdentityCommandAsync(["org", "create", "--name", legalName]);
        return (organizationId, (await CreateKeyAsync(organizationId, "browser-test", scopes)).ApiKey);
    }

    /// <summary>Another key for an organization (all scopes unless given): its id, as pages show it, and the key itself.</summary>
    public async Task<(string KeyId, string ApiKey)> CreateKeyAsync(string organizationId, string name, params string[] scopes)
    {
        var key = await RunIdentityCommandAsync(["key", "create", "--org", organizationId, "--name", name, .. (scopes.Length > 0 ? new[] { "--scopes", string.Join(',', scopes) } : [])]);
        // cpk_{id}_{secret}
        return (key.Split('_')[1], key);
    }

    /// <summary>Runs one of the host's identity commands on the shared data folder and returns the last line it printed.</summary>
    private async Task<string> RunIdentityCommandAsync(string[] arguments)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([new("Database:DataFolder", DataFolder)]).Build();
        var output = new StringWriter();
        if (await IdentityCommands.RunAsync(arguments, configuration, output, output) != 0)
            throw new InvalidOperationException($"{arguments[0]} {arguments[1]} failed: {output}");
        return output.ToString().Trim().Split('\n')[^1].Trim();
    }

    /// <summary>An HttpClient for the host's organization API with this key.</summary>
    public HttpClient CreateApiClient(string apiKey)
    {
        var client = Host.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", apiKey);
        return client;
    }

    /// <summary>A page in a fresh browser context; dispose the context with the page's <c>Context.CloseAsync()</c>.</summary>
    public async Task<IPage> NewPageAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { Locale = "en-US" });
        // CI runs the test assemblies side by side on two cores: a page may take longer than the 5 s
        // Playwright's assertions wait by default.
        Assertions.SetDefaultExpectTimeout(20_000);
        return await context.NewPageAsync();
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null) await _browser.CloseAsync();
        _playwright?.Dispose();
        if (_host is not null) await _host.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _run.Dispose();
    }
}

[CollectionDefinition(HostFixture.CollectionName)]
public sealed class BrowserCollection : ICollectionFixture<HostFixture>;
