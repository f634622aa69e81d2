using System.Text.RegularExpressions;
using ConsentPlatform.Testing;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Data.Sqlite;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace ConsentPlatform.Browser.Tests;

/// <summary>
/// Issue 14, acceptance 5: every recipient page, in Japanese and in English, on a phone (390×844)
/// and a laptop (1280×800), has no serious or critical axe-core violation; its html carries lang,
/// its language switch carries hreflang and lang, and the element that takes focus shows it.
/// Pages are reached as a person reaches them: links, form posts, the codes they would type.
/// </summary>
[Collection(HostFixture.CollectionName)]
public sealed partial class AccessibilityTests(HostFixture host, ITestOutputHelper output)
{
    private static readonly (int Width, int Height)[] Viewports = [(390, 844), (1280, 800)];
    private const string PhoneBrowser = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";

    [BrowserFact]
    public async Task Every_recipient_page_in_both_languages_on_a_phone_and_a_laptop_has_no_serious_or_critical_axe_violation()
    {
        var callingNumber = ResponseLinkTests.RandomMobile("080");
        var (_, key) = await host.CreateOrganizationAsync("Accessible K.K.");
        using var api = host.CreateApiClient(key);
        await ResponseLinkTests.PublishProfileAsync(api);
        await ResponseLinkTests.AllowContactAllDayAsync(api);
        await ResponseLinkTests.PublishCallingNumberAsync(api, callingNumber);
        var eventId = await ResponseLinkTests.CreateEventAsync(api);

        var problems = new List<string>();
        var checkedPages = 0;
        string? link = null;
        foreach (var language in new[] { "ja", "en" })
        foreach (var (width, height) in Viewports)
        {
            var context = await host.Browser.NewContextAsync(new BrowserNewContextOptions
            {
                Locale = language == "ja" ? "ja-JP" : "en-US", UserAgent = PhoneBrowser, ViewportSize = new() { Width = width, Height = height },
            });
            var page = await context.NewPageAsync();
            var at = $"{language} {width}×{height}";
            async Task CheckAsync(string name)
            {
                checkedPages++;
                problems.AddRange(await ProblemsAsync(page, language, $"{name} ({at})"));
            }
            try
            {
                var person = ResponseLinkTests.RandomMobile("090");

                // The consent form and its receipt.
                await page.GotoAsync($"{host.BaseAddress}consent/forms/{eventId}");
                await CheckAsync("consent form");
                await page.Locator("#channel-sms").CheckAsync();
                await page.Locator("button[type=submit]").ClickAsync();
                await page.Locator("[role=alert]").WaitForAsync();
                await CheckAsync("consent form with an error");
                await page.Locator("#channel-sms").CheckAsync();
                await page.Locator("#phone").FillAsync(person);
                await page.Locator("button[type=submit]").ClickAsync();
                await page.Locator("#receipt-id").WaitForAsync();
                await CheckAsync("consent receipt");

                // The short link and its answer.
                link ??= await ResponseLinkTests.PlanCallAndReadLinkAsync(api, person, callingNumber);
                await page.GotoAsync(link);
                await CheckAsync("short link");
                await page.Locator("input[name=preferredContact][value=phone_ok]").CheckAsync();
                await page.Locator("form.stack button[type=submit]").ClickAsync();
                await page.Locator("[data-field=what-happens]").WaitForAsync();
                await CheckAsync("answer's confirmation");

                // "Email only" with a new address: the emailed link's page, after its button, and once used (ADR 0030).
                var emailer = ResponseLinkTests.RandomMobile("090");
                var address = $"a11y-{emailer[^8..]}@example.jp";
                await page.GotoAsync($"{host.BaseAddress}consent/forms/{eventId}");
                await page.Locator("#channel-sms").CheckAsync();
                await page.Locator("#phone").FillAsync(emailer);
                await page.Locator("button[type=submit]").ClickAsync();
                await page.Locator("#receipt-id").WaitForAsync();
                await page.GotoAsync(await ResponseLinkTests.PlanCallAndReadLinkAsync(api, emailer, callingNumber));
                await page.Locator("input[name=preferredContact][value=email_only]").CheckAsync();
                await page.Locator("#email").FillAsync(address);
                await page.Locator("form.stack button[type=submit]").ClickAsync();
                await page.Locator("[data-field=what-happens]").WaitForAsync();
                var confirmation = host.BaseAddress + (await ConfirmationPathAsync(address)).TrimStart('/');
                await page.GotoAsync(confirmation);
                await CheckAsync("email confirmation");
                await page.Locator("form.stack button[type=submit]").ClickAsync();
                await page.Locator("[data-field=confirmed]").WaitForAsync();
                await CheckAsync("email confirmed");
                await page.GotoAsync(confirmation);
                await page.Locator("[data-field=closed]").WaitForAsync();
                await CheckAsync("email confirmation link used");

                // The generic opt-out: the page, a refused number, the code step.
                await page.GotoAsync($"{host.BaseAddress}r/opt-out");
                await CheckAsync("generic opt-out");
                await page.Locator("#phoneNumber").FillAsync("12");
                await page.Locator("button[type=submit]").ClickAsync();
                await page.Locator("[role=alert]").WaitForAsync();
                await CheckAsync("generic opt-out with an error");
                await page.Locator("#phoneNumber").FillAsync(person);
                await page.Locator("button[type=submit]").ClickAsync();
                await page.Locator("#code").WaitForAsync();
                await CheckAsync("generic opt-out code step");
                await page.Locator("#code").FillAsync(await ResponseLinkTests.CodeOnThePhoneAsync(host, context, person));
                await page.Locator("button[type=submit]").ClickAsync();
                await page.Locator("#code").WaitForAsync(new() { State = WaitForSelectorState.Detached });
                await CheckAsync("generic opt-out done");

                // The directory: lookup, an unknown number, an entry, its opt-out and a wrong code.
                await page.GotoAsync($"{host.BaseAddress}lookup");
                await CheckAsync("directory lookup");
                await page.Locator("#number").FillAsync("03-9999-0000");
                await page.Locator("form[action='/lookup'] button").ClickAsync();
                await page.Locator(".lookup-result").WaitForAsync();
                await CheckAsync("directory lookup, not registered");
                await page.GotoAsync($"{host.BaseAddress}lookup?number={Uri.EscapeDataString(callingNumber)}");
                await CheckAsync("directory entry");
                var stopper = ResponseLinkTests.RandomMobile("070");
                await page.Locator("#phoneNumber").FillAsync(stopper);
                await page.Locator("#opt-out button").ClickAsync();
                await page.Locator("#code").WaitForAsync();
                await CheckAsync("directory opt-out code step");
                await page.Locator("#code").FillAsync("000000");
                await page.Locator("button[type=submit]").ClickAsync();
                await page.Locator("[role=alert]").WaitForAsync();
                await CheckAsync("directory opt-out wrong code");
                await page.Locator("#code").FillAsync(await ResponseLinkTests.CodeOnThePhoneAsync(host, context, stopper));
                await page.Locator("button[type=submit]").ClickAsync();
                await page.Locator("#code").WaitForAsync(new() { State = WaitForSelectorState.Detached });
                await CheckAsync("directory opt-out done");

                // The data-subject request pages (R31): kind and contact, the code, the request's status.
                var asker = ResponseLinkTests.RandomMobile("090");
                await page.GotoAsync($"{host.BaseAddress}consent/requests");
                await CheckAsync("data-subject request");
                await page.Locator("input[name=kind][value=erasure]").CheckAsync();
                await page.Locator("#contact").FillAsync(asker);
                await page.Locator("form button[type=submit]").First.ClickAsync();
                await page.Locator("#code").WaitForAsync();
                await CheckAsync("data-subject request code step");
                await page.Locator("#code").FillAsync(await ResponseLinkTests.CodeOnThePhoneAsync(host, context, asker));
                await page.Locator("#confirm").ClickAsync();
                await page.Locator("[data-field=status]").WaitForAsync();
                await CheckAsync("data-subject request done");

                // Wrong addresses: an unknown short link, a page that is not there, a page given a value it cannot read.
                await page.GotoAsync($"{host.BaseAddress}r/no-such-code");
                await CheckAsync("unknown short link");
                await page.GotoAsync($"{host.BaseAddress}consent/forms/no-such-form");
                await CheckAsync("page not found");
                await context.SetExtraHTTPHeadersAsync([new("Authorization", $"Bearer {key}")]);
                await page.GotoAsync($"{host.BaseAddress}responses/list?before=yesterday");
                await CheckAsync("page given a bad value");
            }
            finally { await context.CloseAsync(); }
        }
        output.WriteLine($"{checkedPages} page states checked");
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [BrowserFact]
    public async Task Every_console_page_in_both_languages_at_1280x800_has_no_serious_or_critical_axe_violation()
    {
        var (organizationId, key) = await host.CreateOrganizationAsync("Accessible Console K.K.");
        var requestId = $"dsr_axe{Random.Shared.Next():x8}";
        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(host.DataFolder, "consent.db")};Pooling=False"))
        {
            await connection.OpenAsync();
            var insert = connection.CreateCommand();
            insert.CommandText = """
                INSERT INTO data_subject_requests (id, kind, contact_kind, contact_hash, contact, code_hash, attempts, status, created_at, code_expires_at, due_at)
                VALUES ($id, 'erasure', 'phone', 'k1:axe', NULL, 'sha256:seeded', 0, 'pending_verification', $created, $created, $due);
                INSERT INTO data_subject_request_organizations (request_id, organization_id) VALUES ($id, $org);
                INSERT INTO data_subject_request_log (request_id, at, service, action, detail) VALUES ($id, $created, 'consent', 'received', 'phone');
                INSERT INTO consent_ledger (id, receipt_id, subject_id, organization_id, event_id, action, channel, purpose, contact_hash, phone_hash, method, recorded_at)
                VALUES ($id || '-grant', $id, 'subject', $org, NULL, 'granted', 'sms', 'axe-test', $hash, $hash, 'web_form', $created);
                INSERT INTO suppressions (id, contact_hash, organization_id, channel, purpose, reason, source, request_id, created_at)
                VALUES ($id || '-stop', $hash, $org, 'sms', NULL, 'opted_out', 'sms_reply', NULL, $created);
                """;
            // The number the check and the contact record are asked about holds a consent and an opt-out, so their tables are checked too.
            insert.Parameters.AddWithValue("$hash", host.HashOf("090-1234-5678"));
            insert.Parameters.AddWithValue("$id", requestId);
            insert.Parameters.AddWithValue("$created", DateTimeOffset.UtcNow.AddDays(-40).ToUnixTimeMilliseconds());
            insert.Parameters.AddWithValue("$due", DateTimeOffset.UtcNow.AddDays(-10).ToUnixTimeMilliseconds());
            insert.Parameters.AddWithValue("$org", organizationId);
            await insert.ExecuteNonQueryAsync();
        }

        var problems = new List<string>();
        var checkedPages = 0;
        foreach (var language in new[] { "ja", "en" })
        {
            var context = await host.Browser.NewContextAsync(new BrowserNewContextOptions
            {
                Locale = language == "ja" ? "ja-JP" : "en-US", ViewportSize = new() { Width = 1280, Height = 800 },
            });
            var page = await context.NewPageAsync();
            async Task CheckAsync(string name, string? path = null)
            {
                if (path is not null) await page.GotoAsync($"{host.BaseAddress}{path.TrimStart('/')}{(path.Contains('?') ? '&' : '?')}lang={language}");
                checkedPages++;
                problems.AddRange(await ProblemsAsync(page, language, $"console {name} ({language} 1280×800)"));
            }
            try
            {
                await ComplianceConsoleTests.SignInAsync(host, page, key, "/consent/console");
                await CheckAsync("home", "/consent/console");
                await CheckAsync("overview", "/consent/console/overview");
                await CheckAsync("overview with a bad period", "/consent/console/overview?from=x");
                await CheckAsync("permission check", "/consent/console/check");
                await page.Locator("#contact").FillAsync("090-1234-5678");
                await page.Locator("#purpose").FillAsync("axe-test");
                await page.Locator("form.stack button[type=submit]").ClickAsync();
                await page.Locator("section.result").WaitForAsync();
                await CheckAsync("permission check answer");
                await CheckAsync("audit", "/consent/console/audit");
                await CheckAsync("audit with a bad filter", "/consent/console/audit?from=x");
                await CheckAsync("requests", "/consent/console/requests");
                await CheckAsync("request", $"/consent/console/requests/{requestId}");
                await CheckAsync("bulk scrub", "/consent/console/scrub");
                await page.Locator("#file").SetInputFilesAsync(new FilePayload { Name = "list.csv", MimeType = "text/csv", Buffer = "phone\n09012345678\n03-12\n"u8.ToArray() });
                await page.Locator("#purpose").FillAsync("axe-test");
                await page.Locator("form.stack button[type=submit]").ClickAsync();
                await page.Locator("[data-status=done]").WaitForAsync(new() { Timeout = 60_000 });
                await CheckAsync("bulk scrub result");
                await CheckAsync("contact record", "/consent/console/contact");
                await page.Locator("#contact").FillAsync("090-1234-5678");
                await page.Locator("form.stack button[type=submit]").ClickAsync();
                await page.Locator("section.record").WaitForAsync();
                await CheckAsync("contact record answer");
                await CheckAsync("suppression list", "/consent/console/suppressions");
                await CheckAsync("suppression list with a bad filter", "/consent/console/suppressions?source=nonsense");
                await page.Locator("#contact").FillAsync("090-1234-5678");
                await page.Locator("form.find button[type=submit]").ClickAsync();
                await page.Locator("section.search-result").WaitForAsync();
                await CheckAsync("suppression search answer");
                await CheckAsync("settings", "/consent/console/settings");
                await page.Locator("#rule-days").CheckAsync();
                await page.Locator("#days").FillAsync("");
                await page.Locator("form.stack button[type=submit]").ClickAsync();
                await page.Locator("[data-error=days]").WaitForAsync();
                await CheckAsync("settings refused");
                await page.Locator("#days").FillAsync("10");
                await page.Locator("form.stack button[type=submit]").ClickAsync();
                await page.Locator("[data-saved]").WaitForAsync();
                await CheckAsync("settings saved");
                await CheckAsync("page not found", "/consent/console/no-such-page");
            }
            finally { await context.CloseAsync(); }
        }
        output.WriteLine($"{checkedPages} console page states checked");
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    /// <summary>axe-core's serious and critical violations, and what axe does not check: lang on the switch, a visible focus.</summary>
    /// <summary>The path of the confirmation link in the email the dev inbox holds for <paramref name="address"/>.</summary>
    private async Task<string> ConfirmationPathAsync(string address)
    {
        string? path = null;
        await Eventually.AssertAsync(async () =>
            {
                await using var notices = new SqliteConnection($"Data Source={Path.Combine(host.DataFolder, "notices.db")};Mode=ReadOnly;Pooling=False");
                await notices.OpenAsync();
                await using var query = notices.CreateCommand();
                query.CommandText = "SELECT body FROM dev_emails WHERE to_address = $to";
                query.Parameters.AddWithValue("$to", address);
                var match = ConfirmLink().Match(await query.ExecuteScalarAsync() as string ?? "");
                path = match.Success ? match.Value : null;
                return path is not null;
            },
            TimeSpan.FromSeconds(30), "the confirmation email reaches the dev inbox");
        return path!;
    }

    [GeneratedRegex(@"/r/confirm-email/[A-Za-z0-9_-]+")]
    private static partial Regex ConfirmLink();

    private static async Task<List<string>> ProblemsAsync(IPage page, string language, string what)
    {
        var problems = new List<string>();
        AxeResult result = await page.RunAxe();
        foreach (var violation in result.Violations.Where(v => v.Impact is "serious" or "critical"))
            problems.Add($"{what}: {violation.Impact} {violation.Id} ({violation.Help}) at {string.Join(" | ", violation.Nodes.Select(n => n.Html))}");

        if (await page.GetAttributeAsync("html", "lang") != language) problems.Add($"{what}: <html lang> is not {language}");
        var other = language == "ja" ? "en" : "ja";
        var switches = page.Locator($"a[hreflang={other}][lang={other}]");
        if (await switches.CountAsync() == 0 && !what.StartsWith("answer") && !what.StartsWith("consent receipt") && !what.Contains("code step") && !what.Contains("wrong code") && !what.Contains("done"))
            problems.Add($"{what}: no link to the other language with hreflang and lang");

        // Focus: the first element the keyboard reaches draws an outline.
        await page.Locator("body").FocusAsync();
        await page.Keyboard.PressAsync("Tab");
        var outline = await page.EvaluateAsync<string>("() => { const e = document.activeElement; if (!e || e === document.body) return 'nothing focused'; const s = getComputedStyle(e); return s.outlineStyle === 'none' || s.outlineWidth === '0px' ? 'no outline on ' + e.outerHTML.slice(0, 80) : ''; }");
        if (outline.Length > 0) problems.Add($"{what}: focus not visible: {outline}");
        return problems;
    }
}
