using System.Net;
using ConsentPlatform.Contracts;
using ConsentPlatform.Testing;

namespace ConsentPlatform.Responses.Tests;

public sealed class ShortLinkTests : IDisposable
{
    private readonly ResponsesFactory _factory = new();

    [Fact]
    public async Task Link_page_shows_company_caller_topic_masked_number_and_provenance_but_never_the_number()
    {
        var (org, _) = await _factory.CreateOrganizationAsync();
        await _factory.PublishProfileAsync(org, "株式会社アクメ");
        var hash = _factory.Hasher.Hash(Telephony.PhoneNumbers.Parse("090-1234-5678").Number);
        await _factory.PublishAsync(new ConsentRecorded
        {
            ConsentId = Guid.NewGuid(), OrganizationId = org, Channel = Channels.Call, Purpose = "sales", ContactHash = hash,
            RecordedAt = new DateTimeOffset(2024, 7, 10, 3, 0, 0, TimeSpan.Zero), SourceEvent = "SaaS Expo Tokyo 2024",
        });
        await Eventually.AssertAsync(async () => await _factory.CountAsync("SELECT COUNT(*) FROM consent_provenance") == 1 &&
            await _factory.CountAsync("SELECT COUNT(*) FROM organization_profiles") == 1, TimeSpan.FromSeconds(10), "provenance and profile arrive");
        var link = await _factory.IssueLinkAsync(org, topic: "Team plan follow-up");

        var html = WebUtility.HtmlDecode(await _factory.CreateBrowser().GetStringAsync($"/r/{link.Code}?lang=en"));

        Assert.Contains("株式会社アクメ", html);
        Assert.Contains("Team plan follow-up", html);
        Assert.Contains("Yamada", html);
        Assert.Contains(link.MaskedNumber, html);
        Assert.Contains("You gave us this number at “SaaS Expo Tokyo 2024” on 10 July 2024.", html);
        Assert.Contains("privacy@acme.example", html);
        Assert.DoesNotContain("1234-5678", html);
        Assert.DoesNotContain("+8190", html);
        Assert.Contains("id=\"stop\"", html);
    }

    [Fact]
    public async Task Short_link_is_rate_limited_per_client_even_though_it_skips_the_middleware()
    {
        using var limited = new ResponsesFactory(new() { ["RateLimiting:PublicRequestsPerMinute"] = "6" });
        var (org, _) = await limited.CreateOrganizationAsync();
        var link = await limited.IssueLinkAsync(org);
        var browser = limited.CreateBrowser();

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++) statuses.Add((await browser.GetAsync($"/r/{link.Code}?lang=en")).StatusCode);

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        var refused = await browser.GetAsync($"/r/{link.Code}?lang=en");
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("10", refused.Headers.RetryAfter?.ToString());
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("gzip, deflate, br, zstd", "br")]
    [InlineData("gzip", "gzip")]
    [InlineData("br;q=0, gzip;q=0.8", "gzip")]
    [InlineData("identity", null)]
    [InlineData(null, null)]
    public async Task Link_page_comes_compressed_as_the_browser_accepts_and_reads_the_same(string? acceptEncoding, string? expected)
    {
        var (org, _) = await _factory.CreateOrganizationAsync();
        var link = await _factory.IssueLinkAsync(org, topic: "Team plan follow-up");
        var browser = _factory.CreateBrowser();
        var plain = await browser.GetByteArrayAsync($"/r/{link.Code}?lang=en");
        var request = new HttpRequestMessage(HttpMethod.Get, $"/r/{link.Code}?lang=en");
        if (acceptEncoding is not null) request.Headers.TryAddWithoutValidation("Accept-Encoding", acceptEncoding);

        var response = await browser.SendAsync(request);
        var body = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(expected, response.Content.Headers.ContentEncoding.SingleOrDefault());
        Assert.Contains("Accept-Encoding", response.Headers.Vary);
        Stream decoded = expected switch
        {
            "br" => new System.IO.Compression.BrotliStream(new MemoryStream(body), System.IO.Compression.CompressionMode.Decompress),
            "gzip" => new System.IO.Compression.GZipStream(new MemoryStream(body), System.IO.Compression.CompressionMode.Decompress),
            _ => new MemoryStream(body),
        };
        using var text = new MemoryStream();
        await decoded.CopyToAsync(text);
        Assert.Equal(plain, text.ToArray());
        Assert.Contains("Team plan follow-up", System.Text.Encoding.UTF8.GetString(plain));
        if (expected is not null) Assert.True(body.Length < plain.Length / 2, $"{body.Length} compressed vs {plain.Length} plain");
    }

    [Fact]
    public async Task Link_page_speaks_japanese_by_default_and_english_when_asked()
    {
        var (org, _) = await _factory.CreateOrganizationAsync();
        var link = await _factory.IssueLinkAsync(org);
        var browser = _factory.CreateBrowser();

        var japanese = WebUtility.HtmlDecode(await browser.GetStringAsync($"/r/{link.Code}"));
        var english = WebUtility.HtmlDecode(await browser.GetStringAsync($"/r/{link.Code}?lang=en"));

        Assert.Contains("<html lang=\"ja\">", japanese);
        Assert.Contains("今後の連絡を停止する", japanese);
        Assert.Contains("<html lang=\"en\">", english);
        Assert.Contains("Stop contacting me", english);
    }

    [Fact]
    public async Task Unknown_code_gets_a_friendly_page_with_the_generic_opt_out_form()
    {
        var response = await _factory.CreateBrowser().GetAsync("/r/doesnotexist?lang=en");
        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("We could not find this link", html);
        Assert.Contains("action=\"/r/opt-out\"", html);
        Assert.Contains("name=\"phoneNumber\"", html);
    }

    public static TheoryData<string> PreviewAgents =>
    [
        "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        "facebookexternalhit/1.1 Facebot Twitterbot/1.0",
        "Twitterbot/1.0",
        "WhatsApp/2.23.20.0 A",
        "TelegramBot (like TwitterBot)",
        "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
        "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko; Google-PageRenderer Google (+https://developers.google.com/+/web/snippet/))",
        "Mozilla/5.0 (Windows NT 6.1; WOW64) SkypeUriPreview Preview/0.5",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.1.1 Safari/605.1.15 (Applebot/0.1)",
    ];

    [Theory]
    [MemberData(nameof(PreviewAgents))]
    public async Task Link_preview_by_a_known_agent_changes_nothing(string agent)
    {
        var (org, _) = await _factory.CreateOrganizationAsync();
        var link = await _factory.IssueLinkAsync(org);
        var before = await _factory.StateAsync(link.Code);
        var preview = _factory.CreateBrowser(agent);

        var page = await preview.GetAsync($"/r/{link.Code}");
        var html = await page.Content.ReadAsStringAsync();
        // An unfurler that does fetch the beacon is still a preview.
        await preview.GetAsync($"/r/{link.Code}/seen.css");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.DoesNotContain(link.MaskedNumber, html);
        Assert.DoesNotContain("<form", html);
        await Eventually.AssertAsync(async () => await _factory.CountAsync("SELECT COALESCE(SUM(previews), 0) FROM link_visits WHERE code = @code", new { code = link.Code }) == 2,
            TimeSpan.FromSeconds(5), "both requests to be counted as previews (so the counter has run)");
        Assert.Equal(before, await _factory.StateAsync(link.Code));
    }

    [Fact]
    public async Task Head_request_changes_nothing_even_from_a_browser()
    {
        var (org, _) = await _factory.CreateOrganizationAsync();
        var link = await _factory.IssueLinkAsync(org);
        var before = await _factory.StateAsync(link.Code);

        var head = await _factory.CreateBrowser().SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/r/{link.Code}"));

        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        await Eventually.AssertAsync(async () => await _factory.CountAsync("SELECT COALESCE(SUM(previews), 0) FROM link_visits WHERE code = @code", new { code = link.Code }) == 1,
            TimeSpan.FromSeconds(5), "the HEAD to be counted as a preview");
        Assert.Equal(before, await _factory.StateAsync(link.Code));
    }

    [Fact]
    public async Task Page_served_to_a_browser_counts_a_visit_only_when_it_is_rendered()
    {
        var (org, _) = await _factory.CreateOrganizationAsync();
        var link = await _factory.IssueLinkAsync(org);
        var browser = _factory.CreateBrowser();

        var html = await browser.GetStringAsync($"/r/{link.Code}");
        await Task.Delay(300);
        Assert.Equal(0, (await _factory.StateAsync(link.Code)).Visits);

        Assert.Contains($"/r/{link.Code}/seen.css", html);
        var beacon = await browser.GetAsync($"/r/{link.Code}/seen.css");
        Assert.Equal("no-store", beacon.Headers.CacheControl?.ToString());
        await Eventually.AssertAsync(async () => (await _factory.StateAsync(link.Code)).Visits == 1, TimeSpan.FromSeconds(5), "the rendered page to count one visit");
        Assert.Equal(0, await _factory.CountAsync("SELECT COUNT(*) FROM responses"));
    }

    public void Dispose() => _factory.Dispose();
}
