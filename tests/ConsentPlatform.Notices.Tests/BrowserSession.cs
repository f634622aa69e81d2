using System.Net;
using System.Text.RegularExpressions;
using ConsentPlatform.ServiceDefaults.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace ConsentPlatform.Notices.Tests;

/// <summary>A browser without JavaScript: cookies, the sign-in form, and the antiforgery field of each page.</summary>
public static partial class BrowserSession
{
    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();

    public static string TokenOf(string html) => AntiforgeryField().Match(html).Groups[1].Value;

    /// <summary>Signs in with a new key of the organization, as a person pasting their key into /signin.</summary>
    public static async Task<HttpClient> SignInAsync(NoticesFactory factory, string organizationId)
    {
        var key = await factory.Services.GetRequiredService<IdentityStore>().CreateKeyAsync(organizationId, [Scopes.Notices], "browser");
        var browser = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        var form = await (await browser.GetAsync("/signin")).Content.ReadAsStringAsync();
        var signedIn = await browser.PostAsync("/signin", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = TokenOf(form), ["key"] = key.Key }));
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        return browser;
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    /// <summary>The page's text as a reader sees it: entities decoded (Razor encodes non-ASCII characters), runs of white space as one.</summary>
    public static async Task<string> TextAsync(this HttpResponseMessage response) =>
        Whitespace().Replace(WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync()), " ");
}
