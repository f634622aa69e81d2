using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ConsentPlatform.Consent.ConsentForms;
using ConsentPlatform.Contracts;
using ConsentPlatform.ServiceDefaults.Identity;
using ConsentPlatform.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using static ConsentPlatform.Consent.Tests.FormHelpers;
using static ConsentPlatform.Consent.Tests.ImportHelpers;

namespace ConsentPlatform.Consent.Tests;

public sealed class ImportTests(ConsentFactory factory) : IClassFixture<ConsentFactory>
{
    private static string NoonInTokyo(int daysFromNow) =>
        new DateTimeOffset(DateTime.SpecifyKind(DateTime.UtcNow.Date.AddDays(daysFromNow).AddHours(12), DateTimeKind.Unspecified), TimeSpan.FromHours(9)).ToString("O");

    private async Task<(string Org, HttpClient Client, string EventId)> EventAsync(string title = "Cloud Seminar 2026")
    {
        var (org, client) = await factory.CreateOrganizationAsync();
        var id = (await client.CreateEventAsync(EventBody(title: title))).GetProperty("id").GetString()!;
        return (org, client, id);
    }

    private Task<long> LedgerRowsAsync(string org) => factory.QueryScalarAsync<long>("SELECT COUNT(*) FROM consent_ledger WHERE organization_id = @org", new { org });

    private Task<long> AnnouncedAsync(string org) => factory.QueryScalarAsync<long>("SELECT COUNT(*) FROM outbox_messages WHERE message_type = @type AND body LIKE @org",
        new { type = typeof(ConsentRecorded).FullName, org = $"%{org}%" });

    [Fact]
    public async Task Csv_import_writes_one_ledger_row_per_channel_with_provenance_and_evidence_and_announces_each()
    {
        var (org, client, id) = await EventAsync();
        var collected = CollectedDaysAgo(30);
        var csv = Csv(
            Row(phone: "090-5555-1001", channels: "call sms", collectedAt: collected),
            Row(phone: "", email: "Hanako@Example.JP", channels: "email", language: "en", textShown: "", textReference: "https://crm.example.jp/forms/77 v2",
                captureMethod: "web_form", evidence: "Exported from Salesforce campaign 701", ip: "203.0.113.7", userAgent: "Mozilla/5.0 (Windows NT 10.0)",
                pageUrl: "https://events.example.com/register"));

        var import = await client.ImportOkAsync(id, csv);

        Assert.Equal((2, 3), (import.GetProperty("registrations").GetInt32(), import.GetProperty("ledgerRows").GetInt32()));
        Assert.StartsWith("sha256:", import.GetProperty("fileSha256").GetString());
        var rows = (await client.GetFromJsonAsync<JsonElement[]>($"/api/consent/events/{id}/submissions"))!;
        Assert.Equal(["call", "email", "sms"], rows.Select(r => r.GetProperty("channel").GetString()).Order());
        Assert.All(rows, r => Assert.Equal(("import", "granted", import.GetProperty("id").GetString()),
            (r.GetProperty("method").GetString(), r.GetProperty("action").GetString(), r.GetProperty("importId").GetString())));
        var call = rows.Single(r => r.GetProperty("channel").GetString() == "call");
        Assert.Equal("+819055551001", call.GetProperty("contact").GetString());
        Assert.Equal("Tokyo Expo 2026 booth", call.GetProperty("sourceEvent").GetString());
        Assert.Equal(DateTimeOffset.Parse(collected).ToUnixTimeMilliseconds(), call.GetProperty("collectedAt").GetInt64());
        Assert.Equal("paper_form", call.GetProperty("captureMethod").GetString());
        Assert.Equal("Paper form #0042, scanned to DMS folder expo-2026", call.GetProperty("evidence").GetString());
        Assert.Equal(EventStore.HashText("お電話でのご連絡に同意します。"), call.GetProperty("textHash").GetString());
        Assert.Equal(call.GetProperty("receiptId").GetString(), rows.Single(r => r.GetProperty("channel").GetString() == "sms").GetProperty("receiptId").GetString());
        Assert.Equal(DateTimeOffset.Parse(collected).AddMonths(12).ToUnixTimeMilliseconds(), call.GetProperty("expiresAt").GetInt64());
        var email = rows.Single(r => r.GetProperty("channel").GetString() == "email");
        Assert.Equal(("hanako@example.jp", "203.0.113.7", "web_form"), (email.GetProperty("contact").GetString(), email.GetProperty("ip").GetString(), email.GetProperty("captureMethod").GetString()));
        Assert.Equal(JsonValueKind.Null, email.GetProperty("textHash").ValueKind);
        Assert.Equal("https://crm.example.jp/forms/77 v2", email.GetProperty("textReference").GetString());
        Assert.Equal(3, await AnnouncedAsync(org));

        // The gate knows at once (index updated after commit), like after a form submission.
        Assert.Equal("allow", (await client.CheckAsync(new { phoneNumber = "09055551001", channel = "sms", purpose = "seminar", at = NoonInTokyo(1) })).Decision());
        Assert.Equal("allow", (await client.CheckAsync(new { email = "hanako@example.jp", channel = "email", purpose = "seminar", at = NoonInTokyo(1) })).Decision());
    }

    [Fact]
    public async Task Consent_collected_longer_ago_than_its_lifetime_is_imported_as_expired()
    {
        var (_, client, id) = await EventAsync();
        await client.ImportOkAsync(id, Csv(Row(phone: "090-5555-1002", collectedAt: CollectedDaysAgo(400))));
        var check = await client.CheckAsync(new { phoneNumber = "09055551002", channel = "call", purpose = "seminar", at = NoonInTokyo(1) });
        Assert.Equal(["consent_expired"], check.Reasons());
    }

    [Fact]
    public async Task Json_import_takes_camel_case_fields_and_channel_arrays()
    {
        var (org, client, id) = await EventAsync();
        var body = JsonSerializer.Serialize(new[]
        {
            new { phone = "+81 90 5555 1003", channels = new[] { "call", "email" }, email = "jiro@example.jp", source = "Osaka seminar 2026", collectedAt = "2026-10-01",
                textReference = "Paper form OS-3", captureMethod = "in_person", evidence = "Signed sheet OS-3 p.4" },
        });

        var import = await client.ImportOkAsync(id, body, "application/json");

        Assert.Equal((1, 2, "json"), (import.GetProperty("registrations").GetInt32(), import.GetProperty("ledgerRows").GetInt32(), import.GetProperty("format").GetString()));
        Assert.Equal(2, await LedgerRowsAsync(org));
    }

    [Fact]
    public async Task One_bad_row_in_a_thousand_writes_nothing_and_the_answer_names_its_row_and_field()
    {
        var (org, client, id) = await EventAsync();
        var rows = Enumerable.Range(0, 1000).Select(i => i == 499 ? Row(phone: "090-12") : Row(phone: $"090-6{i:D3}-{i:D4}")).ToArray();

        var problem = await ProblemAsync(await client.ImportAsync(id, Csv(rows)));

        // The header is row 1, so the 500th registration is row 501.
        Assert.Equal(["rows[501].phone"], problem.ErrorKeys());
        var listed = Assert.Single(problem.GetProperty("rows").EnumerateArray());
        Assert.Equal((501, "phone"), (listed.GetProperty("row").GetInt32(), listed.GetProperty("field").GetString()));
        Assert.Equal(1, problem.GetProperty("badRows").GetInt32());
        Assert.Equal(0, await LedgerRowsAsync(org));
        Assert.Equal(0, await AnnouncedAsync(org));
        Assert.Equal(0, await factory.QueryScalarAsync<long>("SELECT COUNT(*) FROM consent_imports WHERE organization_id = @org", new { org }));
    }

    [Fact]
    public async Task Every_bad_row_is_listed_not_only_the_first()
    {
        var (org, client, id) = await EventAsync();
        var problem = await ProblemAsync(await client.ImportAsync(id, Csv(Row(channels: "fax"), Row(), Row(evidence: "", captureMethod: "telepathy"))));
        Assert.Equal(["rows[2].channels", "rows[4].captureMethod", "rows[4].evidence"], problem.ErrorKeys().Order());
        Assert.Equal(2, problem.GetProperty("badRows").GetInt32());
        Assert.Equal(0, await LedgerRowsAsync(org));
    }

    public static TheoryData<string, string> BadRows => new()
    {
        { Row(phone: "090-1234-5678 ext. 12"), "phone" },
        { Row(phone: "", channels: "call"), "phone" },
        { Row(phone: "03-1234-5678", channels: "sms"), "phone" },
        { Row(email: "nope@", channels: "email", phone: ""), "email" },
        { Row(channels: ""), "channels" },
        { Row(channels: "call fax"), "channels" },
        { Row(channels: "call call"), "channels" },
        { Row(language: "fr"), "language" },
        { Row(source: ""), "source" },
        { Row(source: new string('s', 201)), "source" },
        { Row(collectedAt: ""), "collectedAt" },
        { Row(collectedAt: "last spring"), "collectedAt" },
        { Row(collectedAt: "2026-10-01T10:00:00"), "collectedAt" },
        { Row(collectedAt: DateTimeOffset.UtcNow.AddDays(3).ToString("O")), "collectedAt" },
        { Row(textShown: "", textReference: ""), "textShown" },
        { Row(textShown: new string('x', 2001)), "textShown" },
        { Row(captureMethod: ""), "captureMethod" },
        { Row(captureMethod: "scraped"), "captureMethod" },
        { Row(evidence: ""), "evidence" },
        { Row(captureMethod: "web_form", userAgent: "Mozilla/5.0"), "ip" },
        { Row(captureMethod: "web_form", ip: "203.0.113.9"), "userAgent" },
        { Row(ip: "999.1.1.1"), "ip" },
        { Row(pageUrl: "javascript:alert(1)"), "pageUrl" },
        { Row(thirdParties: "Unnamed Partner Inc."), "thirdParties" },
        { Row() + ",extra", "row" },
    };

    [Theory]
    [MemberData(nameof(BadRows))]
    public async Task Bad_row_is_refused_naming_row_and_field_and_nothing_is_written(string row, string field)
    {
        var (org, client, id) = await EventAsync();
        var problem = await ProblemAsync(await client.ImportAsync(id, Csv(Row(phone: "090-5555-2000"), row)));
        Assert.Contains($"rows[3].{field}", problem.ErrorKeys());
        Assert.Equal(0, await LedgerRowsAsync(org));
    }

    [Fact]
    public async Task Named_recipients_become_share_rows_like_on_the_form_and_are_not_announced_as_contact_consent()
    {
        var (org, client) = await factory.CreateOrganizationAsync();
        var id = (await client.CreateEventAsync(EventBody(thirdParties: ["Sponsor Co.", "Partner K.K."]))).GetProperty("id").GetString()!;

        await client.ImportOkAsync(id, Csv(Row(phone: "090-5555-4001", thirdParties: "Sponsor Co. | Partner K.K.")));

        var rows = (await client.GetFromJsonAsync<JsonElement[]>($"/api/consent/events/{id}/submissions"))!;
        Assert.Equal([("call", ""), ("share", "Partner K.K."), ("share", "Sponsor Co.")],
            rows.Select(r => (r.GetProperty("channel").GetString(), r.GetProperty("thirdParty").GetString() ?? "")).Order());
        Assert.All(rows, r => Assert.Equal("+819055554001", r.GetProperty("contact").GetString()));
        Assert.Equal(1, await AnnouncedAsync(org));

        var json = JsonSerializer.Serialize(new[]
        {
            new { email = "share@example.jp", channels = new[] { "email" }, thirdParties = new[] { "Sponsor Co." }, source = "Osaka", collectedAt = "2026-10-01",
                textReference = "paper v1", captureMethod = "paper_form", evidence = "sheet 9" },
        });
        await client.ImportOkAsync(id, json, "application/json");
        var shared = (await client.GetFromJsonAsync<JsonElement[]>($"/api/consent/events/{id}/submissions"))!.Where(r => r.GetProperty("contact").GetString() == "share@example.jp");
        Assert.Equal(["email", "share"], shared.Select(r => r.GetProperty("channel").GetString()).Order());
    }

    [Fact]
    public async Task Channel_the_event_does_not_offer_is_refused()
    {
        var (org, client) = await factory.CreateOrganizationAsync();
        var id = (await client.CreateEventAsync(EventBody(channels: ["email"]))).GetProperty("id").GetString()!;
        var problem = await ProblemAsync(await client.ImportAsync(id, Csv(Row(channels: "call"))));
        Assert.Equal(["rows[2].channels"], problem.ErrorKeys());
        Assert.Equal(0, await LedgerRowsAsync(org));
    }

    public static TheoryData<string, string, string> BadFiles => new()
    {
        { "text/csv", Header + "\r\n090-5555-3000,,call,ja,\"Expo \"booth\" 3,2026-10-01,t,,paper_form,e,,,\r\n", "file" },
        { "text/csv", Header + "\r\n090-5555-3000,,call,ja,\"Expo,2026-10-01,t,,paper_form,e,,,\r\n", "file" },
        { "text/csv", Header + "\r\n090-5555-3000,,call\r\n", "rows[2].row" },
        { "text/csv", "phone,channels,source,collected_at,text_shown,capture_method\r\n090-5555-3000,call,Expo,2026-10-01,t,paper_form\r\n", "columns" },
        { "text/csv", Header + ",favourite_colour\r\n", "columns" },
        { "text/csv", "", "file" },
        { "text/csv", Header + "\r\n", "file" },
        { "application/json", """{"phone":"090-5555-3000"}""", "file" },
        { "application/json", """[{"phone":"090-5555-3000","channels":"call",""", "file" },
        { "application/json", """[{"phone":5,"channels":"call","source":"s","collectedAt":"2026-10-01","textShown":"t","captureMethod":"paper_form","evidence":"e"}]""", "rows[1].phone" },
        { "application/json", """[{"phone":"090-5555-3000","channels":[1],"source":"s","collectedAt":"2026-10-01","textShown":"t","captureMethod":"paper_form","evidence":"e"}]""", "rows[1].channels" },
        { "application/json", """[{"phone":"090-5555-3000","channels":"call","source":"s","collectedAt":"2026-10-01","textShown":"t","captureMethod":"paper_form","evidence":"e","shoeSize":"9"}]""", "rows[1].shoeSize" },
        { "application/json", """["090-5555-3000"]""", "rows[1].row" },
        { "application/json", "[]", "file" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public async Task Unreadable_or_misshapen_file_is_refused_naming_the_problem_and_nothing_is_written(string contentType, string body, string field)
    {
        var (org, client, id) = await EventAsync();
        var problem = await ProblemAsync(await client.ImportAsync(id, body, contentType));
        Assert.Contains(field, problem.ErrorKeys());
        Assert.Equal(0, await LedgerRowsAsync(org));
    }

    [Fact]
    public async Task Csv_that_is_not_utf8_is_refused_rather_than_imported_garbled()
    {
        var (org, client, id) = await EventAsync();
        var utf8 = Encoding.UTF8.GetBytes(Csv(Row(phone: "090-5555-5001", source: "展示会")));
        // "展示会" in Shift_JIS, as a spreadsheet in Japan saves it by default.
        byte[] shiftJis = [0x93, 0x57, 0x8E, 0xA6, 0x89, 0xEF];
        var index = Encoding.UTF8.GetString(utf8).IndexOf("展示会", StringComparison.Ordinal);
        var prefix = Encoding.UTF8.GetByteCount(Encoding.UTF8.GetString(utf8)[..index]);
        byte[] body = [.. utf8[..prefix], .. shiftJis, .. utf8[(prefix + Encoding.UTF8.GetByteCount("展示会"))..]];

        var response = await client.PostAsync($"/api/consent/events/{id}/imports", new ByteArrayContent(body) { Headers = { ContentType = new("text/csv") } });

        var problem = await ProblemAsync(response);
        Assert.Equal(["file"], problem.ErrorKeys());
        Assert.Contains("UTF-8", problem.GetProperty("detail").GetString());
        Assert.Equal(0, await LedgerRowsAsync(org));
    }

    [Fact]
    public async Task Csv_with_a_byte_order_mark_is_read_like_any_other()
    {
        var (org, client, id) = await EventAsync();
        byte[] body = [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(Csv(Row(phone: "090-5555-5002", source: "展示会")))];
        var response = await client.PostAsync($"/api/consent/events/{id}/imports", new ByteArrayContent(body) { Headers = { ContentType = new("text/csv") } });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("展示会", await factory.QueryScalarAsync<string>("SELECT source_event FROM consent_ledger WHERE organization_id = @org", new { org }));
    }

    [Fact]
    public async Task Cp932_csv_is_converted_and_the_answer_says_so()
    {
        var (org, client, id) = await EventAsync();
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var body = Encoding.GetEncoding(932).GetBytes(Csv(Row(phone: "090-5555-5003", source: "展示会")));

        var response = await client.PostAsync($"/api/consent/events/{id}/imports", new ByteArrayContent(body) { Headers = { ContentType = new("text/csv") } });
        var import = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.True(response.StatusCode == HttpStatusCode.Created, import.ToString());
        Assert.Equal("Shift_JIS (CP932)", import.GetProperty("convertedFrom").GetString());
        Assert.Equal("展示会", await factory.QueryScalarAsync<string>("SELECT source_event FROM consent_ledger WHERE organization_id = @org", new { org }));
    }

    [Fact]
    public async Task Wrong_content_type_unknown_event_and_another_organizations_event_are_refused()
    {
        var (_, client, id) = await EventAsync();
        var (_, stranger) = await factory.CreateOrganizationAsync("Stranger K.K.");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await client.ImportAsync(id, Csv(Row()), "text/plain")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.ImportAsync("ev_doesnotexist", Csv(Row()))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.ImportAsync(id, Csv(Row()))).StatusCode);
        using var anonymous = factory.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.ImportAsync(id, Csv(Row()))).StatusCode);
        Assert.Empty((await client.GetFromJsonAsync<JsonElement[]>($"/api/consent/events/{id}/submissions"))!);
    }
}

/// <summary>Imports against small limits, on a host of their own.</summary>
public sealed class ImportLimitTests : IDisposable
{
    private readonly TempDirectory _data = new("cp-consent-limits-");
    private readonly ConsentFactory _parent = new();
    private readonly WebApplicationFactory<ConsentDatabase> _factory;

    public ImportLimitTests()
    {
        _factory = _parent.WithWebHostBuilder(b =>
        {
            b.UseSetting("Database:DataFolder", _data.Path);
            b.UseSetting("Consent:ImportMaxRows", "5");
            b.UseSetting("Consent:ImportMaxBytes", "4096");
        });
    }

    private async Task<(string Org, HttpClient Client, string EventId)> EventAsync()
    {
        var identity = _factory.Services.GetRequiredService<IdentityStore>();
        var org = await identity.CreateOrganizationAsync("Limits K.K.");
        var key = await identity.CreateKeyAsync(org.Id, [Scopes.Consent], "test");
        var client = _factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", key.Key);
        return (org.Id, client, (await client.CreateEventAsync()).GetProperty("id").GetString()!);
    }

    [Fact]
    public async Task More_rows_than_the_limit_is_413_and_nothing_is_written()
    {
        var (_, client, id) = await EventAsync();
        var problem = await ProblemAsync(await client.ImportAsync(id, Csv(Enumerable.Range(0, 6).Select(i => Row(phone: $"090-7000-{i:D4}", evidence: "p")).ToArray())),
            HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("Consent:ImportMaxRows", problem.GetProperty("detail").GetString());
        Assert.Empty((await client.GetFromJsonAsync<JsonElement[]>($"/api/consent/events/{id}/submissions"))!);

        await client.ImportOkAsync(id, Csv(Enumerable.Range(0, 5).Select(i => Row(phone: $"090-7000-{i:D4}", evidence: "p")).ToArray()));
    }

    [Fact]
    public async Task Larger_file_than_the_byte_limit_is_413()
    {
        var (_, client, id) = await EventAsync();
        var problem = await ProblemAsync(await client.ImportAsync(id, Csv(Row(textShown: new string('x', 1900)), Row(textShown: new string('y', 1900)), Row(textShown: new string('z', 1900)))),
            HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("Consent:ImportMaxBytes", problem.GetProperty("detail").GetString());
        Assert.Empty((await client.GetFromJsonAsync<JsonElement[]>($"/api/consent/events/{id}/submissions"))!);
    }

    public void Dispose()
    {
        _factory.Dispose();
        _parent.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _data.Dispose();
    }
}
