using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using ConsentPlatform.ServiceDefaults.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using static ConsentPlatform.Consent.Tests.FormHelpers;
using static ConsentPlatform.Consent.Tests.ImportHelpers;

namespace ConsentPlatform.Consent.Tests;

/// <summary>The organizer's pages as a browser without JavaScript uses them: a signed-in cookie session, antiforgery fields, plain form posts.</summary>
public sealed partial class OrganizerPageTests(ConsentFactory factory) : IClassFixture<ConsentFactory>
{
    [GeneratedRegex("srcdoc=\"([^\"]*)\"")]
    private static partial Regex Srcdoc();

    private static string TokenOf(string html) => Pages.TokenOf(html);

    private static string[] Previews(string html) => Srcdoc().Matches(html).Select(m => WebUtility.HtmlDecode(m.Groups[1].Value)).ToArray();

    private Task<(string Org, HttpClient Api, HttpClient Browser)> SignedInAsync() => factory.SignedInAsync();

    private static List<KeyValuePair<string, string>> EditorFields(string action, string title = "Autumn Seminar", string smsJa = "SMSでのご案内に同意します。",
        string lifetimeMonths = "12", params string[] channels) =>
    [
        new("title", title), new("startsOn", "2026-12-01"), new("endsOn", "2026-12-02"), new("senderLegalName", "Acme Kabushiki Kaisha"),
        new("purpose", "seminar"), new("purposeJa", "セミナーのご案内のため"), new("purposeEn", "To follow up on the seminar"),
        .. (channels.Length == 0 ? ["call", "sms"] : channels).Select(c => new KeyValuePair<string, string>("channels", c)),
        new("callJa", "お電話でのご連絡に同意します。"), new("callEn", "I agree to be called."), new("smsJa", smsJa), new("smsEn", "I agree to receive SMS."),
        new("emailJa", "メールでのご案内に同意します。"), new("emailEn", "I agree to receive email."), new("lifetimeMonths", lifetimeMonths), new("allowedOrigins", "https://events.example.com\r\nhttp://localhost:8080"),
        new("thirdParties", "Sponsor Co."), new("action", action),
    ];

    private static async Task<HttpResponseMessage> PostPageAsync(HttpClient browser, string pageUrl, string postUrl, List<KeyValuePair<string, string>> fields)
    {
        var token = TokenOf(await browser.GetStringAsync(pageUrl));
        return await browser.PostAsync(postUrl, new FormUrlEncodedContent([new("__RequestVerificationToken", token), .. fields]));
    }

    [Fact]
    public async Task Saving_the_new_form_page_creates_the_event_with_its_texts_and_shows_it_for_editing()
    {
        var (_, api, browser) = await SignedInAsync();

        var saved = await PostPageAsync(browser, "/consent/events/new", "/consent/events/new", EditorFields("save"));

        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        var location = saved.Headers.Location!.OriginalString;
        Assert.Matches("^/consent/events/ev_[0-9a-f]+/edit\\?saved=1$", location);
        var id = location.Split('/')[3];
        var created = await api.GetFromJsonAsync<JsonElement>($"/api/consent/events/{id}");
        Assert.Equal(("Autumn Seminar", 12), (created.GetProperty("title").GetString(), created.GetProperty("lifetimeMonths").GetInt32()));
        Assert.Equal(["call", "sms"], created.GetProperty("channels").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(["https://events.example.com", "http://localhost:8080"], created.GetProperty("allowedOrigins").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(["Sponsor Co."], created.GetProperty("thirdParties").EnumerateArray().Select(c => c.GetString()));
        var page = WebUtility.HtmlDecode(await browser.GetStringAsync(location));
        Assert.Contains("Saved: form version 1", page);
        Assert.Contains("I agree to receive SMS.</textarea>", page);
    }

    [Fact]
    public async Task Preview_renders_the_public_form_for_the_draft_with_every_box_unticked_and_saves_nothing()
    {
        var (_, api, browser) = await SignedInAsync();

        var response = await PostPageAsync(browser, "/consent/events/new", "/consent/events/new", EditorFields("preview", channels: ["call", "sms", "email"]));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var previews = Previews(await response.Content.ReadAsStringAsync());
        Assert.Equal(2, previews.Length);
        var (ja, en) = (previews[0], previews[1]);
        Assert.Contains("lang=\"ja\"", ja);
        Assert.Contains("Acme Kabushiki Kaisha", WebUtility.HtmlDecode(ja));
        Assert.Contains("セミナーのご案内のため", WebUtility.HtmlDecode(ja));
        Assert.Contains("I agree to be called.", en);
        // Three channels and the one named recipient: four boxes, none ticked, as on the real form.
        Assert.Equal(4, Regex.Matches(en, "type=\"checkbox\"").Count);
        Assert.DoesNotContain("checked", en);
        Assert.DoesNotContain("checked", ja);
        Assert.DoesNotContain("__RequestVerificationToken", en);
        Assert.Empty((await api.GetFromJsonAsync<JsonElement[]>("/api/consent/events"))!);
    }

    [Fact]
    public async Task Editing_a_text_on_the_page_makes_a_new_version_with_its_hash_and_the_old_version_stays()
    {
        var (_, api, browser) = await SignedInAsync();
        var id = (await api.CreateEventAsync()).GetProperty("id").GetString()!;
        var editUrl = $"/consent/events/{id}/edit";
        var editor = WebUtility.HtmlDecode(await browser.GetStringAsync(editUrl));
        Assert.Contains("SMSでのご案内に同意します。</textarea>", editor);
        Assert.Contains("now version 1", editor);

        var preview = await PostPageAsync(browser, editUrl, editUrl, EditorFields("preview", title: "Cloud Seminar 2026", smsJa: "SMSでのご案内（月2回まで）に同意します。", channels: ["call", "sms", "email"]));
        Assert.Contains("SMSでのご案内（月2回まで）に同意します。", WebUtility.HtmlDecode(Previews(await preview.Content.ReadAsStringAsync())[0]));
        Assert.Equal(1, (await api.GetFromJsonAsync<JsonElement>($"/api/consent/events/{id}")).GetProperty("formVersion").GetInt32());

        var saved = await PostPageAsync(browser, editUrl, editUrl, EditorFields("save", title: "Cloud Seminar 2026", smsJa: "SMSでのご案内（月2回まで）に同意します。", channels: ["call", "sms", "email"]));

        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        var texts = (await api.GetFromJsonAsync<JsonElement[]>($"/api/consent/events/{id}/texts"))!;
        var smsJa = texts.Where(t => t.GetProperty("channel").GetString() == "sms" && t.GetProperty("language").GetString() == "ja").ToList();
        Assert.Equal([1, 2], smsJa.Select(t => t.GetProperty("version").GetInt32()));
        Assert.Equal("SMSでのご案内に同意します。", smsJa[0].GetProperty("body").GetString());
        Assert.NotEqual(smsJa[0].GetProperty("hash").GetString(), smsJa[1].GetProperty("hash").GetString());
        Assert.Equal(1, texts.Count(t => t.GetProperty("channel").GetString() == "call" && t.GetProperty("language").GetString() == "en"));
        var after = await api.GetFromJsonAsync<JsonElement>($"/api/consent/events/{id}");
        Assert.Equal(2, after.GetProperty("formVersion").GetInt32());
        Assert.Contains("now version 2", WebUtility.HtmlDecode(await browser.GetStringAsync(editUrl)));
    }

    [Fact]
    public async Task Bad_editor_input_is_shown_again_with_a_400_naming_the_fields_and_nothing_is_saved()
    {
        var (_, api, browser) = await SignedInAsync();
        var fields = EditorFields("save", title: "", lifetimeMonths: "twelve", channels: ["call", "fax"]);

        var response = await PostPageAsync(browser, "/consent/events/new", "/consent/events/new", fields);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("data-field=\"title\"", html);
        Assert.Contains("data-field=\"lifetimeMonths\"", html);
        Assert.Contains("data-field=\"channels\"", html);
        Assert.Contains("value=\"twelve\"", html);
        Assert.Empty((await api.GetFromJsonAsync<JsonElement[]>("/api/consent/events"))!);
    }

    [Fact]
    public async Task Live_preview_answers_with_the_form_markup_for_the_draft_and_needs_the_antiforgery_token()
    {
        var (_, api, browser) = await SignedInAsync();
        var id = (await api.CreateEventAsync()).GetProperty("id").GetString()!;
        var token = TokenOf(await browser.GetStringAsync($"/consent/events/{id}/edit"));

        var en = await browser.PostAsync($"/consent/events/{id}/preview", new FormUrlEncodedContent(
            [new("__RequestVerificationToken", token), .. EditorFields("", title: "Typed so far"), new("previewLang", "en")]));
        var withoutToken = await browser.PostAsync($"/consent/events/{id}/preview", new FormUrlEncodedContent(EditorFields("")));

        Assert.Equal(HttpStatusCode.OK, en.StatusCode);
        Assert.Equal("text/html", en.Content.Headers.ContentType?.MediaType);
        var html = await en.Content.ReadAsStringAsync();
        Assert.Contains("<title>Typed so far", html);
        Assert.Contains("I agree to receive SMS.", html);
        Assert.DoesNotContain("checked", html);
        Assert.Equal(HttpStatusCode.BadRequest, withoutToken.StatusCode);
        Assert.Equal("Cloud Seminar 2026", (await api.GetFromJsonAsync<JsonElement>($"/api/consent/events/{id}")).GetProperty("title").GetString());
    }

    [Fact]
    public async Task Editor_shows_the_embed_snippet_with_a_copy_button_and_allows_only_our_own_script()
    {
        var (_, api, browser) = await SignedInAsync();
        var id = (await api.CreateEventAsync()).GetProperty("id").GetString()!;

        var response = await browser.GetAsync($"/consent/events/{id}/edit");
        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());

        Assert.Contains($"<textarea id=\"snippet\" readonly rows=\"3\"><script src=\"http://localhost/embed.js\" data-form=\"{id}\" async></script>\n" +
            $"<noscript><a href=\"http://localhost/consent/forms/{id}\">同意フォームを開く / Open the consent form</a></noscript></textarea>", html);
        Assert.Contains("<button type=\"button\" data-copy=\"snippet\" data-done=\"Copied\" hidden>", html);
        Assert.Contains("<script src=\"/consent/organizer.js\" defer></script>", html);
        Assert.Contains($"data-preview-url=\"/consent/events/{id}/preview\"", html);
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("script-src 'self';", csp);
        Assert.Contains("connect-src 'self';", csp);
        Assert.Contains("frame-ancestors 'none'", csp);
        var script = await browser.GetAsync("/consent/organizer.js");
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        var code = await script.Content.ReadAsStringAsync();
        Assert.Contains("navigator.clipboard", code);
        Assert.DoesNotMatch("https?://", code);
    }

    [Fact]
    public async Task Submissions_page_shows_masked_contacts_only_pages_through_the_rows_and_links_the_exports()
    {
        var (_, api, browser) = await SignedInAsync();
        var id = (await api.CreateEventAsync()).GetProperty("id").GetString()!;
        await api.ImportOkAsync(id, Csv(Enumerable.Range(0, 60).Select(i => Row(phone: $"090-2{i:D3}-{1000 + i:D4}", evidence: $"sheet {i}")).ToArray()));
        await api.ImportOkAsync(id, Csv(Row(phone: "", email: "someone@example.jp", channels: "email")));

        var first = await browser.GetStringAsync($"/consent/events/{id}/submissions");

        Assert.Contains("Ledger rows (61)", first);
        Assert.Contains("090-****-1000", first);
        Assert.DoesNotContain("+81902", first);
        Assert.DoesNotContain("090-2000-1000", first);
        Assert.Equal(OrganizerPageSize, Regex.Matches(first, "<td class=\"contact\">").Count);
        Assert.Contains($"href=\"/api/consent/events/{id}/ledger?format=csv\"", first);
        Assert.Contains($"href=\"/api/consent/events/{id}/ledger?format=json\"", first);
        var next = Regex.Match(first, "rel=\"next\" href=\"([^\"]+)\"").Groups[1].Value;
        var second = await browser.GetStringAsync(WebUtility.HtmlDecode(next));
        Assert.Equal(11, Regex.Matches(second, "<td class=\"contact\">").Count);
        Assert.Contains("s***@example.jp", second);
        Assert.DoesNotContain("someone@example.jp", second);
        Assert.DoesNotContain("rel=\"next\"", second);
    }

    private const int OrganizerPageSize = Import.SubmissionPages.PageSize;

    [Fact]
    public async Task Import_upload_on_the_event_page_imports_a_good_file_and_lists_every_bad_row_of_a_bad_one_writing_nothing()
    {
        var (org, api, browser) = await SignedInAsync();
        var id = (await api.CreateEventAsync()).GetProperty("id").GetString()!;
        var page = $"/consent/events/{id}/submissions";

        async Task<HttpResponseMessage> UploadAsync(string csv, string fileName)
        {
            var token = TokenOf(await browser.GetStringAsync(page));
            var content = new MultipartFormDataContent { { new StringContent(token), "__RequestVerificationToken" } };
            var file = new ByteArrayContent(Encoding.UTF8.GetBytes(csv));
            file.Headers.ContentType = new("text/csv");
            content.Add(file, "file", fileName);
            return await browser.PostAsync($"/consent/events/{id}/imports", content);
        }

        var bad = await UploadAsync(Csv(Row(phone: "090-8100-0001"), Row(phone: "12"), Row(phone: "090-8100-0003", captureMethod: "guess")), "expo.csv");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var badHtml = WebUtility.HtmlDecode(await bad.Content.ReadAsStringAsync());
        Assert.Contains("Nothing was imported: 2 of 3 rows have errors", badHtml);
        Assert.Contains("<tr><td>3</td><td><code>phone</code></td>", badHtml);
        Assert.Contains("<tr><td>4</td><td><code>captureMethod</code></td>", badHtml);
        Assert.Equal(0, await factory.QueryScalarAsync<long>("SELECT COUNT(*) FROM consent_ledger WHERE organization_id = @org", new { org }));

        var good = await UploadAsync(Csv(Row(phone: "090-8100-0001", channels: "call sms"), Row(phone: "090-8100-0002")), "expo.csv");
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
        var goodHtml = await good.Content.ReadAsStringAsync();
        Assert.Contains("Imported 2 registrations as 3 ledger rows", goodHtml);
        Assert.Contains("Ledger rows (3)", goodHtml);
        Assert.Equal("expo.csv", await factory.QueryScalarAsync<string>("SELECT file_name FROM consent_imports WHERE organization_id = @org", new { org }));

        var withoutToken = await browser.PostAsync($"/consent/events/{id}/imports", new MultipartFormDataContent { { new StringContent(Csv(Row())), "file", "x.csv" } });
        Assert.Equal(HttpStatusCode.BadRequest, withoutToken.StatusCode);
        Assert.Equal(3, await factory.QueryScalarAsync<long>("SELECT COUNT(*) FROM consent_ledger WHERE organization_id = @org", new { org }));
    }

    [Fact]
    public async Task Events_list_links_each_form_to_its_editor_submissions_and_exports_with_a_copyable_snippet()
    {
        var (_, api, browser) = await SignedInAsync();
        var id = (await api.CreateEventAsync()).GetProperty("id").GetString()!;

        var html = WebUtility.HtmlDecode(await browser.GetStringAsync("/consent/events"));

        Assert.Contains("href=\"/consent/events/new\"", html);
        Assert.Contains($"href=\"/consent/events/{id}/edit\"", html);
        Assert.Contains($"href=\"/consent/events/{id}/submissions\"", html);
        Assert.Contains($"href=\"/api/consent/events/{id}/ledger?format=csv\"", html);
        Assert.Contains("href=\"/api/consent/ledger?format=csv\"", html);
        Assert.Contains($"<button type=\"button\" data-copy=\"snippet-{id}\" data-done=\"Copied\" hidden>", html);
    }

    [Fact]
    public async Task Organizer_pages_need_a_session_and_show_only_the_organizations_own_events()
    {
        var (_, api, browser) = await SignedInAsync();
        var id = (await api.CreateEventAsync()).GetProperty("id").GetString()!;
        var (_, _, stranger) = await SignedInAsync();
        using var anonymous = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var blank = await browser.GetStringAsync("/consent/events/new");
        Assert.Equal(2, Previews(blank).Length); // frames for the live preview from the first keystroke
        Assert.Contains("data-preview-url=\"/consent/events/new/preview\"", blank);

        var signIn = await anonymous.GetAsync("/consent/events/new");
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.StartsWith("/signin", signIn.Headers.Location!.PathAndQuery);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"/consent/events/{id}/edit")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"/consent/events/{id}/submissions")).StatusCode);
    }
}
