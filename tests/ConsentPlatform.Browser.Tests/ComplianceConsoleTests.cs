using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ConsentPlatform.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Playwright;

namespace ConsentPlatform.Browser.Tests;

/// <summary>
/// Issue 16, acceptance 1, on the all-in-one host: the compliance console's permission check shows every
/// reason a refused contact may not be called and where the refusal came from; the audit of checks
/// filters by the key that asked and by the day it asked (in the organization's zone, Japan by default).
/// </summary>
[Collection(HostFixture.CollectionName)]
public sealed class ComplianceConsoleTests(HostFixture host)
{
    private static readonly TimeZoneInfo Japan = TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo");

    [BrowserFact]
    public async Task The_check_page_shows_every_reason_a_contact_who_refused_a_call_may_not_be_called_and_where_the_refusal_came_from()
    {
        const string purpose = "console-followup";
        var (digits1, digits2) = (Random.Shared.Next(1000, 10000), Random.Shared.Next(1000, 10000));
        var (_, key) = await host.CreateOrganizationAsync("Console Check K.K.");
        using var api = host.CreateApiClient(key);
        var created = await api.PostAsJsonAsync("/api/consent/events", new
        {
            title = "Seminar", purpose, purposeText = new { ja = "セミナーのご案内", en = "About the seminar" }, channels = new[] { "sms" },
            texts = new { sms = new { ja = "SMSでの連絡に同意します。", en = "I agree to receive SMS." } }, senderLegalName = "Console Check K.K.", lifetimeMonths = 12,
        });
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        await Eventually.AssertAsync(async () => (await api.GetFromJsonAsync<string[]>("/api/notices/purposes"))!.Contains(purpose),
            TimeSpan.FromSeconds(20), "Notices learns the event's purpose over the bus");
        var planned = await api.PostAsJsonAsync("/api/notices/calls", new { phoneNumber = $"090-{digits1}-{digits2}", callerName = "Sato", topic = "Seminar", callingNumber = "03-5000-7300", purpose });
        Assert.Equal(HttpStatusCode.Created, planned.StatusCode);
        var callId = (await planned.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        Assert.Equal(HttpStatusCode.OK, (await api.PostAsJsonAsync($"/api/notices/calls/{callId}/outcome", new { outcome = "refused" })).StatusCode);
        await Eventually.AssertAsync(async () =>
            {
                var answer = await (await api.PostAsJsonAsync("/api/consent/checks", new { phoneNumber = $"090{digits1}{digits2}", channel = "call", purpose }))
                    .Content.ReadFromJsonAsync<JsonElement>();
                return answer.GetProperty("reasons").EnumerateArray().Any(r => r.GetString() == "refused_on_call");
            }, TimeSpan.FromSeconds(20), "Consent applies the refusal that Notices announced");

        var page = await host.NewPageAsync();
        try
        {
            await SignInAsync(page, key, "/consent/console/check");
            // Another way of writing the same number.
            await page.GetByLabel("Phone number or email").FillAsync($"+81 90 {digits1} {digits2}");
            await page.GetByLabel("Channel").SelectOptionAsync("call");
            await page.GetByLabel("Purpose", new() { Exact = true }).FillAsync(purpose);
            await page.GetByRole(AriaRole.Button, new() { Name = "Check", Exact = true }).ClickAsync();

            var result = page.Locator("section.result");
            await Assertions.Expect(result).ToHaveAttributeAsync("data-decision", "deny");
            await Assertions.Expect(result.Locator("h2")).ToHaveTextAsync("Decision: Do not contact");
            await Assertions.Expect(result.Locator("[data-reason=refused_on_call]")).ToHaveTextAsync("The person refused on a call (refused_on_call).");
            await Assertions.Expect(result.Locator("[data-reason=no_consent]")).ToHaveTextAsync("No consent for this channel and purpose (no_consent).");
            var refusal = page.Locator("tr[data-suppression=refused_on_call]");
            await Assertions.Expect(refusal).ToHaveCountAsync(1);
            await Assertions.Expect(refusal).ToContainTextAsync("call_refused");
            Assert.Equal(0, await page.GetByText($"{digits1}{digits2}").CountAsync());
        }
        finally { await page.Context.CloseAsync(); }
    }

    [BrowserFact]
    public async Task The_audit_page_shows_only_the_checks_of_the_chosen_key_on_the_chosen_days()
    {
        var (organizationId, keyA) = await host.CreateOrganizationAsync("Console Audit K.K.");
        var keyAId = keyA.Split('_')[1];
        var (keyBId, keyB) = await host.CreateKeyAsync(organizationId, "rep-b");
        using (var apiA = host.CreateApiClient(keyA))
            Assert.Equal(HttpStatusCode.OK, (await apiA.PostAsJsonAsync("/api/consent/checks", new { phoneNumber = "090-1234-5678", channel = "call", purpose = "audit-test" })).StatusCode);
        using (var apiB = host.CreateApiClient(keyB))
            Assert.Equal(HttpStatusCode.OK, (await apiB.PostAsJsonAsync("/api/consent/checks", new { phoneNumber = "080-8765-4321", channel = "sms", purpose = "audit-test" })).StatusCode);
        // A check by key A ten days ago, as the audit writer would have stored it.
        var tenDaysAgo = DateTimeOffset.UtcNow.AddDays(-10);
        await using (var connection = new SqliteConnection($"Data Source={Path.Combine(host.DataFolder, "consent.db")};Pooling=False"))
        {
            await connection.OpenAsync();
            var insert = connection.CreateCommand();
            insert.CommandText = """
                INSERT INTO check_audit (check_id, organization_id, contact_hash, channel, purpose, decision, reasons, at, checked_at, source, key_id, contact_masked)
                VALUES ('chk_seeded_ten_days_ago', $org, 'k1:seeded', 'email', 'audit-test', 'deny', 'no_consent', $at, $at, 'api', $key, 'a***@example.jp')
                """;
            insert.Parameters.AddWithValue("$org", organizationId);
            insert.Parameters.AddWithValue("$at", tenDaysAgo.ToUnixTimeMilliseconds());
            insert.Parameters.AddWithValue("$key", keyAId);
            await insert.ExecuteNonQueryAsync();
        }
        var today = Day(DateTimeOffset.UtcNow);

        var page = await host.NewPageAsync();
        try
        {
            await SignInAsync(page, keyA, "/consent/console/audit");
            var rows = page.Locator("table.audit tbody tr");
            // The audit is written in batches behind the check: reload until both of today's checks are there.
            await Eventually.AssertAsync(async () =>
            {
                await page.GotoAsync(new Uri(host.BaseAddress, "/consent/console/audit?lang=en").ToString());
                return await rows.CountAsync() == 3;
            }, TimeSpan.FromSeconds(20), "all three checks are listed without a filter");

            await page.GetByLabel("Key").SelectOptionAsync(keyAId);
            await page.GetByLabel("From").FillAsync(today);
            await page.GetByLabel("To").FillAsync(today);
            await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
            await Assertions.Expect(page.Locator("[data-total]")).ToHaveTextAsync("1 check");
            await Assertions.Expect(rows).ToHaveCountAsync(1);
            await Assertions.Expect(rows.First).ToHaveAttributeAsync("data-key", keyAId);
            await Assertions.Expect(rows.First.Locator("td.contact")).ToHaveTextAsync("090-****-5678");

            var tenDaysAgoDay = Day(tenDaysAgo);
            await page.GetByLabel("From").FillAsync(tenDaysAgoDay);
            await page.GetByLabel("To").FillAsync(tenDaysAgoDay);
            await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
            await Assertions.Expect(rows).ToHaveCountAsync(1);
            await Assertions.Expect(rows.First).ToHaveAttributeAsync("data-check", "chk_seeded_ten_days_ago");

            var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "Download as CSV (every matching check)" }).ClickAsync());
            var csv = (await File.ReadAllTextAsync((await download.PathAsync())!)).TrimStart('\uFEFF').Trim().Split('\n');
            Assert.Equal(2, csv.Length);
            Assert.StartsWith("checked_at,key_id,key_name,source,contact_masked,", csv[0]);
            Assert.Contains("chk_seeded_ten_days_ago", csv[1]);
            Assert.Contains("+09:00", csv[1]);

            // Key B's check is in the audit, under key B only.
            await page.GetByLabel("Key").SelectOptionAsync(keyBId);
            await page.GetByLabel("From").FillAsync(today);
            await page.GetByLabel("To").FillAsync(today);
            await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
            await Assertions.Expect(rows).ToHaveCountAsync(1);
            await Assertions.Expect(rows.First).ToHaveAttributeAsync("data-key", keyBId);
        }
        finally { await page.Context.CloseAsync(); }
    }

    [BrowserFact]
    public async Task A_data_subject_request_past_its_deadline_shows_as_overdue_and_one_within_it_shows_the_days_left()
    {
        var (organizationId, key) = await host.CreateOrganizationAsync("Console Requests K.K.");
        // Two requests about people this organization holds, as the service stores them: one received 40 days ago
        // and due 10 days ago, still waiting; one received yesterday, due in 29 days.
        var now = DateTimeOffset.UtcNow;
        var (late, fresh) = ($"dsr_late{Random.Shared.Next():x8}", $"dsr_fresh{Random.Shared.Next():x8}");
        await using (var connection = new SqliteConnection($"Data Source={Path.Combine(host.DataFolder, "consent.db")};Pooling=False"))
        {
            await connection.OpenAsync();
            foreach (var (id, received) in new[] { (late, now.AddDays(-40)), (fresh, now.AddDays(-1)) })
            {
                var insert = connection.CreateCommand();
                insert.CommandText = """
                    INSERT INTO data_subject_requests (id, kind, contact_kind, contact_hash, contact, code_hash, attempts, status, created_at, code_expires_at, due_at)
                    VALUES ($id, 'stop_use', 'phone', $hash, NULL, 'sha256:seeded', 0, 'pending_verification', $created, $created, $due);
                    INSERT INTO data_subject_request_organizations (request_id, organization_id) VALUES ($id, $org);
                    INSERT INTO data_subject_request_log (request_id, at, service, action, detail) VALUES ($id, $created, 'consent', 'received', 'phone');
                    """;
                insert.Parameters.AddWithValue("$id", id);
                insert.Parameters.AddWithValue("$hash", "k1:" + id);
                insert.Parameters.AddWithValue("$created", received.ToUnixTimeMilliseconds());
                insert.Parameters.AddWithValue("$due", received.AddDays(30).ToUnixTimeMilliseconds());
                insert.Parameters.AddWithValue("$org", organizationId);
                await insert.ExecuteNonQueryAsync();
            }
        }

        var page = await host.NewPageAsync();
        try
        {
            await SignInAsync(page, key, "/consent/console");
            await page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Data-subject requests" }).ClickAsync();

            var lateRow = page.Locator($"tr[data-request={late}]");
            await Assertions.Expect(lateRow).ToHaveAttributeAsync("data-overdue", "true");
            await Assertions.Expect(lateRow).ToHaveClassAsync("overdue");
            await Assertions.Expect(lateRow.Locator("td").Nth(5)).ToHaveTextAsync("Overdue: 10 days overdue");
            var freshRow = page.Locator($"tr[data-request={fresh}]");
            await Assertions.Expect(freshRow).ToHaveAttributeAsync("data-overdue", "false");
            await Assertions.Expect(freshRow.Locator("td").Nth(5)).ToHaveTextAsync("29 days left");

            await lateRow.GetByRole(AriaRole.Link).ClickAsync();
            await Assertions.Expect(page.Locator("dl.facts")).ToHaveAttributeAsync("data-overdue", "true");
            await Assertions.Expect(page.Locator("tr[data-action=received]")).ToContainTextAsync("Received (code sent)");

            // The same list in Japanese.
            await page.GetByRole(AriaRole.Link, new() { Name = "日本語" }).ClickAsync();
            await page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "本人からの請求" }).ClickAsync();
            await Assertions.Expect(page.Locator($"tr[data-request={late}] td").Nth(5)).ToHaveTextAsync("期限超過: 10日超過");
        }
        finally { await page.Context.CloseAsync(); }
    }

    [BrowserFact]
    public async Task The_overview_of_a_seeded_month_shows_each_charts_counts_in_english_and_japanese()
    {
        var (organizationId, key) = await host.CreateOrganizationAsync("Console Overview K.K.");
        var (otherOrganizationId, _) = await host.CreateOrganizationAsync("Someone Else K.K.");
        var (seminar, webinar) = (await CreateEventAsync(key, "Spring seminar"), await CreateEventAsync(key, "Webinar"));
        // March 2026 in Japan, the organization's zone; the first and last moments are in it, the moments either side are not.
        DateTimeOffset Jst(int month, int day, int hour, int minute = 0, int second = 0) => new(2026, month, day, hour, minute, second, TimeSpan.FromHours(9));
        var (first, middle, last) = (Jst(3, 1, 0), Jst(3, 15, 12), Jst(3, 31, 23, 59, 59));
        var (before, after) = (Jst(2, 28, 23, 59, 59), Jst(4, 1, 0));
        var now = DateTimeOffset.UtcNow;

        await using (var connection = new SqliteConnection($"Data Source={Path.Combine(host.DataFolder, "consent.db")};Pooling=False"))
        {
            await connection.OpenAsync();
            async Task Grant(string organization, string? eventId, string channel, DateTimeOffset at, string action = "granted")
            {
                var insert = connection.CreateCommand();
                insert.CommandText = """
                    INSERT INTO consent_ledger (id, receipt_id, subject_id, organization_id, event_id, action, channel, purpose, contact_hash, method, recorded_at)
                    VALUES ($id, $id, 'subject', $org, $event, $action, $channel, 'overview-test', 'k1:seeded', 'web_form', $at)
                    """;
                insert.Parameters.AddWithValue("$id", Guid.NewGuid().ToString());
                insert.Parameters.AddWithValue("$org", organization);
                insert.Parameters.AddWithValue("$event", (object?)eventId ?? DBNull.Value);
                insert.Parameters.AddWithValue("$action", action);
                insert.Parameters.AddWithValue("$channel", channel);
                insert.Parameters.AddWithValue("$at", at.ToUnixTimeMilliseconds());
                await insert.ExecuteNonQueryAsync();
            }
            async Task OptOut(string organization, string source, DateTimeOffset at, params string?[] channels)
            {
                var requestId = Guid.NewGuid().ToString();
                foreach (var channel in channels)
                {
                    var insert = connection.CreateCommand();
                    insert.CommandText = """
                        INSERT INTO suppressions (id, contact_hash, organization_id, channel, purpose, reason, source, request_id, created_at)
                        VALUES ($id, 'k1:seeded', $org, $channel, NULL, 'opted_out', $source, $request, $at)
                        """;
                    insert.Parameters.AddWithValue("$id", Guid.NewGuid().ToString());
                    insert.Parameters.AddWithValue("$org", organization);
                    insert.Parameters.AddWithValue("$channel", (object?)channel ?? DBNull.Value);
                    insert.Parameters.AddWithValue("$source", source);
                    insert.Parameters.AddWithValue("$request", requestId);
                    insert.Parameters.AddWithValue("$at", at.ToUnixTimeMilliseconds());
                    await insert.ExecuteNonQueryAsync();
                }
            }
            async Task Request(string organization, string kind, string status, DateTimeOffset due, DateTimeOffset? completed = null)
            {
                var insert = connection.CreateCommand();
                insert.CommandText = """
                    INSERT INTO data_subject_requests (id, kind, contact_kind, contact_hash, contact, code_hash, attempts, status, created_at, code_expires_at, due_at, completed_at)
                    VALUES ($id, $kind, 'phone', 'k1:seeded', NULL, 'sha256:seeded', 0, $status, $created, $created, $due, $completed);
                    INSERT INTO data_subject_request_organizations (request_id, organization_id) VALUES ($id, $org);
                    """;
                insert.Parameters.AddWithValue("$id", $"dsr_overview{Guid.NewGuid():N}");
                insert.Parameters.AddWithValue("$kind", kind);
                insert.Parameters.AddWithValue("$status", status);
                insert.Parameters.AddWithValue("$created", due.AddDays(-30).ToUnixTimeMilliseconds());
                insert.Parameters.AddWithValue("$due", due.ToUnixTimeMilliseconds());
                insert.Parameters.AddWithValue("$completed", (object?)completed?.ToUnixTimeMilliseconds() ?? DBNull.Value);
                insert.Parameters.AddWithValue("$org", organization);
                await insert.ExecuteNonQueryAsync();
            }

            // Consents: the seminar 3 SMS and 2 calls, the webinar 1 email, 1 SMS outside any event; a withdrawal,
            // grants either side of the month and another organization's grant are not counted.
            foreach (var at in new[] { first, middle, last }) await Grant(organizationId, seminar, "sms", at);
            foreach (var at in new[] { middle, last }) await Grant(organizationId, seminar, "call", at);
            await Grant(organizationId, webinar, "email", middle);
            await Grant(organizationId, null, "sms", middle);
            await Grant(organizationId, seminar, "sms", middle, action: "withdrawn");
            await Grant(organizationId, seminar, "sms", before);
            await Grant(organizationId, seminar, "sms", after);
            await Grant(otherOrganizationId, null, "sms", middle);

            // Opt-outs: one on the short link for SMS and calls (two entries, one opt-out), two STOP replies, one refused call,
            // one directory opt-out of every channel; one after the month and another organization's are not counted.
            await OptOut(organizationId, "responses", first, "sms", "call");
            await OptOut(organizationId, "sms_reply", middle, "sms");
            await OptOut(organizationId, "sms_reply", last, "sms");
            await OptOut(organizationId, "call_refused", middle, "call");
            await OptOut(organizationId, "directory", middle, [null]);
            await OptOut(organizationId, "responses", after, "sms");
            await OptOut(otherOrganizationId, "sms_reply", middle, "sms");

            // Requests: a stop-use and an erasure carried out in March stop every channel; a third-party stop is not an
            // opt-out; one carried out in April is outside. Open now: one overdue, one due in 3 days, two later.
            await Request(organizationId, "stop_use", "completed", middle.AddDays(10), completed: middle);
            await Request(organizationId, "erasure", "completed", middle.AddDays(10), completed: last);
            await Request(organizationId, "stop_third_party_provision", "completed", middle.AddDays(10), completed: middle);
            await Request(organizationId, "stop_use", "completed", after.AddDays(10), completed: after);
            await Request(organizationId, "erasure", "pending_verification", now.AddDays(-5));
            await Request(organizationId, "stop_use", "pending_verification", now.AddDays(3));
            await Request(organizationId, "stop_use", "pending_verification", now.AddDays(20));
            await Request(organizationId, "erasure", "pending_verification", now.AddDays(25));
            await Request(otherOrganizationId, "erasure", "pending_verification", now.AddDays(-5));
        }

        // Notices, in Notices' own database: three that left (sent, delivered, undelivered), one failed, three refused
        // (two opted_out, one no_consent); one still queued, one in April and another organization's are not counted.
        await using (var connection = new SqliteConnection($"Data Source={Path.Combine(host.DataFolder, "notices.db")};Pooling=False"))
        {
            await connection.OpenAsync();
            foreach (var (organization, status, reason, at) in new (string, string, string?, DateTimeOffset)[]
            {
                (organizationId, "sent", null, first), (organizationId, "delivered", null, middle), (organizationId, "undelivered", null, last),
                (organizationId, "failed", null, middle), (organizationId, "refused", "opted_out", middle), (organizationId, "refused", "opted_out", last),
                (organizationId, "refused", "no_consent", middle), (organizationId, "queued", null, middle), (organizationId, "sent", null, after),
                (otherOrganizationId, "sent", null, middle),
            })
                await InsertNoticeAsync(connection, Guid.NewGuid().ToString(), organization, "k1:seeded", status, reason, at);
        }
        // CRM deliveries, in Responses' database: two delivered, one dead letter; one pending, one in February and another organization's are not counted.
        await using (var connection = new SqliteConnection($"Data Source={Path.Combine(host.DataFolder, "responses.db")};Pooling=False"))
        {
            await connection.OpenAsync();
            foreach (var (organization, status, at) in new[]
            {
                (organizationId, "delivered", first), (organizationId, "delivered", last), (organizationId, "dead", middle), (organizationId, "pending", middle),
                (organizationId, "delivered", before), (otherOrganizationId, "delivered", middle),
            })
            {
                var insert = connection.CreateCommand();
                insert.CommandText = """
                    INSERT INTO crm_deliveries (delivery_id, connector_id, organization_id, response_id, contact_hash, status, attempts, next_attempt_at, created_at)
                    VALUES ($id, 'crm_seeded', $org, 'rsp_seeded', 'k1:seeded', $status, 1, $at, $at)
                    """;
                insert.Parameters.AddWithValue("$id", Guid.NewGuid().ToString());
                insert.Parameters.AddWithValue("$org", organization);
                insert.Parameters.AddWithValue("$status", status);
                insert.Parameters.AddWithValue("$at", at.ToUnixTimeMilliseconds());
                await insert.ExecuteNonQueryAsync();
            }
        }

        // Opt-out propagation samples, in the database of the service that applied each: Consent 1..100 ms (p50 50, p99 99),
        // Notices five (nearest rank: p50 the third, 45; p99 the fifth, 900); one in April and another organization's are not counted.
        async Task Propagation(string database, params (string Organization, DateTimeOffset At, long Milliseconds)[] samples)
        {
            await using var connection = new SqliteConnection($"Data Source={Path.Combine(host.DataFolder, database)};Pooling=False");
            await connection.OpenAsync();
            foreach (var (organization, at, milliseconds) in samples)
            {
                var insert = connection.CreateCommand();
                insert.CommandText = "INSERT INTO opt_out_propagation (organization_id, source, applied_at, latency_us) VALUES ($org, 'responses', $at, $latency)";
                insert.Parameters.AddWithValue("$org", organization);
                insert.Parameters.AddWithValue("$at", at.ToUnixTimeMilliseconds());
                insert.Parameters.AddWithValue("$latency", milliseconds * 1000);
                await insert.ExecuteNonQueryAsync();
            }
        }
        await Propagation("consent.db", [.. Enumerable.Range(1, 100).Select(ms => (organizationId, first.AddMinutes(ms), (long)ms)),
            (organizationId, after, 5_000), (otherOrganizationId, middle, 9_000)]);
        await Propagation("notices.db", (organizationId, middle, 250), (organizationId, first, 12), (organizationId, last, 900), (organizationId, middle, 45),
            (organizationId, middle, 30), (organizationId, after, 7_000), (otherOrganizationId, middle, 8_000));

        var expected = new Dictionary<string, Dictionary<string, long>>
        {
            ["consents-by-channel"] = new() { ["call"] = 2, ["sms"] = 4, ["email"] = 1 },
            ["consents-by-event"] = new() { [seminar] = 5, [webinar] = 1, ["none"] = 1 },
            ["opt-outs-by-channel"] = new() { ["call"] = 2, ["sms"] = 3, ["all"] = 3 },
            ["opt-outs-by-source"] = new() { ["responses"] = 1, ["sms_reply"] = 2, ["call_refused"] = 1, ["directory"] = 1, ["data_subject_request"] = 2 },
            ["open-requests"] = new() { ["overdue"] = 1, ["due_soon"] = 1, ["later"] = 2 },
            // Asked of Notices and Responses over the bus.
            ["notices"] = new() { ["sent"] = 3, ["refused"] = 3, ["failed"] = 1 },
            ["notices-refused-by-reason"] = new() { ["opted_out"] = 2, ["no_consent"] = 1 },
            ["crm-deliveries"] = new() { ["delivered"] = 2, ["dead_letters"] = 1 },
            // Consent's from its own database, Notices' asked over the bus; milliseconds.
            ["propagation-consent"] = new() { ["p50"] = 50, ["p99"] = 99 },
            ["propagation-notices"] = new() { ["p50"] = 45, ["p99"] = 900 },
        };

        var page = await host.NewPageAsync();
        try
        {
            await SignInAsync(page, key, "/consent/console");
            await page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Overview" }).ClickAsync();
            await page.GetByLabel("From", new() { Exact = true }).FillAsync("2026-03-01");
            await page.GetByLabel("To", new() { Exact = true }).FillAsync("2026-03-31");
            await page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
            await Assertions.Expect(page.Locator("[data-period]")).ToHaveTextAsync("From 2026-03-01 to 2026-03-31, both days included.");
            foreach (var (chart, counts) in expected) Assert.Equal(counts, await ChartAsync(page, chart));
            await Assertions.Expect(page.Locator("section[data-chart=consents-by-event] tr[data-bar] th").First).ToHaveTextAsync("Spring seminar");
            await Assertions.Expect(page.Locator("section[data-chart=opt-outs-by-source] svg title")).ToHaveTextAsync("Opt-outs, by source");
            await ScreenshotAsync(page, "en");

            await page.GetByRole(AriaRole.Link, new() { Name = "日本語" }).ClickAsync();
            await Assertions.Expect(page.Locator("section[data-chart=opt-outs-by-source] h2")).ToHaveTextAsync("連絡拒否（経路別）");
            foreach (var (chart, counts) in expected) Assert.Equal(counts, await ChartAsync(page, chart));
            await ScreenshotAsync(page, "ja");

            // The open requests chart leads to the list behind it.
            await page.Locator("section[data-chart=open-requests]").GetByRole(AriaRole.Link, new() { Name = "本人からの請求", Exact = true }).ClickAsync();
            await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("本人からの請求");
        }
        finally { await page.Context.CloseAsync(); }
    }

    [BrowserFact]
    public async Task A_scrub_upload_shows_its_progress_then_a_summary_by_reason_and_the_result_downloads()
    {
        var (_, key) = await host.CreateOrganizationAsync("Console Scrub K.K.");
        // A list large enough to take more than a moment, saved by Japanese Excel (Shift_JIS) with a Japanese header;
        // nobody on it gave consent, and every thousandth number cannot be read.
        const int rows = 200_000;
        var csv = new StringBuilder("電話番号,氏名\n", rows * 22);
        var unreadable = 0;
        for (var i = 0; i < rows; i++)
        {
            if (i % 1000 == 999) { csv.Append("03-12,山田\n"); unreadable++; }
            else csv.Append(CultureInfo.InvariantCulture, $"090{10000000 + i},山田\n");
        }
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var file = Encoding.GetEncoding(932).GetBytes(csv.ToString());

        var page = await host.NewPageAsync();
        try
        {
            await SignInAsync(page, key, "/consent/console");
            await page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Bulk scrub" }).ClickAsync();
            await page.GetByLabel("CSV file").SetInputFilesAsync(new FilePayload { Name = "call-list.csv", MimeType = "text/csv", Buffer = file });
            await page.GetByLabel("Channel").SelectOptionAsync("call");
            await page.GetByLabel("Purpose", new() { Exact = true }).FillAsync("scrub-test");
            await page.GetByRole(AriaRole.Button, new() { Name = "Start the scrub" }).ClickAsync();

            // While the job runs the page shows a progress bar against the rows the file holds, and refreshes itself.
            var progress = page.Locator("[data-status=running] progress");
            await Assertions.Expect(progress).ToBeVisibleAsync();
            Assert.Equal(rows.ToString(CultureInfo.InvariantCulture), await progress.GetAttributeAsync("max"));
            await Assertions.Expect(page.Locator("[data-status=running] p[data-rows]")).ToContainTextAsync("of about 200,000 rows checked");

            var done = page.Locator("[data-status=done]");
            await Assertions.Expect(done).ToBeVisibleAsync(new() { Timeout = 180_000 });
            await Assertions.Expect(done.Locator("dd[data-rows]")).ToHaveAttributeAsync("data-rows", rows.ToString(CultureInfo.InvariantCulture));
            await Assertions.Expect(done.Locator("dd[data-denied]")).ToHaveAttributeAsync("data-denied", rows.ToString(CultureInfo.InvariantCulture));
            await Assertions.Expect(done.Locator("tr[data-reason=no_consent] td")).ToHaveAttributeAsync("data-value", (rows - unreadable).ToString(CultureInfo.InvariantCulture));
            await Assertions.Expect(done.Locator("tr[data-reason=invalid_number] td")).ToHaveAttributeAsync("data-value", unreadable.ToString(CultureInfo.InvariantCulture));
            await Assertions.Expect(done.Locator("tr[data-reason=invalid_number] th")).ToHaveTextAsync("Not a phone number (invalid_number).");

            var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "Download the result as CSV" }).ClickAsync());
            var result = await File.ReadAllBytesAsync((await download.PathAsync())!);
            Assert.True(result.AsSpan().StartsWith((byte[])[0xEF, 0xBB, 0xBF]), "the result starts with a byte order mark, so Excel reads it as UTF-8");
            var lines = Encoding.UTF8.GetString(result, 3, result.Length - 3).TrimEnd().Split('\n');
            Assert.Equal(rows + 1, lines.Length);
            Assert.Equal("電話番号,氏名,decision,reasons", lines[0].TrimEnd('\r'));
            // Outside the contact hours quiet_hours follows: the scrub is made at the moment it runs.
            Assert.StartsWith("09010000000,山田,deny,no_consent", lines[1]);
            Assert.Equal("03-12,山田,deny,invalid_number", lines[1000].TrimEnd('\r'));
        }
        finally { await page.Context.CloseAsync(); }
    }

    [BrowserFact]
    public async Task The_contact_record_shows_a_seeded_contacts_consents_and_opt_outs_in_japan_time_masked_and_its_export_downloads()
    {
        var (organizationId, key) = await host.CreateOrganizationAsync("Console Contact K.K.");
        var (otherOrganizationId, _) = await host.CreateOrganizationAsync("Someone Else K.K.");
        var seminar = await CreateEventAsync(key, "Spring seminar");
        var digits = Random.Shared.Next(1000, 10000);
        var number = $"090-3131-{digits}";
        var hash = host.HashOf(number);
        DateTimeOffset Jst(int day, int hour) => new(2026, 3, day, hour, 0, 0, TimeSpan.FromHours(9));
        await using (var connection = new SqliteConnection($"Data Source={Path.Combine(host.DataFolder, "consent.db")};Pooling=False"))
        {
            await connection.OpenAsync();
            // A grant by SMS at the seminar, its withdrawal by a STOP reply and the opt-out that reply made; another organization's grant is not this one's record.
            foreach (var (organization, action, at) in new[] { (organizationId, "granted", Jst(15, 12)), (organizationId, "withdrawn", Jst(20, 9)), (otherOrganizationId, "granted", Jst(16, 8)) })
            {
                var insert = connection.CreateCommand();
                insert.CommandText = """
                    INSERT INTO consent_ledger (id, receipt_id, subject_id, organization_id, event_id, action, channel, purpose, contact_hash, phone_hash, method, recorded_at)
                    VALUES ($id, $id, 'subject', $org, $event, $action, 'sms', 'overview-test', $hash, $hash, 'web_form', $at)
                    """;
                insert.Parameters.AddWithValue("$id", Guid.NewGuid().ToString());
                insert.Parameters.AddWithValue("$org", organization);
                insert.Parameters.AddWithValue("$event", seminar);
                insert.Parameters.AddWithValue("$action", action);
                insert.Parameters.AddWithValue("$hash", hash);
                insert.Parameters.AddWithValue("$at", at.ToUnixTimeMilliseconds());
                await insert.ExecuteNonQueryAsync();
            }
            await InsertSuppressionAsync(connection, organizationId, hash, "sms_reply", "opted_out", "sms", Jst(20, 9));
            // A stop-use request by this number that concerns the organization.
            var insertRequest = connection.CreateCommand();
            insertRequest.CommandText = """
                INSERT INTO data_subject_requests (id, kind, contact_kind, contact_hash, contact, code_hash, attempts, status, created_at, code_expires_at, due_at)
                VALUES ($id, 'stop_use', 'phone', $hash, NULL, 'sha256:seeded', 0, 'pending_verification', $at, $at, $at);
                INSERT INTO data_subject_request_organizations (request_id, organization_id) VALUES ($id, $org);
                """;
            insertRequest.Parameters.AddWithValue("$id", $"dsr_contact{digits}");
            insertRequest.Parameters.AddWithValue("$hash", hash);
            insertRequest.Parameters.AddWithValue("$at", Jst(22, 10).ToUnixTimeMilliseconds());
            insertRequest.Parameters.AddWithValue("$org", organizationId);
            await insertRequest.ExecuteNonQueryAsync();
        }
        // In Notices' database: a notice sent to the number and one the gate refused; another organization's is not this one's record.
        await using (var connection = new SqliteConnection($"Data Source={Path.Combine(host.DataFolder, "notices.db")};Pooling=False"))
        {
            await connection.OpenAsync();
            foreach (var (id, organization, status, reason, at) in new (string, string, string, string?, DateTimeOffset)[]
            {
                ($"ntc_sent{digits}", organizationId, "sent", null, Jst(14, 9)), ($"ntc_refused{digits}", organizationId, "refused", "opted_out", Jst(21, 9)),
                ($"ntc_other{digits}", otherOrganizationId, "sent", null, Jst(14, 9)),
            })
                await InsertNoticeAsync(connection, id, organization, hash, status, reason, at);
        }
        // In Responses' database: the person's answer on the short link.
        await using (var connection = new SqliteConnection($"Data Source={Path.Combine(host.DataFolder, "responses.db")};Pooling=False"))
        {
            await connection.OpenAsync();
            var insert = connection.CreateCommand();
            insert.CommandText = """
                INSERT INTO responses (response_id, code, organization_id, contact_hash, masked_number, topic, preferred_contact, reason, opt_out_flagged, language, responded_at)
                VALUES ($id, 'seeded', $org, $hash, '090-****-0000', 'Spring seminar', 'no_further_contact', 'not_interested', 1, 'ja', $at)
                """;
            insert.Parameters.AddWithValue("$id", $"rsp_contact{digits}");
            insert.Parameters.AddWithValue("$org", organizationId);
            insert.Parameters.AddWithValue("$hash", hash);
            insert.Parameters.AddWithValue("$at", Jst(20, 8).ToUnixTimeMilliseconds());
            await insert.ExecuteNonQueryAsync();
        }

        var page = await host.NewPageAsync();
        try
        {
            await SignInAsync(page, key, "/consent/console");
            await page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Contact record" }).ClickAsync();
            await page.GetByLabel("Phone number or email").FillAsync($"+81 90 3131 {digits}");
            await page.GetByRole(AriaRole.Button, new() { Name = "Show the record" }).ClickAsync();

            var record = page.Locator("section.record");
            await Assertions.Expect(record.Locator("h2")).ToHaveTextAsync($"Record of 090-****-{digits}");
            var ledger = record.Locator("tr[data-ledger]");
            await Assertions.Expect(ledger).ToHaveCountAsync(2);
            await Assertions.Expect(ledger.Nth(0).Locator("td").Nth(0)).ToHaveTextAsync("15 Mar 2026, 12:00");
            await Assertions.Expect(ledger.Nth(0).Locator("td").Nth(1)).ToHaveTextAsync("Granted");
            await Assertions.Expect(ledger.Nth(1).Locator("td").Nth(1)).ToHaveTextAsync("Withdrawn");
            var optOut = record.Locator("tr[data-suppression]");
            await Assertions.Expect(optOut).ToHaveCountAsync(1);
            await Assertions.Expect(optOut).ToHaveAttributeAsync("data-source", "sms_reply");
            await Assertions.Expect(optOut.Locator("td").Nth(0)).ToHaveTextAsync("20 Mar 2026, 9:00");
            // Asked of Notices and Responses over the bus; the request from Consent's own tables.
            await Assertions.Expect(record.Locator($"tr[data-held-request=dsr_contact{digits}] td").Nth(1)).ToHaveTextAsync("Stop use");
            var notices = record.Locator("tr[data-notice]");
            await Assertions.Expect(notices).ToHaveCountAsync(2);
            await Assertions.Expect(notices.Nth(0)).ToHaveAttributeAsync("data-notice", $"ntc_sent{digits}");
            await Assertions.Expect(notices.Nth(0).Locator("td").Nth(0)).ToHaveTextAsync("14 Mar 2026, 9:00");
            await Assertions.Expect(notices.Nth(1)).ToHaveAttributeAsync("data-status", "refused");
            await Assertions.Expect(notices.Nth(1).Locator("td").Nth(3)).ToContainTextAsync("opted_out");
            var responses = record.Locator("tr[data-response]");
            await Assertions.Expect(responses).ToHaveCountAsync(1);
            await Assertions.Expect(responses).ToHaveAttributeAsync("data-choice", "no_further_contact");
            await Assertions.Expect(responses.Locator("td").Nth(0)).ToHaveTextAsync("20 Mar 2026, 8:00");
            await Assertions.Expect(responses.Locator("td").Nth(1)).ToHaveTextAsync("Spring seminar");
            Assert.DoesNotContain($"{digits}", page.Url);

            var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Download this record as CSV" }).ClickAsync());
            var csv = await File.ReadAllBytesAsync((await download.PathAsync())!);
            Assert.True(csv.AsSpan().StartsWith((byte[])[0xEF, 0xBB, 0xBF]), "the export starts with a byte order mark");
            var lines = Encoding.UTF8.GetString(csv, 3, csv.Length - 3).TrimEnd().Split('\n');
            Assert.StartsWith("record,", lines[0]);
            Assert.Equal(["ledger", "ledger", "suppression", "request", "notice", "notice", "response"], lines.Skip(1).Select(l => l.Split(',')[0]));
            Assert.Contains(lines, l => l.StartsWith($"notice,ntc_refused{digits},", StringComparison.Ordinal) && l.Contains(",refused,", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.StartsWith($"response,rsp_contact{digits},", StringComparison.Ordinal) && l.Contains("no_further_contact", StringComparison.Ordinal));

            // The same record in Japanese: the switch leads to the empty form (the contact is not carried in the address).
            await page.GetByRole(AriaRole.Link, new() { Name = "日本語" }).ClickAsync();
            await page.GetByLabel("電話番号またはメールアドレス").FillAsync($"090{3131}{digits}");
            await page.GetByRole(AriaRole.Button, new() { Name = "記録を表示する" }).ClickAsync();
            await Assertions.Expect(record.Locator("h2")).ToHaveTextAsync($"090-****-{digits} の記録");
            await Assertions.Expect(ledger.Nth(0).Locator("td").Nth(0)).ToHaveTextAsync("2026年3月15日 12:00");
            await Assertions.Expect(record.Locator("tr[data-notice]")).ToHaveCountAsync(2);
            await Assertions.Expect(record.Locator("tr[data-response] td").Nth(0)).ToHaveTextAsync("2026年3月20日 8:00");
        }
        finally { await page.Context.CloseAsync(); }
    }

    [BrowserFact]
    public async Task The_suppression_list_filters_seeded_opt_outs_by_source_and_day_and_finds_one_by_number()
    {
        var (organizationId, key) = await host.CreateOrganizationAsync("Console Suppressions K.K.");
        var (otherOrganizationId, _) = await host.CreateOrganizationAsync("Someone Else K.K.");
        var digits = Random.Shared.Next(1000, 10000);
        DateTimeOffset Jst(int month, int day, int hour, int minute = 0) => new(2026, month, day, hour, minute, 0, TimeSpan.FromHours(9));
        await using (var connection = new SqliteConnection($"Data Source={Path.Combine(host.DataFolder, "consent.db")};Pooling=False"))
        {
            await connection.OpenAsync();
            // A STOP reply, a refused call, and a directory opt-out made 30 minutes into 1 April in Japan (still 31 March in UTC);
            // another organization's opt-out of the same number is not on this list.
            await InsertSuppressionAsync(connection, organizationId, host.HashOf($"090-3232-{digits}"), "sms_reply", "opted_out", "sms", Jst(3, 5, 10));
            await InsertSuppressionAsync(connection, organizationId, host.HashOf($"080-3232-{digits}"), "call_refused", "refused_on_call", "call", Jst(3, 18, 15));
            await InsertSuppressionAsync(connection, organizationId, host.HashOf($"070-3232-{digits}"), "directory", "opted_out", null, Jst(4, 1, 0, 30));
            await InsertSuppressionAsync(connection, otherOrganizationId, host.HashOf($"080-3232-{digits}"), "sms_reply", "opted_out", "sms", Jst(3, 18, 16));
        }

        var page = await host.NewPageAsync();
        try
        {
            await SignInAsync(page, key, "/consent/console");
            await page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Suppression list" }).ClickAsync();
            var rows = page.Locator("tr[data-suppression]");
            await Assertions.Expect(page.Locator("[data-total]")).ToHaveTextAsync("3 opt-outs");
            await Assertions.Expect(rows).ToHaveCountAsync(3);
            await Assertions.Expect(rows.Nth(0)).ToHaveAttributeAsync("data-source", "directory");
            await Assertions.Expect(rows.Nth(0).Locator("td").Nth(0)).ToHaveTextAsync("1 Apr 2026, 0:30");

            await page.GetByLabel("Source", new() { Exact = true }).SelectOptionAsync("sms_reply");
            await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
            await Assertions.Expect(page.Locator("[data-total]")).ToHaveTextAsync("1 opt-out");
            await Assertions.Expect(rows).ToHaveCountAsync(1);
            await Assertions.Expect(rows.First.Locator("td").Nth(0)).ToHaveTextAsync("5 Mar 2026, 10:00");
            await Assertions.Expect(rows.First.Locator("td").Nth(1)).ToHaveTextAsync("The person opted out (opted_out).");

            await page.GetByLabel("Source", new() { Exact = true }).SelectOptionAsync("");
            await page.GetByLabel("From").FillAsync("2026-04-01");
            await page.GetByLabel("To", new() { Exact = true }).FillAsync("2026-04-01");
            await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
            await Assertions.Expect(rows).ToHaveCountAsync(1);
            await Assertions.Expect(rows.First).ToHaveAttributeAsync("data-source", "directory");

            await page.GetByLabel("Phone number or email").FillAsync($"+81 80 3232 {digits}");
            await page.GetByRole(AriaRole.Button, new() { Name = "Find" }).ClickAsync();
            var found = page.Locator("section.search-result");
            await Assertions.Expect(found.Locator("h2")).ToHaveTextAsync($"Opt-outs for 080-****-{digits}");
            await Assertions.Expect(found.Locator("tr[data-suppression]")).ToHaveCountAsync(1);
            await Assertions.Expect(found.Locator("tr[data-suppression]")).ToHaveAttributeAsync("data-source", "call_refused");
            await Assertions.Expect(found.Locator("tr[data-suppression] td").Nth(1)).ToHaveTextAsync("The person refused on a call (refused_on_call).");
            Assert.DoesNotContain($"{digits}", page.Url);

            await page.GetByRole(AriaRole.Link, new() { Name = "日本語" }).ClickAsync();
            await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("連絡拒否の一覧");
            await Assertions.Expect(page.Locator("[data-total]")).ToHaveTextAsync("3件");
            await Assertions.Expect(page.Locator("tr[data-suppression]").Nth(1).Locator("td").Nth(0)).ToHaveTextAsync("2026年3月18日 15:00");
        }
        finally { await page.Context.CloseAsync(); }
    }

    /// <summary>A notice as Notices stores it (an SMS before a call), in Notices' database.</summary>
    private static async Task InsertNoticeAsync(SqliteConnection connection, string id, string organizationId, string hash, string status, string? reason, DateTimeOffset at)
    {
        var insert = connection.CreateCommand();
        insert.CommandText = """
            INSERT INTO notices (id, call_id, organization_id, kind, contact_hash, status, reason, code, created_at, updated_at)
            VALUES ($id, 'call_seeded', $org, 'sms', $hash, $status, $reason, NULL, $at, $at)
            """;
        insert.Parameters.AddWithValue("$id", id);
        insert.Parameters.AddWithValue("$org", organizationId);
        insert.Parameters.AddWithValue("$hash", hash);
        insert.Parameters.AddWithValue("$status", status);
        insert.Parameters.AddWithValue("$reason", (object?)reason ?? DBNull.Value);
        insert.Parameters.AddWithValue("$at", at.ToUnixTimeMilliseconds());
        await insert.ExecuteNonQueryAsync();
    }

    private static async Task InsertSuppressionAsync(SqliteConnection connection, string organizationId, string hash, string source, string reason, string? channel, DateTimeOffset at)
    {
        var insert = connection.CreateCommand();
        insert.CommandText = """
            INSERT INTO suppressions (id, contact_hash, organization_id, channel, purpose, reason, source, request_id, created_at)
            VALUES ($id, $hash, $org, $channel, NULL, $reason, $source, NULL, $at)
            """;
        insert.Parameters.AddWithValue("$id", Guid.NewGuid().ToString());
        insert.Parameters.AddWithValue("$hash", hash);
        insert.Parameters.AddWithValue("$org", organizationId);
        insert.Parameters.AddWithValue("$channel", (object?)channel ?? DBNull.Value);
        insert.Parameters.AddWithValue("$reason", reason);
        insert.Parameters.AddWithValue("$source", source);
        insert.Parameters.AddWithValue("$at", at.ToUnixTimeMilliseconds());
        await insert.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// The README's pictures of the overview: written only when CONSOLE_SCREENSHOTS names a folder
    /// (e.g. docs/screenshots), at 1280×800, so a normal run leaves the tree alone.
    /// </summary>
    private static async Task ScreenshotAsync(IPage page, string language)
    {
        if (Environment.GetEnvironmentVariable("CONSOLE_SCREENSHOTS") is not { Length: > 0 } folder) return;
        System.IO.Directory.CreateDirectory(folder);
        await page.SetViewportSizeAsync(1280, 800);
        await page.ScreenshotAsync(new() { Path = Path.Combine(folder, $"console-overview-{language}.png"), FullPage = true });
    }

    /// <summary>A chart's figures by bar, as its table states them; the drawn bars must carry the same figures.</summary>
    private static async Task<Dictionary<string, long>> ChartAsync(IPage page, string chart)
    {
        var section = page.Locator($"section[data-chart={chart}]");
        var table = new Dictionary<string, long>();
        foreach (var row in await section.Locator("table.figures tbody tr").AllAsync())
            table[(await row.GetAttributeAsync("data-bar"))!] = long.Parse((await row.Locator("td").GetAttributeAsync("data-value"))!, CultureInfo.InvariantCulture);
        var drawn = new Dictionary<string, long>();
        foreach (var bar in await section.Locator("svg g[data-bar]").AllAsync())
            drawn[(await bar.GetAttributeAsync("data-bar"))!] = long.Parse((await bar.GetAttributeAsync("data-value"))!, CultureInfo.InvariantCulture);
        Assert.Equal(table, drawn);
        return table;
    }

    private async Task<string> CreateEventAsync(string key, string title)
    {
        using var api = host.CreateApiClient(key);
        var created = await api.PostAsJsonAsync("/api/consent/events", new
        {
            title, purpose = "overview-test", purposeText = new { ja = "ご案内", en = "About the event" }, channels = new[] { "sms", "call", "email" },
            texts = new { sms = new { ja = "SMSに同意します。", en = "I agree to SMS." }, call = new { ja = "電話に同意します。", en = "I agree to calls." },
                email = new { ja = "メールに同意します。", en = "I agree to email." } },
            senderLegalName = "Console Overview K.K.", lifetimeMonths = 12,
        });
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    private static string Day(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, Japan).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private Task SignInAsync(IPage page, string key, string path) => SignInAsync(host, page, key, path);

    internal static async Task SignInAsync(HostFixture host, IPage page, string key, string path)
    {
        await page.GotoAsync(new Uri(host.BaseAddress, $"/signin?returnUrl={Uri.EscapeDataString(path)}").ToString());
        await page.FillAsync("input[name=key]", key);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync("**" + path, new() { WaitUntil = WaitUntilState.DOMContentLoaded });
    }
}
