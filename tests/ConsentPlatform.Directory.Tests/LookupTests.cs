using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace ConsentPlatform.Directory.Tests;

public sealed class LookupFixture : DirectoryApp
{
    private readonly Lazy<Task> _seeded;

    public LookupFixture() => _seeded = new(SeedAsync);

    public Task SeededAsync() => _seeded.Value;

    private async Task SeedAsync()
    {
        var (_, client) = await CreateOrganizationAsync("東京テレマーケティング株式会社", tradeNames: ["TTM", "東京コール"]);
        await PublishNumberAsync(client, "03-1234-5678", "法人営業部");
    }
}

public sealed class LookupTests(LookupFixture app) : IClassFixture<LookupFixture>
{
    private static string Url(string number) => "/api/public/directory/lookup?number=" + Uri.EscapeDataString(number);

    [Theory]
    [InlineData("03-1234-5678")]
    [InlineData("０３－１２３４－５６７８")]
    [InlineData("+81 3 1234 5678")]
    [InlineData("81312345678")]
    [InlineData("0081312345678")]
    public async Task Lookup_returns_the_same_entry_for_every_way_a_person_types_the_number(string typed)
    {
        await app.SeededAsync();
        using var client = app.CreatePublicClient();
        var response = await client.GetAsync(Url(typed));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(result.GetProperty("registered").GetBoolean());
        Assert.Equal("+81312345678", result.GetProperty("number").GetString());
        Assert.Equal("03-1234-5678", result.GetProperty("nationalFormat").GetString());
        var entry = result.GetProperty("entry");
        Assert.Equal("東京テレマーケティング株式会社", entry.GetProperty("legalName").GetString());
        Assert.Equal(["TTM", "東京コール"], entry.GetProperty("tradeNames").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("法人営業部", entry.GetProperty("department").GetString());
        Assert.Equal("Seminar follow-up", entry.GetProperty("purposes")[0].GetString());
        Assert.Equal("09:00", entry.GetProperty("callingHours").GetProperty("start").GetString());
        Assert.Equal("18:00", entry.GetProperty("callingHours").GetProperty("end").GetString());
        Assert.Equal("Asia/Tokyo", entry.GetProperty("callingHours").GetProperty("timeZone").GetString());
        Assert.True(entry.GetProperty("verifiedSince").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddHours(-1));
        Assert.Equal("privacy@example.jp", entry.GetProperty("contact").GetProperty("email").GetString());
        Assert.Contains("#opt-out", entry.GetProperty("optOutUrl").GetString());
    }

    [Theory]
    [InlineData("+31 06 12345678", null, "+31612345678")]
    [InlineData("+44 (0)20 7946 0000", null, "+442079460000")]
    [InlineData("+43 01 234567890", null, "+431234567890")]
    [InlineData("06 12345678", "NL", "+31612345678")]
    [InlineData("020 7946 0000", "gb", "+442079460000")]
    public async Task Lookup_normalises_a_trunk_prefix_after_the_country_code_and_national_input_of_the_given_region(string typed, string? region, string e164)
    {
        await app.SeededAsync();
        using var client = app.CreatePublicClient();

        var response = await client.GetAsync(Url(typed) + (region is null ? "" : "&region=" + region));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(e164, result.GetProperty("number").GetString());
        Assert.False(result.GetProperty("registered").GetBoolean());
    }

    [Theory]
    [InlineData("+1 444 339 8019", null, "number", "not in use")]
    [InlineData("06 12345678", "XX", "region", "ISO 3166-1")]
    public async Task Lookup_of_an_unallocated_number_or_unknown_region_is_a_400_naming_the_field(string typed, string? region, string field, string words)
    {
        using var client = app.CreatePublicClient();

        var response = await client.GetAsync(Url(typed) + (region is null ? "" : "&region=" + region));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains(words, problem.GetProperty("errors").GetProperty(field)[0].GetString());
    }

    [Fact]
    public async Task Unknown_number_is_not_registered_with_the_same_shape_and_no_near_match()
    {
        await app.SeededAsync();
        using var client = app.CreatePublicClient();
        var known = await client.GetFromJsonAsync<JsonElement>(Url("03-1234-5678"));

        // One digit off, and a prefix of the known number: no guessing.
        foreach (var unknown in new[] { "03-1234-5679", "03-1234-567", "03-9999-0000" })
        {
            var response = await client.GetAsync(Url(unknown));
            if (unknown == "03-1234-567") { Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode); continue; }
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var result = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.False(result.GetProperty("registered").GetBoolean());
            Assert.Equal(JsonValueKind.Null, result.GetProperty("entry").ValueKind);
            Assert.Equal(known.EnumerateObject().Select(p => p.Name), result.EnumerateObject().Select(p => p.Name));
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("hello")]
    [InlineData("03-1234-5678 ext. 12")]
    [InlineData("<script>alert(1)</script>")]
    [InlineData("999999999999999999999999999999999999999999999999999999999999999999999999")]
    [InlineData("+999 1234")]
    public async Task Garbage_gets_a_400_problem_naming_the_number_field(string garbage)
    {
        using var client = app.CreatePublicClient();
        var response = await client.GetAsync(Url(garbage));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(JsonDocument.Parse(body).RootElement.GetProperty("errors").TryGetProperty("number", out _));
        if (garbage.Length > 3) Assert.DoesNotContain(garbage, body); // the input is not echoed back
    }

    [Fact]
    public async Task Lookup_without_a_number_is_a_400()
    {
        using var client = app.CreatePublicClient();
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/api/public/directory/lookup")).StatusCode);
    }

    [Fact]
    public async Task Lookup_page_shows_the_entry_the_stop_calls_form_and_the_way_to_data_subject_requests_without_script()
    {
        await app.SeededAsync();
        using var client = app.CreatePublicClient();
        var html = WebUtility.HtmlDecode(await client.GetStringAsync("/lookup?number=" + Uri.EscapeDataString("０３－１２３４－５６７８")));
        Assert.Contains("東京テレマーケティング株式会社", html);
        Assert.Contains("法人営業部", html);
        Assert.Contains("09:00", html);
        Assert.Contains("action=\"/lookup/opt-out\"", html);
        Assert.Contains("href=\"/consent/requests?lang=ja\"", html);
        Assert.DoesNotContain("<script", html);

        var unknown = WebUtility.HtmlDecode(await client.GetStringAsync("/lookup?number=03-9999-0000"));
        Assert.Contains("登録なし", unknown);
        Assert.DoesNotContain("action=\"/lookup/opt-out\"", unknown);

        var empty = await client.GetAsync("/lookup");
        Assert.Equal(HttpStatusCode.OK, empty.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/lookup?number=banana")).StatusCode);
    }

    [Fact]
    public async Task Lookup_and_feeds_are_in_the_openapi_document_with_the_json_feed_shape()
    {
        using var client = app.CreatePublicClient();
        var document = await client.GetFromJsonAsync<JsonElement>("/openapi/directory.json");
        var paths = document.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/api/public/directory/lookup", out _));
        Assert.True(paths.TryGetProperty("/api/public/directory/feed.json", out var feed));
        Assert.True(paths.TryGetProperty("/api/public/directory/opt-out", out _));
        Assert.True(paths.TryGetProperty("/api/directory/numbers", out _));

        var schemas = document.GetProperty("components").GetProperty("schemas");
        var reference = feed.GetProperty("get").GetProperty("responses").GetProperty("200").GetProperty("content").GetProperty("application/json")
            .GetProperty("schema").GetProperty("$ref").GetString();
        Assert.Equal("#/components/schemas/DirectoryFeed", reference);
        var directoryFeed = schemas.GetProperty("DirectoryFeed").GetProperty("properties");
        Assert.True(directoryFeed.TryGetProperty("organizations", out _));
        Assert.True(directoryFeed.TryGetProperty("lastModified", out _));
        foreach (var property in new[] { "phoneNumber", "nationalFormat", "department", "purposes", "callingHours", "verifiedSince", "validUntil" })
            Assert.True(schemas.GetProperty("FeedNumber").GetProperty("properties").TryGetProperty(property, out _), property);
        foreach (var property in new[] { "organizationId", "legalName", "tradeNames", "contact", "numbers" })
            Assert.True(schemas.GetProperty("FeedOrganization").GetProperty("properties").TryGetProperty(property, out _), property);
    }
}

public sealed class LowRateLimitApp() : DirectoryApp(new() { ["RateLimiting:PublicRequestsPerMinute"] = "6" });

public sealed class LookupRateLimitTests(LowRateLimitApp app) : IClassFixture<LowRateLimitApp>
{
    [Fact]
    public async Task Lookup_is_rate_limited_per_client_with_a_problem_and_retry_after()
    {
        using var client = app.CreatePublicClient();
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? limited = null;
        for (var i = 0; i < 12; i++)
        {
            var response = await client.GetAsync($"/api/public/directory/lookup?number=03-5555-{i:0000}");
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests) { limited = response; break; }
        }
        Assert.NotNull(limited);
        Assert.Equal(6, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(limited.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await client.GetAsync("/api/public/directory/feed.json")).StatusCode);
    }
}
