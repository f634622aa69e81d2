using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ConsentPlatform.ServiceDefaults.Identity;
using ConsentPlatform.Contracts;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using static ConsentPlatform.Consent.Tests.FormHelpers;

namespace ConsentPlatform.Consent.Tests;

/// <summary>The compliance console's pages over HTTP: language, scope, HTML for unknown addresses, input refused by field, what a check records.</summary>
public sealed class ConsolePageTests(ConsentFactory factory) : IClassFixture<ConsentFactory>
{
    public static readonly TheoryData<string> PagePaths = new() { "/consent/console", "/consent/console/check", "/consent/console/audit", "/consent/console/requests", "/consent/console/overview", "/consent/console/scrub" };

    [Theory]
    [MemberData(nameof(PagePaths))]
    public async Task Every_console_page_answers_in_japanese_and_english_with_the_navigation_bar_and_times_in_japan_time(string path)
    {
        var (_, _, browser) = await factory.SignedInAsync();

        var ja = await browser.GetAsync(path + "?lang=ja");
        var en = await browser.GetAsync(path + "?lang=en");

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (ja.StatusCode, en.StatusCode));
        var (jaPage, enPage) = (WebUtility.HtmlDecode(await ja.Content.ReadAsStringAsync()), WebUtility.HtmlDecode(await en.Content.ReadAsStringAsync()));
        Assert.Contains("<html lang=\"ja\"", jaPage);
        Assert.Contains("aria-label=\"コンプライアンス画面のページ\"", jaPage);
        Assert.Contains("時刻はすべて日本時間です。", jaPage);
        Assert.Contains("<html lang=\"en\"", enPage);
        Assert.Contains("aria-label=\"Compliance console pages\"", enPage);
        Assert.Contains("All times are Japan time.", enPage);
    }

    [Fact]
    public async Task An_unknown_address_under_the_console_answers_an_html_page_in_the_browsers_language_not_json()
    {
        var (_, _, browser) = await factory.SignedInAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/consent/console/no-such-page");
        request.Headers.AcceptLanguage.ParseAdd("ja-JP");

        var response = await browser.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var page = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        Assert.Contains("ページが見つかりません", page);
        Assert.Contains("href=\"/consent/console/audit?lang=ja\"", page);
    }

    [Theory]
    [InlineData("from=March&to=2026-03-31", "from")]
    [InlineData("from=2026-03-31&to=2026-03-01", "to")]
    [InlineData("to=2026-02-30", "to")]
    public async Task An_overview_period_that_cannot_be_read_is_refused_naming_the_field(string query, string field)
    {
        var (_, _, browser) = await factory.SignedInAsync();

        var response = await browser.GetAsync($"/consent/console/overview?lang=en&{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var page = await response.Content.ReadAsStringAsync();
        Assert.Contains($"data-error=\"{field}\"", page);
        Assert.DoesNotContain("data-chart=", page);
    }

    [Fact]
    public async Task A_scrub_upload_in_neither_utf8_nor_shift_jis_is_refused_naming_the_file_and_leaves_no_job()
    {
        var (org, _, browser) = await factory.SignedInAsync();
        var form = await browser.GetStringAsync("/consent/console/scrub?lang=en");
        using var upload = new MultipartFormDataContent
        {
            { new StringContent(Pages.TokenOf(form)), "__RequestVerificationToken" }, { new StringContent("call"), "channel" },
            { new StringContent("seminar"), "purpose" }, { new StringContent("en"), "lang" },
            // 0x81 is a Shift_JIS lead byte that a space cannot follow, and a stray continuation byte in UTF-8.
            { new ByteArrayContent([.. "phone\n090"u8, 0x81, 0x20, (byte)'\n']), "file", "list.csv" },
        };

        var response = await browser.PostAsync("/consent/console/scrub", upload);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("data-error=\"file\"", await response.Content.ReadAsStringAsync());
        Assert.Equal(0, await factory.QueryScalarAsync<long>("SELECT COUNT(*) FROM scrub_jobs WHERE organization_id = @org", new { org }));
    }

    [Fact]
    public async Task A_key_without_the_consent_scope_is_sent_to_sign_in_instead_of_the_console()
    {
        var (_, _, browser) = await factory.SignedInAsync(Scopes.Notices);

        var response = await browser.GetAsync("/consent/console/audit");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/signin", response.Headers.Location!.AbsolutePath);
    }

    [Fact]
    public async Task A_check_from_the_page_with_a_bad_number_is_refused_naming_the_contact_and_records_nothing()
    {
        var (org, _, browser) = await factory.SignedInAsync();
        var form = await browser.GetStringAsync("/consent/console/check?lang=en");

        var response = await browser.PostAsync("/consent/console/check", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = Pages.TokenOf(form), ["contact"] = "03-12", ["channel"] = "call", ["purpose"] = "seminar", ["lang"] = "en",
        }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("data-error=\"contact\"", await response.Content.ReadAsStringAsync());
        Assert.Equal(0, await factory.QueryScalarAsync<long>("SELECT COUNT(*) FROM check_audit WHERE organization_id = @org", new { org }));
    }

    [Fact]
    public async Task A_check_records_the_key_that_asked_and_the_masked_number_and_never_the_number()
    {
        var (org, api) = await factory.CreateOrganizationAsync();
        var keyId = (await factory.Identity.ListKeysAsync(org)).Single().Id;

        await api.CheckAsync(new { phoneNumber = "090-2468-1357", channel = "call", purpose = "seminar" });

        await factory.Services.GetRequiredService<Gate.CheckAudit>().FlushAsync(CancellationToken.None);
        var row = (await factory.QueryAsync<(string KeyId, string ContactMasked, string Source)>(
            "SELECT key_id AS KeyId, contact_masked AS ContactMasked, source AS Source FROM check_audit WHERE organization_id = @org", new { org })).Single();
        Assert.Equal((keyId, "090-****-1357", "api"), row);
        Assert.Equal(0, await factory.QueryScalarAsync<long>("SELECT COUNT(*) FROM check_audit WHERE contact_masked LIKE '%2468%' OR contact_hash LIKE '%2468%'"));
    }

    [Theory]
    [InlineData("from=2026-13-01", "from")]
    [InlineData("from=2026-12-04&to=2026-12-01", "to")]
    [InlineData("decision=maybe", "decision")]
    [InlineData("reason=opted", "reason")]
    [InlineData("key=not-ours", "key")]
    public async Task An_audit_filter_that_cannot_be_read_is_refused_naming_the_field_on_the_page_and_in_the_csv(string query, string field)
    {
        var (_, _, browser) = await factory.SignedInAsync();

        var page = await browser.GetAsync("/consent/console/audit?" + query);
        var csv = await browser.GetAsync("/consent/console/audit.csv?" + query);

        Assert.Equal((HttpStatusCode.BadRequest, HttpStatusCode.BadRequest), (page.StatusCode, csv.StatusCode));
        Assert.Contains($"data-error=\"{field}\"", await page.Content.ReadAsStringAsync());
        Assert.True((await csv.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty(field, out _), $"the CSV's problem names {field}");
    }

    [Fact]
    public async Task The_audit_filters_by_any_one_of_a_checks_several_reasons_and_by_decision()
    {
        var (_, api, browser) = await factory.SignedInAsync();
        // A landline by SMS with no consent: no_consent first, not_sms_capable after it (and quiet_hours at night).
        await api.CheckAsync(new { phoneNumber = "03-1234-5678", channel = "sms", purpose = "seminar" });
        await factory.Services.GetRequiredService<Gate.CheckAudit>().FlushAsync(CancellationToken.None);

        async Task<string> Total(string query) =>
            System.Text.RegularExpressions.Regex.Match(await browser.GetStringAsync("/consent/console/audit?lang=en&" + query), "<span data-total>([^<]+)</span>").Groups[1].Value;

        Assert.Equal("1 check", await Total("reason=no_consent&decision=deny"));
        Assert.Equal("1 check", await Total("reason=not_sms_capable"));
        Assert.Equal("0 checks", await Total("reason=opted_out"));
        Assert.Equal("0 checks", await Total("decision=allow"));
        Assert.Contains("03-****-5678", await browser.GetStringAsync("/consent/console/audit?lang=en"));
    }

    [Fact]
    public async Task An_erasure_request_is_listed_for_the_organization_holding_the_contact_with_its_log_and_each_services_confirmation()
    {
        var (_, api, console) = await factory.SignedInAsync();
        var (_, _, otherConsole) = await factory.SignedInAsync();
        var formId = (await api.CreateEventAsync()).GetProperty("id").GetString()!;
        using var person = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        await person.SubmitFormAsync(formId, [Field("channels", "call"), Field("phone", "090-6161-0002")]);
        var opened = await person.PostAsJsonAsync("/api/public/consent/requests", new { phoneNumber = "090-6161-0002", kind = "erasure" });
        var id = (await opened.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("requestId").GetString()!;

        var list = await console.GetStringAsync("/consent/console/requests?lang=en");
        Assert.Contains($"data-request=\"{id}\"", list);
        Assert.Contains("30 days left", list);
        Assert.DoesNotContain(id, await otherConsole.GetStringAsync("/consent/console/requests?lang=en"));
        Assert.Equal(HttpStatusCode.NotFound, (await otherConsole.GetAsync($"/consent/console/requests/{id}")).StatusCode);

        var code = (await factory.Codes.SentAsync(m => m.PhoneNumber == "+819061610002")).Code;
        Assert.Equal(HttpStatusCode.OK, (await person.PostAsJsonAsync($"/api/public/consent/requests/{id}/verify", new { code })).StatusCode);
        var erasureMessage = Guid.Parse(await factory.QueryScalarAsync<string>(
            "SELECT message_id FROM data_subject_request_log WHERE request_id = @id AND action = 'erasure_requested'", new { id }));
        await factory.PublishAsync(new ContactErased { RequestId = erasureMessage, Service = "directory", ErasedAt = DateTimeOffset.UtcNow });
        await Testing.Eventually.AssertAsync(async () =>
            await factory.QueryScalarAsync<long>("SELECT COUNT(*) FROM data_subject_request_log WHERE request_id = @id AND action = 'erasure_confirmed'", new { id }) == 1,
            TimeSpan.FromSeconds(10), "Consent logs Directory's confirmation");

        var page = WebUtility.HtmlDecode(await console.GetStringAsync($"/consent/console/requests/{id}?lang=en"));
        Assert.Equal(["received", "verified", "suppressed", "erased", "erasure_requested", "erasure_confirmed"],
            System.Text.RegularExpressions.Regex.Matches(page, "data-action=\"([a-z_]+)\"").Select(m => m.Groups[1].Value));
        Assert.Contains("<tr data-action=\"erasure_confirmed\" data-service=\"directory\">", page);
        Assert.Contains("Erasure not yet confirmed by: notices, responses", page);
        Assert.Contains("<dd>Completed</dd>", page);
    }
}
