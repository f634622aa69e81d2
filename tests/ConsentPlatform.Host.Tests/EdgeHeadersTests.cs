using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace ConsentPlatform.Host.Tests;

/// <summary>Security headers on every response, and the real client behind a configured proxy (issue 12, finding 14).</summary>
public sealed partial class EdgeHeadersTests : IAsyncLifetime
{
    private const string Proxy = "10.9.8.7";
    private readonly HostFactory _host = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _host.DisposeAsync();

    /// <summary>The host as deployed behind a reverse proxy at <see cref="Proxy"/>: every request arrives from it.</summary>
    private WebApplicationFactory<HostAssembly> BehindProxy(string environment, int publicRequestsPerMinute = 100_000) =>
        _host.WithWebHostBuilder(b =>
        {
            b.UseEnvironment(environment);
            b.UseSetting("ForwardedHeaders:KnownProxies", Proxy);
            b.UseSetting("RateLimiting:PublicRequestsPerMinute", publicRequestsPerMinute.ToString());
            b.ConfigureServices(s => s.AddSingleton<IStartupFilter>(new FromAddress(IPAddress.Parse(Proxy))));
        });

    [Theory]
    [InlineData("/")]
    [InlineData("/signin")]
    [InlineData("/r/no-such-code")]
    [InlineData("/lookup?number=abc")]
    [InlineData("/notices/dev-inbox")]
    [InlineData("/assets/site.css")]
    [InlineData("/health/live")]
    public async Task Every_page_and_file_says_nosniff_and_no_referrer_and_may_not_be_framed(string path)
    {
        using var client = _host.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var response = await client.GetAsync(path);

        Assert.Equal("nosniff", Single(response, "X-Content-Type-Options"));
        Assert.Equal("no-referrer", Single(response, "Referrer-Policy"));
        Assert.Contains("frame-ancestors 'none'", Single(response, "Content-Security-Policy"));
    }

    [Theory]
    [InlineData("/api/consent/checks")]
    [InlineData("/api/public/directory/lookup?number=abc")]
    [InlineData("/openapi/consent.json")]
    [InlineData("/no/such/page")]
    public async Task Every_json_answer_says_nosniff_and_may_load_nothing_nor_be_framed(string path)
    {
        using var client = _host.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var response = await client.GetAsync(path);

        Assert.Contains("json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("nosniff", Single(response, "X-Content-Type-Options"));
        Assert.Equal("default-src 'none'; frame-ancestors 'none'", Single(response, "Content-Security-Policy"));
    }

    [Fact]
    public async Task Outside_development_https_responses_carry_hsts_and_development_ones_do_not()
    {
        await using var production = BehindProxy("Production");
        await using var development = BehindProxy("Development");

        foreach (var (app, expected) in new[] { (production, true), (development, false) })
        {
            using var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri("http://consent.example") });
            using var request = new HttpRequestMessage(HttpMethod.Get, "/signin");
            request.Headers.Add("X-Forwarded-Proto", "https");
            var response = await client.SendAsync(request);
            Assert.Equal(expected, response.Headers.Contains("Strict-Transport-Security"));
        }
    }

    [Fact]
    public async Task Behind_a_configured_proxy_the_session_cookie_is_secure_over_https()
    {
        await using var app = BehindProxy("Production");
        var (_, key) = await _host.CreateOrganizationAsync("Proxy K.K.");
        using var browser = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });

        using var form = new HttpRequestMessage(HttpMethod.Get, "/signin");
        form.Headers.Add("X-Forwarded-Proto", "https");
        form.Headers.Add("X-Forwarded-For", "203.0.113.7");
        var page = await browser.SendAsync(form);
        var antiforgeryCookie = Cookies(page).Single(c => c.StartsWith("cp_af=", StringComparison.Ordinal));
        using var signIn = new HttpRequestMessage(HttpMethod.Post, "/signin")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = WebUtility.HtmlDecode(AntiforgeryField().Match(await page.Content.ReadAsStringAsync()).Groups[1].Value),
                ["key"] = key.Key,
            }),
        };
        signIn.Headers.Add("X-Forwarded-Proto", "https");
        signIn.Headers.Add("X-Forwarded-For", "203.0.113.7");
        signIn.Headers.Add("Cookie", antiforgeryCookie.Split(';')[0]);
        var signedIn = await browser.SendAsync(signIn);

        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        var session = Cookies(signedIn).Single(c => c.StartsWith("cp_session=", StringComparison.Ordinal));
        Assert.Contains("secure", session, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("secure", antiforgeryCookie, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Behind_a_configured_proxy_the_public_rate_limit_counts_each_client_apart()
    {
        await using var app = BehindProxy("Production", publicRequestsPerMinute: 3);
        using var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        async Task<HttpStatusCode> FromAsync(string address)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/r/no-such-code");
            request.Headers.Add("X-Forwarded-For", address);
            return (await client.SendAsync(request)).StatusCode;
        }

        var first = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++) first.Add(await FromAsync("203.0.113.7"));
        Assert.Equal(HttpStatusCode.TooManyRequests, first[^1]);
        Assert.NotEqual(HttpStatusCode.TooManyRequests, await FromAsync("198.51.100.20"));
    }

    private static string Single(HttpResponseMessage response, string header) =>
        Assert.Single(response.Headers.TryGetValues(header, out var values) ? values
            : response.Content.Headers.TryGetValues(header, out var content) ? content : []);

    private static IEnumerable<string> Cookies(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var cookies) ? cookies : [];

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();

    /// <summary>The test server has no socket; this gives each request the proxy's address, as a real connection from it would.</summary>
    private sealed class FromAddress(IPAddress address) : IStartupFilter
    {
        public Action<Microsoft.AspNetCore.Builder.IApplicationBuilder> Configure(Action<Microsoft.AspNetCore.Builder.IApplicationBuilder> next) => app =>
        {
            app.Use((HttpContext context, RequestDelegate following) =>
            {
                context.Connection.RemoteIpAddress = address;
                return following(context);
            });
            next(app);
        };
    }
}
