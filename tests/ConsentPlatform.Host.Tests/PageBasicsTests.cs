using System.Net;

namespace ConsentPlatform.Host.Tests;

/// <summary>
/// The small things people notice on every page (issue 14): the tab's icon, and a page in their
/// language (not JSON) when a page address is wrong, while API clients keep problem details.
/// </summary>
public sealed class PageBasicsTests(HostFactory host) : IClassFixture<HostFactory>
{
    /// <summary>What Chromium sends when a person opens an address.</summary>
    public const string BrowserAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8";

    [Theory]
    [InlineData("/favicon.ico", "image/x-icon")]
    [InlineData("/assets/favicon.svg", "image/svg+xml")]
    public async Task The_icon_is_served_by_name_and_cached(string path, string type)
    {
        using var client = host.CreateClient();

        var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(type, response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("max-age=", response.Headers.CacheControl?.ToString());
        Assert.True((await response.Content.ReadAsByteArrayAsync()).Length > 100, "the icon has content");
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/signin")]
    [InlineData("/r/no-such-code")]
    [InlineData("/lookup")]
    [InlineData("/consent/requests")]
    public async Task Every_page_links_the_icon_its_policy_allows(string path)
    {
        using var client = host.CreateClient();

        var response = await client.GetAsync(path);
        var html = await response.Content.ReadAsStringAsync();

        Assert.Contains("""<link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">""", html);
        Assert.Contains("img-src 'self'", response.Headers.GetValues("Content-Security-Policy").Single());
    }

    [Theory]
    [InlineData("/consent/forms/no-such-form")]
    [InlineData("/consent/requests/no-such-request")]
    [InlineData("/directory/no-such-page")]
    [InlineData("/no/such/page")]
    public async Task A_wrong_page_address_in_a_browser_is_a_404_page_in_Japanese_or_English_with_a_link_home(string path)
    {
        using var client = Browser("ja-JP,ja;q=0.9");

        var japanese = await client.GetAsync(path);
        var english = await client.GetAsync(path + "?lang=en");

        await AssertPageAsync(japanese, HttpStatusCode.NotFound, "ja", "ページが見つかりませんでした");
        await AssertPageAsync(english, HttpStatusCode.NotFound, "en", "We could not find this page");
    }

    [Fact]
    public async Task A_page_given_a_query_value_that_does_not_parse_is_a_400_page_in_the_browser_language()
    {
        var (_, key) = await host.CreateOrganizationAsync("Error Page K.K.");
        using var client = Browser("en-US,en;q=0.9");
        client.DefaultRequestHeaders.Authorization = new("Bearer", key.Key);

        var response = await client.GetAsync("/responses/list?before=yesterday");

        await AssertPageAsync(response, HttpStatusCode.BadRequest, "en", "We could not handle this request");
    }

    [Theory]
    [InlineData("/consent/forms/no-such-form", null)]
    [InlineData("/consent/forms/no-such-form", "application/json")]
    [InlineData("/api/consent/no-such-endpoint", BrowserAccept)]
    [InlineData("/api/public/directory/lookup?number=banana", BrowserAccept)]
    public async Task Api_paths_and_clients_that_do_not_ask_for_html_keep_problem_details(string path, string? accept)
    {
        using var client = host.CreateClient();
        if (accept is not null) client.DefaultRequestHeaders.Accept.ParseAdd(accept);

        var response = await client.GetAsync(path);

        Assert.True((int)response.StatusCode is >= 400 and < 500, $"{path}: {(int)response.StatusCode}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task The_generic_opt_out_address_is_its_own_page_and_an_unknown_code_says_the_link_was_not_found()
    {
        using var client = Browser("en");

        var optOut = await client.GetAsync("/r/opt-out");
        var unknown = await client.GetAsync("/r/no-such-code");

        Assert.Equal(HttpStatusCode.OK, optOut.StatusCode);
        var page = await optOut.Content.ReadAsStringAsync();
        Assert.Contains("<h1>Stop contact to your phone number</h1>", page);
        Assert.DoesNotContain("We could not find", page);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("<h1>We could not find this link</h1>", await unknown.Content.ReadAsStringAsync());
    }

    private HttpClient Browser(string languages)
    {
        var client = host.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Accept.ParseAdd(BrowserAccept);
        client.DefaultRequestHeaders.AcceptLanguage.ParseAdd(languages);
        return client;
    }

    private static async Task AssertPageAsync(HttpResponseMessage response, HttpStatusCode status, string language, string title)
    {
        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        Assert.True(response.StatusCode == status, $"{(int)response.StatusCode}: {html}");
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains($"<html lang=\"{language}\">", html);
        Assert.Contains($"<h1>{title}</h1>", html);
        Assert.Contains("<a href=\"/\">", html);
        Assert.Contains($"hreflang=\"{(language == "ja" ? "en" : "ja")}\"", html);
    }
}
