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

    [Theory]
    [InlineData("/", null, "ja", "同意フォーム")]
    [InlineData("/", "en-US,en;q=0.9", "en", "Consent forms")]
    [InlineData("/?lang=en", "ja-JP", "en", "Consent forms")]
    [InlineData("/signin", null, "ja", "APIキー")]
    [InlineData("/signin", "en", "en", "API key")]
    [InlineData("/signin?lang=ja", "en", "ja", "APIキー")]
    public async Task The_landing_and_sign_in_pages_speak_Japanese_unless_the_browser_or_the_switch_asks_for_English(
        string path, string? acceptLanguage, string lang, string expected)
    {
        using var client = host.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (acceptLanguage is not null) request.Headers.AcceptLanguage.ParseAdd(acceptLanguage);

        var html = WebUtility.HtmlDecode(await (await client.SendAsync(request)).Content.ReadAsStringAsync());

        Assert.Contains($"<html lang=\"{lang}\">", html);
        Assert.Contains(expected, html);
        Assert.Contains($"hreflang=\"{(lang == "ja" ? "en" : "ja")}\"", html);
    }

    [Fact]
    public async Task A_refused_key_is_explained_in_the_language_the_form_was_shown_in()
    {
        using var browser = host.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        var form = await browser.GetAsync("/signin?lang=ja");

        var refused = await browser.PostAsync("/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = await TokenFromAsync(form), ["key"] = "cpk_not-a-key", ["lang"] = "ja",
        }));

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        var html = WebUtility.HtmlDecode(await refused.Content.ReadAsStringAsync());
        Assert.Contains("そのキーは登録されていないか、無効にされています。", html);
        Assert.Contains("<html lang=\"ja\">", html);
    }
}
