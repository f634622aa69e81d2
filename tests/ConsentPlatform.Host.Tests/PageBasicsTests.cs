using System.Net;

namespace ConsentPlatform.Host.Tests;

/// <summary>The small things people notice on every page (issue 14): the tab's icon.</summary>
public sealed class PageBasicsTests(HostFactory host) : IClassFixture<HostFactory>
{
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
}
