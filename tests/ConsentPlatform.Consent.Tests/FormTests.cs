using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using ConsentPlatform.Contracts;
using ConsentPlatform.Testing;
using Microsoft.AspNetCore.Mvc.Testing;
using static ConsentPlatform.Consent.Tests.FormHelpers;

namespace ConsentPlatform.Consent.Tests;

public sealed class FormTests(ConsentFactory factory) : IClassFixture<ConsentFactory>
{
    private static string NoonInTokyo(int daysFromNow) =>
        new DateTimeOffset(DateTime.SpecifyKind(DateTime.UtcNow.Date.AddDays(daysFromNow).AddHours(12), DateTimeKind.Unspecified), TimeSpan.FromHours(9)).ToString("O");

    private HttpClient Browser() => factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    [Fact]
    public async Task Form_shows_sender_and_purpose_with_every_box_unticked_and_only_allowed_origins_may_frame_it()
    {
        var (_, client) = await factory.CreateOrganizationAsync();
        var form = await client.CreateEventAsync(EventBody(origins: ["https://events.example.com", "http://localhost:8080"], thirdParties: ["Sponsor Co."]));

        using var browser = Browser();
        var response = await browser.GetAsync($"/consent/forms/{form.GetProperty("id").GetString()}?lang=ja");
        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain("checked", html);
        Assert.Contains("Acme Kabushiki Kaisha", html);
        Assert.Contains("セミナーのご案内とフォローアップのため", html);
        Assert.Equal(4, System.Text.RegularExpressions.Regex.Matches(html, "type=\"checkbox\"").Count);
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.EndsWith("frame-ancestors 'self' https://events.example.com http://localhost:8080", csp);
        Assert.Contains("lang=\"ja\"", html);
    }

    [Fact]
    public async Task Submit_records_one_ledger_row_per_ticked_channel_with_evidence_and_announces_each()
    {
        var (org, client) = await factory.CreateOrganizationAsync();
        var form = await client.CreateEventAsync();
        var formId = form.GetProperty("id").GetString()!;

        using var browser = Browser();
        browser.DefaultRequestHeaders.UserAgent.ParseAdd("TestBrowser/1.0");
        var (response, html) = await browser.SubmitFormAsync(formId,
            [Field("channels", "sms"), Field("channels", "email"), Field("phone", "０９０－７７７７－０００１"), Field("email", "Taro@Example.JP")]);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var receipt = ReceiptId(html);
        Assert.StartsWith("rcpt_", receipt);
        Assert.Contains("I agree to receive SMS.", html);
        Assert.DoesNotContain("I agree to be called.", html);
        var rows = await client.GetFromJsonAsync<JsonElement[]>($"/api/consent/events/{formId}/submissions");
        Assert.Equal(["email", "sms"], rows!.Select(r => r.GetProperty("channel").GetString()).Order());
        var sms = rows!.Single(r => r.GetProperty("channel").GetString() == "sms");
        Assert.Equal("+819077770001", sms.GetProperty("contact").GetString());
        Assert.Equal(receipt, sms.GetProperty("receiptId").GetString());
        Assert.Equal(org, sms.GetProperty("organizationId").GetString());
        Assert.Equal(1, sms.GetProperty("textVersion").GetInt32());
        Assert.StartsWith("sha256:", sms.GetProperty("textHash").GetString());
        Assert.Equal("TestBrowser/1.0", sms.GetProperty("userAgent").GetString());
        Assert.Equal("Cloud Seminar 2026", sms.GetProperty("sourceEvent").GetString());
        Assert.Equal("web_form", sms.GetProperty("method").GetString());
        Assert.Equal("taro@example.jp", rows!.Single(r => r.GetProperty("channel").GetString() == "email").GetProperty("contact").GetString());
        Assert.Equal(2, await factory.QueryScalarAsync<int>("SELECT COUNT(*) FROM outbox_messages WHERE message_type = @type AND body LIKE @org",
            new { type = typeof(ConsentRecorded).FullName, org = $"%{org}%" }));
    }

    [Fact]
    public async Task Editing_a_consent_text_after_a_submission_leaves_the_earlier_row_at_the_earlier_version_and_hash()
    {
        var (_, client) = await factory.CreateOrganizationAsync();
        var form = await client.CreateEventAsync();
        var formId = form.GetProperty("id").GetString()!;
        using var browser = Browser();
        await browser.SubmitFormAsync(formId, [Field("channels", "sms"), Field("phone", "090-7777-0002")], lang: "ja");

        var edit = await client.PutAsJsonAsync($"/api/consent/events/{formId}", EventBody(smsJa: "SMSでのご案内（月2回まで）に同意します。"));
        Assert.Equal(HttpStatusCode.OK, edit.StatusCode);
        await browser.SubmitFormAsync(formId, [Field("channels", "sms"), Field("phone", "090-7777-0003")], lang: "ja");

        var versions = await client.GetFromJsonAsync<JsonElement[]>($"/api/consent/events/{formId}/texts");
        var smsJa = versions!.Where(v => v.GetProperty("channel").GetString() == "sms" && v.GetProperty("language").GetString() == "ja").ToArray();
        Assert.Equal([1, 2], smsJa.Select(v => v.GetProperty("version").GetInt32()));
        Assert.Equal("SMSでのご案内に同意します。", smsJa[0].GetProperty("body").GetString());
        var rows = await client.GetFromJsonAsync<JsonElement[]>($"/api/consent/events/{formId}/submissions");
        Assert.Equal(2, rows!.Length);
        Assert.Equal((1, smsJa[0].GetProperty("hash").GetString()), (rows[0].GetProperty("textVersion").GetInt32(), rows[0].GetProperty("textHash").GetString()));
        Assert.Equal((2, smsJa[1].GetProperty("hash").GetString()), (rows[1].GetProperty("textVersion").GetInt32(), rows[1].GetProperty("textHash").GetString()));
        Assert.NotEqual(rows[0].GetProperty("textHash").GetString(), rows[1].GetProperty("textHash").GetString());
        Assert.Equal(1, rows[0].GetProperty("formVersion").GetInt32());
        Assert.Equal(2, rows[1].GetProperty("formVersion").GetInt32());
    }

    [Fact]
    public async Task Person_shown_the_old_text_is_recorded_against_it_even_if_the_organizer_edits_before_submit()
    {
        var (_, client) = await factory.CreateOrganizationAsync();
        var formId = (await client.CreateEventAsync()).GetProperty("id").GetString()!;
        using var browser = Browser();
        var page = await browser.GetStringAsync($"/consent/forms/{formId}?lang=ja");
        await client.PutAsJsonAsync($"/api/consent/events/{formId}", EventBody(smsJa: "変更後の文言"));

        var hidden = System.Text.RegularExpressions.Regex.Matches(page, "<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]*)\" />")
            .Select(m => new KeyValuePair<string, string>(m.Groups[1].Value, WebUtility.HtmlDecode(m.Groups[2].Value)));
        var response = await browser.PostAsync($"/consent/forms/{formId}", new FormUrlEncodedContent([.. hidden, Field("channels", "sms"), Field("phone", "090-7777-0009")]));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var row = (await client.GetFromJsonAsync<JsonElement[]>($"/api/consent/events/{formId}/submissions"))!.Single();
        Assert.Equal(1, row.GetProperty("textVersion").GetInt32());
    }

    [Fact]
    public async Task Consent_past_its_lifetime_is_denied_with_consent_expired()
    {
        var (_, client) = await factory.CreateOrganizationAsync();
        var formId = (await client.CreateEventAsync(EventBody(lifetimeMonths: 1))).GetProperty("id").GetString()!;
        using var browser = Browser();
        await browser.SubmitFormAsync(formId, [Field("channels", "call"), Field("phone", "090-7777-0004")]);

        var within = await client.CheckAsync(new { phoneNumber = "09077770004", channel = "call", purpose = "seminar", at = NoonInTokyo(7) });
        var after = await client.CheckAsync(new { phoneNumber = "09077770004", channel = "call", purpose = "seminar", at = NoonInTokyo(40) });

        Assert.Equal(("allow", 1), (within.Decision(), within.GetProperty("consents").GetArrayLength()));
        Assert.Equal("deny", after.Decision());
        Assert.Equal(["consent_expired"], after.Reasons());
        Assert.Equal(0, after.GetProperty("consents").GetArrayLength());
    }

    [Fact]
    public async Task Sms_opt_out_denies_sms_but_still_allows_email_where_consented()
    {
        var (org, client) = await factory.CreateOrganizationAsync();
        var formId = (await client.CreateEventAsync()).GetProperty("id").GetString()!;
        using var browser = Browser();
        await browser.SubmitFormAsync(formId, [Field("channels", "sms"), Field("channels", "email"), Field("phone", "090-7777-0005"), Field("email", "hanako@example.jp")]);
        var at = NoonInTokyo(1);
        Assert.Equal("allow", (await client.CheckAsync(new { phoneNumber = "090-7777-0005", channel = "sms", purpose = "seminar", at })).Decision());

        await factory.PublishAsync(Api.OptOut(factory.HashOf("090-7777-0005"), org, "sms_reply", null, "sms"));

        await Eventually.AssertAsync(async () => (await client.CheckAsync(new { phoneNumber = "090-7777-0005", channel = "sms", purpose = "seminar", at })).Decision() == "deny",
            TimeSpan.FromSeconds(10), "SMS is denied after the opt-out");
        var sms = await client.CheckAsync(new { phoneNumber = "090-7777-0005", channel = "sms", purpose = "seminar", at });
        Assert.Contains("opted_out", sms.Reasons());
        var email = await client.CheckAsync(new { phoneNumber = "090-7777-0005", channel = "email", purpose = "seminar", at });
        Assert.Equal("allow", email.Decision());
        Assert.Equal("email", Assert.Single(email.GetProperty("consents").EnumerateArray()).GetProperty("channel").GetString());
        var byEmail = await client.CheckAsync(new { email = "Hanako@example.jp", channel = "email", purpose = "seminar", at });
        Assert.Equal("allow", byEmail.Decision());
        // The withdrawal is a new ledger row; the original grant is untouched.
        var rows = await client.GetFromJsonAsync<JsonElement[]>($"/api/consent/events/{formId}/submissions");
        Assert.Equal(["granted", "granted", "withdrawn"], rows!.Select(r => r.GetProperty("action").GetString()).Order());
    }

    [Fact]
    public async Task Refused_call_denies_calls_for_that_organization_and_purpose_at_once_for_every_rep()
    {
        var (org, client) = await factory.CreateOrganizationAsync();
        var formId = (await client.CreateEventAsync()).GetProperty("id").GetString()!;
        using var browser = Browser();
        await browser.SubmitFormAsync(formId, [Field("channels", "call"), Field("channels", "sms"), Field("phone", "090-7777-0006")]);
        var rep = await factory.Identity.CreateKeyAsync(org, ["consent"], "rep 2");
        using var repClient = Browser();
        repClient.DefaultRequestHeaders.Authorization = new("Bearer", rep.Key);
        var at = NoonInTokyo(1);
        Assert.Equal("allow", (await repClient.CheckAsync(new { phoneNumber = "090-7777-0006", channel = "call", purpose = "seminar", at })).Decision());

        await factory.PublishAsync(Api.OptOut(factory.HashOf("090-7777-0006"), org, "call_refused", "seminar", "call"));

        await Eventually.AssertAsync(async () => (await repClient.CheckAsync(new { phoneNumber = "090-7777-0006", channel = "call", purpose = "seminar", at })).Reasons().Contains("refused_on_call"),
            TimeSpan.FromSeconds(10), "every rep's call check is refused");
        Assert.Equal("deny", (await client.CheckAsync(new { phoneNumber = "090-7777-0006", channel = "call", purpose = "seminar", at })).Decision());
        Assert.Equal("allow", (await client.CheckAsync(new { phoneNumber = "090-7777-0006", channel = "sms", purpose = "seminar", at })).Decision());
    }

    [Fact]
    public async Task Email_only_needs_no_phone_number()
    {
        var (_, client) = await factory.CreateOrganizationAsync();
        var formId = (await client.CreateEventAsync()).GetProperty("id").GetString()!;
        using var browser = Browser();
        var (response, html) = await browser.SubmitFormAsync(formId, [Field("channels", "email"), Field("email", "only@example.jp")]);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("rcpt_", ReceiptId(html));
    }

    [Fact]
    public async Task Phone_channel_without_a_number_is_refused_naming_the_field_and_nothing_is_recorded()
    {
        var (_, client) = await factory.CreateOrganizationAsync();
        var formId = (await client.CreateEventAsync()).GetProperty("id").GetString()!;
        using var browser = Browser();
        var (response, html) = await browser.SubmitFormAsync(formId, [Field("channels", "call")]);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("A phone number is needed", html);
        Assert.Empty((await client.GetFromJsonAsync<JsonElement[]>($"/api/consent/events/{formId}/submissions"))!);
    }

    [Fact]
    public async Task A_refused_submit_comes_back_with_exactly_the_boxes_the_person_ticked_and_what_they_typed()
    {
        var (_, client) = await factory.CreateOrganizationAsync();
        var formId = (await client.CreateEventAsync(EventBody(thirdParties: ["Sponsor Co.", "Venue Co."]))).GetProperty("id").GetString()!;
        using var browser = Browser();

        var (response, html) = await browser.SubmitFormAsync(formId,
            [Field("channels", "sms"), Field("channels", "email"), Field("thirdParties", "Venue Co."), Field("phone", "090-12"), Field("email", "hanako@example.jp")]);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var ticked = Regex.Matches(html, "<input type=\"checkbox\" id=\"[^\"]+\" name=\"(?<name>[^\"]+)\" value=\"(?<value>[^\"]+)\" checked").Select(m => $"{m.Groups["name"].Value}={m.Groups["value"].Value}");
        Assert.Equal(["channels=email", "channels=sms", "thirdParties=Venue Co."], ticked.Order());
        Assert.Contains("value=\"090-12\"", html);
        Assert.Contains("value=\"hanako@example.jp\"", html);
        Assert.Empty((await client.GetFromJsonAsync<JsonElement[]>($"/api/consent/events/{formId}/submissions"))!);
    }

    [Fact]
    public async Task Embed_script_builds_an_iframe_for_the_form()
    {
        using var browser = Browser();
        var script = await browser.GetAsync("/embed.js");
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        Assert.Contains("/consent/forms/", await script.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Organizer_page_lists_the_events_with_their_embed_snippets()
    {
        var (_, client) = await factory.CreateOrganizationAsync("Page K.K.");
        var id = (await client.CreateEventAsync(EventBody(title: "Listed Seminar"))).GetProperty("id").GetString();
        var html = WebUtility.HtmlDecode(await client.GetStringAsync("/consent/events"));
        Assert.Contains("Listed Seminar", html);
        Assert.Contains($"/embed.js\" data-form=\"{id}\" async></script>", html);
        using var anonymous = Browser();
        Assert.Equal(HttpStatusCode.Redirect, (await anonymous.GetAsync("/consent/events")).StatusCode);
    }
}
