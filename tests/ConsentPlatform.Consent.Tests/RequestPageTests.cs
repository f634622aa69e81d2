using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using static ConsentPlatform.Consent.Tests.FormHelpers;

namespace ConsentPlatform.Consent.Tests;

/// <summary>The data-subject request pages (R31): the same checks, code limits and service as the public API, with no script and no API knowledge.</summary>
public sealed class RequestPageTests(ConsentFactory factory) : IClassFixture<ConsentFactory>
{
    private static readonly DateTimeOffset TomorrowNoonTokyo =
        new(DateTime.SpecifyKind(DateTime.UtcNow.Date.AddDays(1).AddHours(12), DateTimeKind.Unspecified), TimeSpan.FromHours(9));

    private HttpClient Browser() => factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    private Task<int> RequestCountAsync() => factory.QueryScalarAsync<int>("SELECT COUNT(*) FROM data_subject_requests");

    /// <summary>Opens a request on the start page and follows the redirect to the request's own page.</summary>
    private static async Task<(string Location, string Html)> OpenOnThePageAsync(HttpClient browser, string kind, string contact, string lang = "en")
    {
        var (response, html) = await browser.PostPageFormAsync($"/consent/requests?lang={lang}", "/consent/requests", [Field("kind", kind), Field("contact", contact)]);
        Assert.True(response.StatusCode == HttpStatusCode.Found, $"{(int)response.StatusCode} {html}");
        var location = response.Headers.Location!.OriginalString;
        Assert.Matches($"^/consent/requests/dsr_[0-9a-f]{{20}}\\?lang={lang}$", location);
        return (location, WebUtility.HtmlDecode(await browser.GetStringAsync(location)));
    }

    [Theory]
    [InlineData("ja", "個人情報の消去・利用停止の請求", "第三者提供の停止")]
    [InlineData("en", "Ask us to erase or stop using your data", "Stop giving it to third parties")]
    public async Task The_start_page_offers_erasure_stop_use_and_stop_of_third_party_provision_in_the_asked_language(string lang, string title, string thirdParty)
    {
        using var browser = Browser();

        var response = await browser.GetAsync($"/consent/requests?lang={lang}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        Assert.Contains($"<html lang=\"{lang}\">", html);
        Assert.Contains(title, html);
        Assert.Contains(thirdParty, html);
        foreach (var kind in new[] { "erasure", "stop_use", "stop_third_party_provision" })
            Assert.Contains($"name=\"kind\" value=\"{kind}\"", html);
        Assert.Contains("name=\"__formToken\"", html);
        Assert.DoesNotContain("<script", html);
    }

    [Fact]
    public async Task An_erasure_made_on_the_pages_waits_for_the_code_then_shows_completed_with_its_deadline_and_the_check_denies()
    {
        var (_, client) = await factory.CreateOrganizationAsync();
        var formId = (await client.CreateEventAsync()).GetProperty("id").GetString()!;
        using var browser = Browser();
        await browser.SubmitFormAsync(formId, [Field("channels", "call"), Field("phone", "090-6262-0001")]);
        var at = TomorrowNoonTokyo.ToString("O");
        Assert.Equal("allow", (await client.CheckAsync(new { phoneNumber = "090-6262-0001", channel = "call", purpose = "seminar", at })).Decision());

        // Any format: full-width digits and a +81 prefix are the same number.
        var (location, codePage) = await OpenOnThePageAsync(browser, "erasure", "＋８１ ９０-６２６２-０００１", "ja");

        Assert.Contains("確認コードの入力", codePage);
        Assert.Contains("autocomplete=\"one-time-code\"", codePage);
        Assert.Equal("allow", (await client.CheckAsync(new { phoneNumber = "090-6262-0001", channel = "call", purpose = "seminar", at })).Decision());
        var code = (await factory.Codes.SentAsync(m => m.PhoneNumber == "+819062620001")).Code;
        var id = location.Split('/')[^1].Split('?')[0];

        var (confirmed, _) = await browser.PostPageFormAsync(location, $"/consent/requests/{id}/code", [Field("code", code)]);

        Assert.Equal(HttpStatusCode.Found, confirmed.StatusCode);
        Assert.Equal(location, confirmed.Headers.Location!.OriginalString);
        var done = WebUtility.HtmlDecode(await browser.GetStringAsync(location));
        Assert.Contains("data-status=\"completed\"", done);
        Assert.Contains("消去しました", done);
        var due = (await browser.GetFromJsonAsync<JsonElement>($"/api/public/consent/requests/{id}")).GetProperty("dueAt").GetDateTimeOffset().ToOffset(TimeSpan.FromHours(9));
        Assert.Contains($"data-field=\"deadline\">{due:yyyy年M月d日 H:mm}<", done);
        var check = await client.CheckAsync(new { phoneNumber = "090-6262-0001", channel = "call", purpose = "seminar", at });
        Assert.Equal("deny", check.Decision());
        Assert.Contains("erased", check.Reasons());
    }

    [Theory]
    [InlineData("ja")]
    [InlineData("en")]
    public async Task The_consent_receipt_links_to_the_request_pages_in_its_language_outside_the_frame(string lang)
    {
        var (_, client) = await factory.CreateOrganizationAsync();
        var formId = (await client.CreateEventAsync()).GetProperty("id").GetString()!;
        using var browser = Browser();

        var (response, html) = await browser.SubmitFormAsync(formId, [Field("channels", "call"), Field("phone", "090-6262-0004")], lang);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains($"<a href=\"/consent/requests?lang={lang}\" target=\"_blank\"", html);
    }

    [Fact]
    public async Task A_wrong_code_on_the_page_is_refused_naming_the_field_and_the_request_stays_pending()
    {
        using var browser = Browser();
        var (location, _) = await OpenOnThePageAsync(browser, "stop_use", "stop.me@example.jp");
        var code = (await factory.Codes.SentAsync(m => m.Email == "stop.me@example.jp")).Code;
        var id = location.Split('/')[^1].Split('?')[0];

        var (wrong, html) = await browser.PostPageFormAsync(location, $"/consent/requests/{id}/code", [Field("code", code == "000000" ? "111111" : "000000")]);

        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.Contains("data-error=\"code\">The code does not match.<", html);
        Assert.Contains($"action=\"/consent/requests/{id}/code\"", html);
        Assert.Equal("pending_verification", (await browser.GetFromJsonAsync<JsonElement>($"/api/public/consent/requests/{id}")).GetProperty("status").GetString());
    }

    [Theory]
    [InlineData("erasure", "090-1234", "contact")]
    [InlineData("erasure", "03-1234-5678", "contact")]
    [InlineData("erasure", "not@an@address", "contact")]
    [InlineData("erasure", "", "contact")]
    [InlineData("delete_everything", "090-6262-0009", "kind")]
    public async Task Input_a_request_cannot_use_is_refused_naming_the_field_keeping_what_was_typed_and_sends_no_code(string kind, string contact, string field)
    {
        using var browser = Browser();
        var before = await factory.OutboxWritesAsync();
        var requests = await RequestCountAsync();

        var (response, html) = await browser.PostPageFormAsync("/consent/requests?lang=en", "/consent/requests", [Field("kind", kind), Field("contact", contact)]);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains($"data-error=\"{field}\"", html);
        Assert.Contains($"name=\"contact\" value=\"{contact}\"", WebUtility.HtmlDecode(html));
        Assert.Equal(before, await factory.OutboxWritesAsync());
        Assert.Equal(requests, await RequestCountAsync());
    }

    [Fact]
    public async Task A_post_from_another_site_or_without_the_form_token_is_refused_naming_the_token_and_opens_nothing()
    {
        using var browser = Browser();
        var requests = await RequestCountAsync();
        using var crossSite = new HttpRequestMessage(HttpMethod.Post, "/consent/requests")
        {
            Content = new FormUrlEncodedContent([Field("kind", "erasure"), Field("contact", "090-6262-0002")]),
        };
        crossSite.Headers.Add("Sec-Fetch-Site", "cross-site");

        var forged = await browser.SendAsync(crossSite);
        var tokenless = await browser.PostAsync("/consent/requests", new FormUrlEncodedContent([Field("kind", "erasure"), Field("contact", "090-6262-0002")]));

        foreach (var response in new[] { forged, tokenless })
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("data-error=\"__formToken\"", await response.Content.ReadAsStringAsync());
        }
        Assert.Equal(requests, await RequestCountAsync());
    }

    [Fact]
    public async Task Stopping_third_party_provision_withdraws_only_the_sharing_consents_and_contact_stays_allowed()
    {
        var (_, client) = await factory.CreateOrganizationAsync();
        var formId = (await client.CreateEventAsync(EventBody(thirdParties: ["Sponsor Co."]))).GetProperty("id").GetString()!;
        using var browser = Browser();
        await browser.SubmitFormAsync(formId, [Field("channels", "sms"), Field("thirdParties", "Sponsor Co."), Field("phone", "090-6262-0003")]);
        var (location, _) = await OpenOnThePageAsync(browser, "stop_third_party_provision", "090-6262-0003");
        var id = location.Split('/')[^1].Split('?')[0];
        var code = (await factory.Codes.SentAsync(m => m.PhoneNumber == "+819062620003")).Code;

        var (confirmed, _) = await browser.PostPageFormAsync(location, $"/consent/requests/{id}/code", [Field("code", code)]);

        Assert.Equal(HttpStatusCode.Found, confirmed.StatusCode);
        Assert.Contains("Provision to third parties stopped.", await browser.GetStringAsync(location));
        var ledger = (await client.GetFromJsonAsync<JsonElement>("/api/consent/contacts?phoneNumber=090-6262-0003")).GetProperty("ledger").EnumerateArray()
            .Select(r => (r.GetProperty("action").GetString(), r.GetProperty("channel").GetString())).Order().ToList();
        Assert.Equal([("granted", "share"), ("granted", "sms"), ("withdrawn", "share")], ledger);
        var check = await client.CheckAsync(new { phoneNumber = "090-6262-0003", channel = "sms", purpose = "seminar", at = TomorrowNoonTokyo.ToString("O") });
        Assert.Equal("allow", check.Decision());
    }
}
