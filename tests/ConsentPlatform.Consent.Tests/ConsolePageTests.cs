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
    public static readonly TheoryData<string> PagePaths = new() { "/consent/console", "/consent/console/check", "/consent/console/audit", "/consent/console/requests", "/consent/console/overview", "/consent/console/scrub",
        "/consent/console/contact", "/consent/console/suppressions", "/consent/console/settings" };

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

    [Fact]
    public async Task The_contact_record_of_a_number_typed_in_another_format_shows_what_the_per_contact_export_holds_masked_and_downloads_that_export()
    {
        var (org, api, browser) = await factory.SignedInAsync();
        var formId = (await api.CreateEventAsync()).GetProperty("id").GetString()!;
        using var person = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        await person.SubmitFormAsync(formId, [Field("channels", "call"), Field("phone", "090-7272-0003")]);
        await factory.PublishAsync(Api.OptOut(factory.HashOf("090-7272-0003"), org, "directory"));
        await Testing.Eventually.AssertAsync(async () => (await api.GetFromJsonAsync<JsonElement>("/api/consent/contacts?phoneNumber=09072720003"))
            .GetProperty("suppressions").GetArrayLength() == 1, TimeSpan.FromSeconds(10), "the opt-out is in the export");
        var token = Pages.TokenOf(await browser.GetStringAsync("/consent/console/contact?lang=en"));
        FormUrlEncodedContent Posted(string contact) => new(new Dictionary<string, string> { ["__RequestVerificationToken"] = token, ["contact"] = contact, ["lang"] = "en" });

        var response = await browser.PostAsync("/consent/console/contact", Posted("+81 90 7272 0003"));
        var csv = await browser.PostAsync("/consent/console/contact.csv", Posted("+81 90 7272 0003"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        Assert.Contains("Record of 090-****-0003", page);
        Assert.Equal(["granted", "withdrawn"], System.Text.RegularExpressions.Regex.Matches(page, "data-ledger=\"([a-z]+)\"").Select(m => m.Groups[1].Value));
        Assert.Contains("Cloud Seminar 2026", page);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(page, "data-suppression=\"opted_out\" data-source=\"directory\""));
        // Consent runs alone here: what Notices and Responses hold is said to be not available, in the page and the export.
        Assert.Contains("data-unavailable=\"notices\"", page);
        Assert.Contains("data-unavailable=\"responses\"", page);
        Assert.Contains("data-none=\"requests\"", page);
        Assert.DoesNotContain("09072720003", page);
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        Assert.Equal(await api.GetByteArrayAsync("/api/consent/contacts?phoneNumber=09072720003&format=csv"), await csv.Content.ReadAsByteArrayAsync());
        var lines = (await csv.Content.ReadAsStringAsync()).Split('\n');
        Assert.Single(lines, l => l.StartsWith("notices,", StringComparison.Ordinal) && l.Contains(",not_available,", StringComparison.Ordinal));
        Assert.Single(lines, l => l.StartsWith("responses,", StringComparison.Ordinal) && l.Contains(",not_available,", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("03-12")]
    [InlineData("someone@")]
    [InlineData("")]
    public async Task A_contact_record_or_its_download_for_a_contact_that_cannot_be_read_is_refused_naming_the_contact(string contact)
    {
        var (_, _, browser) = await factory.SignedInAsync();
        var token = Pages.TokenOf(await browser.GetStringAsync("/consent/console/contact?lang=en"));
        FormUrlEncodedContent Posted() => new(new Dictionary<string, string> { ["__RequestVerificationToken"] = token, ["contact"] = contact, ["lang"] = "en" });

        var page = await browser.PostAsync("/consent/console/contact", Posted());
        var csv = await browser.PostAsync("/consent/console/contact.csv", Posted());

        Assert.Equal((HttpStatusCode.BadRequest, HttpStatusCode.BadRequest), (page.StatusCode, csv.StatusCode));
        Assert.Contains("data-error=\"contact\"", await page.Content.ReadAsStringAsync());
        Assert.True((await csv.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("contact", out _), "the download's problem names the contact");
    }

    [Fact]
    public async Task The_suppression_list_filters_the_organizations_own_opt_outs_by_source_and_by_the_organizations_days_and_finds_one_contact_by_number()
    {
        var (org, _, browser) = await factory.SignedInAsync();
        var (other, _) = await factory.CreateOrganizationAsync("Someone Else K.K.");
        DateTimeOffset Jst(int month, int day, int hour) => new(2026, month, day, hour, 30, 0, TimeSpan.FromHours(9));
        // The last one is on 2 April in Japan but still 1 April in UTC.
        var optOuts = new[]
        {
            Api.OptOut(factory.HashOf("090-5151-0001"), org, "directory") with { RequestedAt = Jst(3, 10, 12) },
            Api.OptOut(factory.HashOf("090-5151-0002"), org, "sms_reply", null, "sms") with { RequestedAt = Jst(3, 20, 12) },
            Api.OptOut(factory.HashOf("090-5151-0003"), org, "call_refused", null, "call") with { RequestedAt = Jst(4, 2, 0) },
            Api.OptOut(factory.HashOf("090-5151-0002"), other, "sms_reply", null, "sms") with { RequestedAt = Jst(3, 20, 12) },
        };
        foreach (var optOut in optOuts) await factory.PublishAsync(optOut);
        await Testing.Eventually.AssertAsync(async () => await factory.QueryScalarAsync<long>(
            "SELECT COUNT(*) FROM suppressions WHERE organization_id IN (@org, @other)", new { org, other }) == 4, TimeSpan.FromSeconds(10), "the opt-outs are recorded");

        // The total shown and the listed entries' sources, newest first.
        async Task<string> List(string query)
        {
            var page = await browser.GetStringAsync("/consent/console/suppressions?lang=en&" + query);
            return System.Text.RegularExpressions.Regex.Match(page, "<span data-total>([^<]+)</span>").Groups[1].Value + ": "
                + string.Join(" ", System.Text.RegularExpressions.Regex.Matches(page, "data-source=\"([a-z_]+)\"").Select(m => m.Groups[1].Value));
        }

        Assert.Equal("3 opt-outs: call_refused sms_reply directory", await List(""));
        Assert.Equal("1 opt-out: sms_reply", await List("source=sms_reply"));
        Assert.Equal("2 opt-outs: sms_reply directory", await List("from=2026-03-01&to=2026-03-31"));
        Assert.Equal("1 opt-out: call_refused", await List("from=2026-04-02&to=2026-04-02"));
        Assert.Equal("0 opt-outs: ", await List("source=directory&from=2026-03-11"));

        var token = Pages.TokenOf(await browser.GetStringAsync("/consent/console/suppressions?lang=en"));
        var found = await browser.PostAsync("/consent/console/suppressions", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["contact"] = "+81-90-5151-0002", ["lang"] = "en",
        }));
        Assert.Equal(HttpStatusCode.OK, found.StatusCode);
        var answer = WebUtility.HtmlDecode(await found.Content.ReadAsStringAsync());
        Assert.Contains("Opt-outs for 090-****-0002", answer);
        Assert.Equal(["sms_reply"], System.Text.RegularExpressions.Regex.Matches(answer, "data-source=\"([a-z_]+)\"").Select(m => m.Groups[1].Value));
        Assert.DoesNotContain("data-total", answer);
    }

    [Fact]
    public async Task The_suppression_list_pages_newest_first_without_repeating_or_losing_an_entry()
    {
        var (org, _, browser) = await factory.SignedInAsync();
        // 52 entries, two of them at the same moment as their neighbour, so the cursor's tie-break on id is used.
        var at = new DateTimeOffset(2026, 5, 1, 9, 0, 0, TimeSpan.FromHours(9)).ToUnixTimeMilliseconds();
        var ids = new List<string>();
        for (var i = 0; i < 52; i++)
        {
            var id = Guid.NewGuid().ToString();
            ids.Add(id);
            await factory.QueryScalarAsync<long>("""
                INSERT INTO suppressions (id, contact_hash, organization_id, channel, purpose, reason, source, request_id, created_at)
                VALUES (@id, 'k1:paging', @org, 'sms', NULL, 'opted_out', 'sms_reply', NULL, @createdAt); SELECT 1
                """, new { id, org, createdAt = at + (i / 3) * 60_000 });
        }

        var first = await browser.GetStringAsync("/consent/console/suppressions?lang=en");
        var next = WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Match(first, "<a rel=\"next\" href=\"([^\"]+)\"").Groups[1].Value);
        Assert.StartsWith("/consent/console/suppressions?lang=en&before=", next);
        var second = await browser.GetStringAsync(next);

        string[] Ids(string page) => System.Text.RegularExpressions.Regex.Matches(page, "data-id=\"([^\"]+)\"").Select(m => m.Groups[1].Value).ToArray();
        Assert.Equal(50, Ids(first).Length);
        Assert.Equal(2, Ids(second).Length);
        Assert.Equal(ids.Order().ToHashSet(), Ids(first).Concat(Ids(second)).ToHashSet());
        Assert.DoesNotContain("rel=\"next\"", second);
        Assert.Contains("52 opt-outs", second);
    }

    [Theory]
    [InlineData("source=nonsense", "source")]
    [InlineData("from=2026-13-01", "from")]
    [InlineData("from=2026-12-04&to=2026-12-01", "to")]
    [InlineData("before=x", "before")]
    public async Task A_suppression_list_filter_that_cannot_be_read_is_refused_naming_the_field(string query, string field)
    {
        var (_, _, browser) = await factory.SignedInAsync();

        var response = await browser.GetAsync("/consent/console/suppressions?lang=en&" + query);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var page = await response.Content.ReadAsStringAsync();
        Assert.Contains($"data-error=\"{field}\"", page);
        Assert.DoesNotContain("data-total", page);
    }

    [Fact]
    public async Task The_next_page_links_of_the_audit_and_the_requests_lead_to_the_rows_after_the_first_fifty()
    {
        var (org, _, browser) = await factory.SignedInAsync();
        var at = DateTimeOffset.UtcNow.AddDays(-1).ToUnixTimeMilliseconds();
        for (var i = 0; i < 51; i++)
        {
            await factory.QueryScalarAsync<long>("""
                INSERT INTO check_audit (check_id, organization_id, contact_hash, channel, purpose, decision, reasons, at, checked_at, source, key_id, contact_masked)
                VALUES (@checkId, @org, 'k1:paging', 'call', 'paging', 'deny', 'no_consent', @at, @at, 'api', NULL, '090-****-0000');
                INSERT INTO data_subject_requests (id, kind, contact_kind, contact_hash, contact, code_hash, attempts, status, created_at, code_expires_at, due_at)
                VALUES (@requestId, 'stop_use', 'phone', 'k1:paging', NULL, 'sha256:seeded', 0, 'pending_verification', @at, @at, @at);
                INSERT INTO data_subject_request_organizations (request_id, organization_id) VALUES (@requestId, @org);
                SELECT 1
                """, new { checkId = $"chk_paging_{i:D2}_{org}", requestId = $"dsr_paging_{i:D2}_{org}", org, at = at + i * 1000 });
        }

        foreach (var (list, row) in new[] { ("/consent/console/audit?lang=en", "data-check"), ("/consent/console/requests?lang=en", "data-request") })
        {
            var first = await browser.GetStringAsync(list);
            var next = WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Match(first, "<a rel=\"next\" href=\"([^\"]+)\"").Groups[1].Value);
            var second = await browser.GetStringAsync(next);

            string[] Rows(string page) => System.Text.RegularExpressions.Regex.Matches(page, $"<tr {row}=\"([^\"]+)\"").Select(m => m.Groups[1].Value).ToArray();
            Assert.Equal(50, Rows(first).Length);
            Assert.Equal([Rows(first).Concat(Rows(second)).Order().First()], Rows(second));
            Assert.Equal(51, Rows(first).Concat(Rows(second)).Distinct().Count());
        }
    }

    [Fact]
    public async Task Without_an_answer_from_notices_and_responses_the_overview_says_their_figures_are_not_available_instead_of_drawing_zeros()
    {
        // This host runs Consent alone: nobody answers the overview's questions over the bus.
        var (_, _, browser) = await factory.SignedInAsync();

        var page = await browser.GetStringAsync("/consent/console/overview?lang=en");

        foreach (var chart in new[] { "notices", "notices-refused-by-reason", "crm-deliveries", "propagation-notices" })
        {
            var section = System.Text.RegularExpressions.Regex.Match(page, $"<section class=\"chart\" id=\"{chart}\"[\\s\\S]*?</section>").Value;
            Assert.Contains("data-unavailable", section);
            Assert.DoesNotContain("data-bar", section);
        }
        Assert.Contains("data-chart=\"consents-by-channel\"", page);
    }

    [Fact]
    public async Task Changing_the_organizations_request_deadline_changes_the_deadline_and_time_left_its_requests_list_shows()
    {
        var (org, api, console) = await factory.SignedInAsync();
        var formId = (await api.CreateEventAsync()).GetProperty("id").GetString()!;
        using var person = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        await person.SubmitFormAsync(formId, [Field("channels", "call"), Field("phone", "090-6161-0044")]);
        var opened = await person.PostAsJsonAsync("/api/public/consent/requests", new { phoneNumber = "090-6161-0044", kind = "stop_use" });
        var id = (await opened.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("requestId").GetString()!;
        var received = DateTimeOffset.FromUnixTimeMilliseconds(await factory.QueryScalarAsync<long>("SELECT created_at FROM data_subject_requests WHERE id = @id", new { id }));
        var japan = TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo");
        string Row(string page) => System.Text.RegularExpressions.Regex.Match(page, $"<tr data-request=\"{id}\"[\\s\\S]*?</tr>").Value;
        async Task<HttpResponseMessage> SaveAsync(string rule, string days) => await console.PostAsync("/consent/console/settings", new FormUrlEncodedContent(
            new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = Pages.TokenOf(await console.GetStringAsync("/consent/console/settings?lang=en")), ["rule"] = rule, ["days"] = days, ["lang"] = "en",
            }));
        Assert.Contains("30 days left", Row(await console.GetStringAsync("/consent/console/requests?lang=en")));

        var saved = await SaveAsync("days", "10");

        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        Assert.Contains("data-saved", await console.GetStringAsync(saved.Headers.Location!.OriginalString));
        var tenDays = WebUtility.HtmlDecode(await console.GetStringAsync("/consent/console/requests?lang=en"));
        Assert.Contains("each is due 10 days after it is received", tenDays);
        Assert.Contains("10 days left", Row(tenDays));
        Assert.Contains(TimeZoneInfo.ConvertTime(received.AddDays(10), japan).ToString("d MMM yyyy, H:mm", System.Globalization.CultureInfo.InvariantCulture), Row(tenDays));
        Assert.Contains("data-overdue=\"false\"", await console.GetStringAsync($"/consent/console/requests/{id}?lang=en"));

        Assert.Equal(HttpStatusCode.Redirect, (await SaveAsync("one_month", "")).StatusCode);
        var oneMonth = WebUtility.HtmlDecode(await console.GetStringAsync("/consent/console/requests?lang=en"));
        Assert.Contains(TimeZoneInfo.ConvertTime(received, japan).AddMonths(1).ToString("d MMM yyyy, H:mm", System.Globalization.CultureInfo.InvariantCulture), Row(oneMonth));
        Assert.Matches("id=\"rule-month\"[^>]*checked", await console.GetStringAsync("/consent/console/settings?lang=en"));
        Assert.Equal(1, await factory.QueryScalarAsync<long>("SELECT COUNT(*) FROM organization_request_deadlines WHERE organization_id = @org", new { org }));
    }

    [Theory]
    [InlineData("weekly", "10", "rule")]
    [InlineData("days", "0", "days")]
    [InlineData("days", "367", "days")]
    [InlineData("days", "ten", "days")]
    public async Task A_request_deadline_setting_that_cannot_be_taken_is_refused_naming_the_field_and_saves_nothing(string rule, string days, string field)
    {
        var (org, _, console) = await factory.SignedInAsync();
        var token = Pages.TokenOf(await console.GetStringAsync("/consent/console/settings?lang=ja"));

        var response = await console.PostAsync("/consent/console/settings", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["rule"] = rule, ["days"] = days, ["lang"] = "ja",
        }));
        var withoutToken = await console.PostAsync("/consent/console/settings", new FormUrlEncodedContent(new Dictionary<string, string> { ["rule"] = "days", ["days"] = "10" }));

        Assert.Equal((HttpStatusCode.BadRequest, HttpStatusCode.BadRequest), (response.StatusCode, withoutToken.StatusCode));
        Assert.Contains($"data-error=\"{field}\"", await response.Content.ReadAsStringAsync());
        Assert.Equal(0, await factory.QueryScalarAsync<long>("SELECT COUNT(*) FROM organization_request_deadlines WHERE organization_id = @org", new { org }));
    }
}
