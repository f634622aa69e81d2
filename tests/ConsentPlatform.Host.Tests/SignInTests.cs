using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;

namespace ConsentPlatform.Host.Tests;

public sealed partial class SignInTests(HostFactory host) : IClassFixture<HostFactory>
{
    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();

    private static async Task<string> TokenFromAsync(HttpResponseMessage page) =>
        AntiforgeryField().Match(await page.Content.ReadAsStringAsync()).Groups[1].Value;

    [Fact]
    public async Task Key_signs_in_a_browser_session_that_ends_when_the_key_is_revoked()
    {
        var (_, key) = await host.CreateOrganizationAsync("Sign-in K.K.");
        using var browser = host.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

        var page = await browser.GetAsync("/directory/organization");
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.StartsWith("/signin", page.Headers.Location!.PathAndQuery, StringComparison.Ordinal);

        var form = await browser.GetAsync("/signin?returnUrl=/directory/organization");
        var signIn = await browser.PostAsync("/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = await TokenFromAsync(form), ["key"] = key.Key, ["returnUrl"] = "/directory/organization",
        }));
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.Equal("/directory/organization", signIn.Headers.Location!.OriginalString);

        var profile = await browser.GetAsync("/directory/organization");
        Assert.Equal(HttpStatusCode.OK, profile.StatusCode);
        Assert.Contains("Sign-in K.K.", await profile.Content.ReadAsStringAsync());

        await host.Identity.RevokeKeyAsync(key.Info.Id);
        await Testing.Eventually.AssertAsync(async () => (await browser.GetAsync("/directory/organization")).StatusCode == HttpStatusCode.Redirect,
            TimeSpan.FromSeconds(5), "a session made from a revoked key must end");
    }

    [Fact]
    public async Task Wrong_key_is_refused_and_an_offsite_return_url_is_ignored()
    {
        var (_, key) = await host.CreateOrganizationAsync();
        using var browser = host.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

        var form = await browser.GetAsync("/signin");
        var token = await TokenFromAsync(form);
        var wrong = await browser.PostAsync("/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["key"] = key.Key[..^1] + (key.Key[^1] == 'a' ? 'b' : 'a'),
        }));
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);

        var right = await browser.PostAsync("/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["key"] = key.Key, ["returnUrl"] = "//evil.example/phish",
        }));
        Assert.Equal("/", right.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Sign_in_without_an_antiforgery_token_is_rejected()
    {
        var (_, key) = await host.CreateOrganizationAsync();
        using var browser = host.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var response = await browser.PostAsync("/signin", new FormUrlEncodedContent(new Dictionary<string, string> { ["key"] = key.Key }));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }
}
