using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using ConsentPlatform.Testing;
using CsvHelper;
using Microsoft.AspNetCore.Mvc.Testing;
using static ConsentPlatform.Consent.Tests.FormHelpers;
using static ConsentPlatform.Consent.Tests.ImportHelpers;

namespace ConsentPlatform.Consent.Tests;

public sealed class ExportTests(ConsentFactory factory) : IClassFixture<ConsentFactory>
{
    private static List<Dictionary<string, string>> ReadCsv(string text)
    {
        using var csv = new CsvReader(new StringReader(text), CultureInfo.InvariantCulture);
        return csv.GetRecords<dynamic>().Select(r => ((IDictionary<string, object>)r).ToDictionary(p => p.Key, p => (string)p.Value)).ToList();
    }

    [Fact]
    public async Task Organization_export_in_csv_shows_imported_rows_with_their_provenance_and_form_rows_with_their_evidence()
    {
        var (org, client) = await factory.CreateOrganizationAsync();
        var (_, stranger) = await factory.CreateOrganizationAsync("Stranger K.K.");
        var seminar = (await client.CreateEventAsync()).GetProperty("id").GetString()!;
        var expo = (await client.CreateEventAsync(EventBody(title: "Expo 2026"))).GetProperty("id").GetString()!;
        var collected = CollectedDaysAgo(10);
        var import = await client.ImportOkAsync(expo, Csv(Row(phone: "090-4444-0001", channels: "call sms", collectedAt: collected, textReference: "paper form v3")));
        using var browser = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        browser.DefaultRequestHeaders.UserAgent.ParseAdd("ExportBrowser/2.0");
        await browser.SubmitFormAsync(seminar, [Field("channels", "email"), Field("email", "export@example.jp")]);
        var foreignEvent = (await stranger.CreateEventAsync()).GetProperty("id").GetString()!;
        await stranger.ImportOkAsync(foreignEvent, Csv(Row(phone: "090-4444-0002")));

        var response = await client.GetAsync("/api/consent/ledger?format=csv");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        var rows = ReadCsv(await response.Content.ReadAsStringAsync());
        Assert.Equal(3, rows.Count);
        Assert.All(rows, r => Assert.Equal(org, r["organization_id"]));
        var call = rows.Single(r => r["channel"] == "call");
        Assert.Equal(("+819044440001", expo, "import", "Tokyo Expo 2026 booth"), (call["contact"], call["event_id"], call["method"], call["source_event"]));
        Assert.Equal(DateTimeOffset.Parse(collected).UtcDateTime, DateTime.Parse(call["collected_at"], CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal));
        Assert.Equal(("paper_form", "Paper form #0042, scanned to DMS folder expo-2026", "paper form v3", "お電話でのご連絡に同意します。"),
            (call["capture_method"], call["evidence"], call["text_reference"], call["text_shown"]));
        Assert.Equal(import.GetProperty("id").GetString(), call["import_id"]);
        var email = rows.Single(r => r["channel"] == "email");
        Assert.Equal(("export@example.jp", "web_form", "ExportBrowser/2.0", "1"), (email["contact"], email["method"], email["user_agent"], email["text_version"]));
        Assert.Equal("", email["collected_at"]);
    }

    [Fact]
    public async Task Event_export_holds_only_that_events_rows_and_the_format_follows_accept_when_not_given()
    {
        var (_, client) = await factory.CreateOrganizationAsync();
        var first = (await client.CreateEventAsync()).GetProperty("id").GetString()!;
        var second = (await client.CreateEventAsync(EventBody(title: "Second"))).GetProperty("id").GetString()!;
        await client.ImportOkAsync(first, Csv(Row(phone: "090-4444-1001")));
        await client.ImportOkAsync(second, Csv(Row(phone: "090-4444-1002"), Row(phone: "090-4444-1003")));

        var json = await client.GetFromJsonAsync<JsonElement[]>($"/api/consent/events/{second}/ledger");
        Assert.Equal(["+819044441002", "+819044441003"], json!.Select(r => r.GetProperty("contact").GetString()));
        Assert.All(json!, r => Assert.Equal("Tokyo Expo 2026 booth", r.GetProperty("sourceEvent").GetString()));

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/consent/events/{first}/ledger");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));
        var csv = await client.SendAsync(request);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        Assert.Equal("+819044441001", Assert.Single(ReadCsv(await csv.Content.ReadAsStringAsync()))["contact"]);
    }

    [Fact]
    public async Task Export_streams_every_row_in_ledger_order_past_the_flush_size()
    {
        var (_, client) = await factory.CreateOrganizationAsync();
        var id = (await client.CreateEventAsync()).GetProperty("id").GetString()!;
        await client.ImportOkAsync(id, Csv(Enumerable.Range(0, 1200).Select(i => Row(phone: $"090-3{i % 1000:D3}-{i:D4}", evidence: $"sheet {i}")).ToArray()));

        var json = await client.GetFromJsonAsync<JsonElement[]>($"/api/consent/events/{id}/ledger?format=json");
        var csv = ReadCsv(await client.GetStringAsync($"/api/consent/ledger?format=csv"));

        Assert.Equal(Enumerable.Range(0, 1200).Select(i => $"sheet {i}"), json!.Select(r => r.GetProperty("evidence").GetString()));
        Assert.Equal(Enumerable.Range(0, 1200).Select(i => $"sheet {i}"), csv.Select(r => r["evidence"]));
    }

    [Fact]
    public async Task Bad_format_unknown_event_and_missing_key_are_refused()
    {
        var (_, client) = await factory.CreateOrganizationAsync();
        var (_, stranger) = await factory.CreateOrganizationAsync("Stranger K.K.");
        var id = (await client.CreateEventAsync()).GetProperty("id").GetString()!;

        var badFormat = await ProblemAsync(await client.GetAsync("/api/consent/ledger?format=xlsx"));
        Assert.Equal(["format"], badFormat.ErrorKeys());
        Assert.Equal(["format"], (await ProblemAsync(await client.GetAsync($"/api/consent/events/{id}/ledger?format=pdf"))).ErrorKeys());
        Assert.Equal(["format"], (await ProblemAsync(await client.GetAsync("/api/consent/contacts?phoneNumber=090-4444-2001&format=xml"))).ErrorKeys());
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/consent/events/ev_nope/ledger")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"/api/consent/events/{id}/ledger")).StatusCode);
        using var anonymous = factory.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/consent/ledger")).StatusCode);
    }

    [Fact]
    public async Task Per_contact_export_in_csv_lists_ledger_rows_and_the_suppressions_that_apply()
    {
        var (org, client) = await factory.CreateOrganizationAsync();
        var id = (await client.CreateEventAsync()).GetProperty("id").GetString()!;
        await client.ImportOkAsync(id, Csv(Row(phone: "090-4444-3001", channels: "call")));
        await factory.PublishAsync(Api.OptOut(factory.HashOf("090-4444-3001"), org, "directory"));
        await Eventually.AssertAsync(async () => (await client.GetFromJsonAsync<JsonElement>("/api/consent/contacts?phoneNumber=09044443001"))
            .GetProperty("suppressions").GetArrayLength() == 1, TimeSpan.FromSeconds(10), "the suppression is recorded");

        var response = await client.GetAsync("/api/consent/contacts?phoneNumber=090-4444-3001&format=csv");

        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var rows = ReadCsv(await response.Content.ReadAsStringAsync());
        // Consent runs alone here: Notices and Responses do not answer, and the export says so instead of leaving them out.
        Assert.Equal([("ledger", "granted"), ("ledger", "withdrawn"), ("suppression", "suppressed"), ("notices", "not_available"), ("responses", "not_available")],
            rows.Select(r => (r["record"], r["action"])));
        Assert.Equal("Tokyo Expo 2026 booth", rows[0]["source_event"]);
        Assert.Equal("directory", rows[2]["method"]);
        Assert.NotEqual("", rows[2]["suppression_reason"]);
        // A service that did not answer has no time of its own (not 1970-01-01).
        Assert.All(rows.Skip(3), r => Assert.Equal("", r["recorded_at"]));
    }

    [Fact]
    public async Task Import_and_export_endpoints_are_described_in_the_openapi_document()
    {
        using var client = factory.CreateClient();
        var paths = (await client.GetFromJsonAsync<JsonElement>("/openapi/consent.json")).GetProperty("paths");
        Assert.True(paths.GetProperty("/api/consent/events/{id}/imports").TryGetProperty("post", out var import));
        Assert.True(import.GetProperty("requestBody").GetProperty("content").TryGetProperty("text/csv", out _));
        Assert.True(paths.GetProperty("/api/consent/ledger").GetProperty("get").GetProperty("responses").GetProperty("200").GetProperty("content").TryGetProperty("text/csv", out _));
        Assert.True(paths.GetProperty("/api/consent/events/{id}/ledger").GetProperty("get").GetProperty("responses").GetProperty("200").GetProperty("content").TryGetProperty("application/json", out _));
        Assert.True(paths.GetProperty("/api/consent/contacts").GetProperty("get").GetProperty("responses").GetProperty("200").GetProperty("content").TryGetProperty("text/csv", out _));
    }
}
