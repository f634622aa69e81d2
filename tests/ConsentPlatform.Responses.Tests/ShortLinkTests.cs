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

    // Real user agents. People: the in-app browsers of LINE (iOS, Android), Instagram, Facebook, KakaoTalk,
    // WeChat and X, and headless Chromium (which some people's tools and our own browser tests are).
    private const string LineIos = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Safari Line/14.9.0";
    private const string LineAndroid = "Mozilla/5.0 (Linux; Android 14; SH-M26 Build/S1234; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/125.0.6422.165 Mobile Safari/537.36 Line/14.9.1/IAB";
    private const string Instagram = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Instagram 337.0.3.23.54 (iPhone14,5; iOS 17_5; ja_JP; ja; scale=3.00; 1170x2532; 614455270)";
    private const string Facebook = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/470.0.0.35.106;FBBV/600000000;FBDV/iPhone14,5;FBMD/iPhone;FBSN/iOS;FBSV/17.5;FBSS/3;FBID/phone;FBLC/ja_JP;FBOP/5]";
    private const string KakaoTalk = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 KAKAOTALK 10.8.5";
    private const string WeChat = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.49(0x18003137) NetType/WIFI Language/ja";
    private const string X = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Twitter for iPhone/10.48";
    private const string Headless = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/126.0.0.0 Safari/537.36";
    // Unfurlers: what fetches a link the moment it is pasted into a chat.
    private const string SlackUnfurler = "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)";
    private const string LineUnfurler = "facebookexternalhit/1.1;line-poker/1.0";
    private const string FacebookUnfurler = "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)";
    private const string IMessageUnfurler = "facebookexternalhit/1.1 Facebot Twitterbot/1.0";

    public static TheoryData<string> EveryClient =>
    [
        LineIos, LineAndroid, Instagram, Facebook, KakaoTalk, WeChat, X, Headless, ResponsesFactory.PhoneBrowser,
        SlackUnfurler, LineUnfurler, FacebookUnfurler, IMessageUnfurler, "Twitterbot/1.0", "WhatsApp/2.23.20.0 A",
        "TelegramBot (like TwitterBot)", "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)", "",
    ];

    [Theory]
    [MemberData(nameof(EveryClient))]
    public async Task Every_client_gets_the_whole_page_with_the_stop_button(string agent)
    {
        var (org, _) = await _factory.CreateOrganizationAsync();
        var link = await _factory.IssueLinkAsync(org, topic: "Team plan follow-up");

        var page = await _factory.CreateBrowser(agent).GetAsync($"/r/{link.Code}?lang=en");
        var html = WebUtility.HtmlDecode(await page.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("id=\"stop\"", html);
        Assert.Contains("Stop contacting me", html);
        Assert.Contains("Team plan follow-up", html);
        Assert.Contains(link.MaskedNumber, html);
    }

    [Fact]
    public async Task Get_and_head_change_nothing_for_known_and_unknown_codes_whatever_the_client()
    {
        var (org, _) = await _factory.CreateOrganizationAsync();
        var link = await _factory.IssueLinkAsync(org);
        var control = await _factory.IssueLinkAsync(org);
        var before = await _factory.SnapshotAsync(control.Code);
        string[] codes = [link.Code, "cdoesnotexist1", "c" + Guid.NewGuid().ToString("N")[..10], "not%20a%20code", new string('x', 200)];
        string[] agents = [ResponsesFactory.PhoneBrowser, "", LineIos, SlackUnfurler, Headless];

        var requests = 0;
        foreach (var code in codes)
        foreach (var agent in agents)
        foreach (var method in new[] { HttpMethod.Get, HttpMethod.Head })
        foreach (var path in new[] { $"/r/{code}", $"/r/{code}?lang=en", $"/r/{code}/seen.css", $"/r/{code}/seen", "/r/seen.js" })
        {
            var answer = await _factory.CreateBrowser(agent).SendAsync(new HttpRequestMessage(method, path));
            Assert.True((int)answer.StatusCode < 500, $"{method} {path} answered {(int)answer.StatusCode}");
            requests++;
        }

        // The control link's visit goes through the same queue after every request above, so once it is
        // written the counter has seen them all.
        var beacon = await Beacon(_factory.CreateBrowser(), control.Code);
        await WaitAsync(async () => (await _factory.StateAsync(control.Code)).Visits == 1);
        Assert.Empty(ResponsesFactory.Changed(before, await _factory.SnapshotAsync(control.Code)));
        Assert.Equal(HttpStatusCode.NoContent, beacon.StatusCode);
        Assert.Equal(1, (await _factory.StateAsync(control.Code)).Visits);
        Assert.Equal(250, requests);
    }

    [Theory]
    [InlineData(ResponsesFactory.PhoneBrowser, 1, 0)]
    [InlineData(LineIos, 1, 0)]
    [InlineData(LineAndroid, 1, 0)]
    [InlineData(KakaoTalk, 1, 0)]
    [InlineData(Facebook, 1, 0)]
    [InlineData(SlackUnfurler, 0, 1)]
    [InlineData(LineUnfurler, 0, 1)]
    [InlineData(IMessageUnfurler, 0, 1)]
    [InlineData(Headless, 0, 1)]
    [InlineData("", 0, 1)]
    public async Task Beacon_counts_a_visit_for_people_and_a_preview_for_unfurlers(string agent, long visits, long previews)
    {
        var (org, _) = await _factory.CreateOrganizationAsync();
        var link = await _factory.IssueLinkAsync(org);
        var client = _factory.CreateBrowser(agent);

        var html = await client.GetStringAsync($"/r/{link.Code}");
        Assert.Contains($"data-beacon=\"/r/{link.Code}/seen\"", html);
        var beacon = await Beacon(client, link.Code);

        Assert.Equal(HttpStatusCode.NoContent, beacon.StatusCode);
        Assert.Equal("no-store", beacon.Headers.CacheControl?.ToString());
        await WaitAsync(async () => await VisitsAndPreviewsAsync(link.Code) != (0, 0));
        Assert.Equal((visits, previews), await VisitsAndPreviewsAsync(link.Code));
        Assert.Equal(0, await _factory.CountAsync("SELECT COUNT(*) FROM responses"));
    }

    [Fact]
    public async Task Beacon_script_is_served_as_javascript_for_the_page_csp()
    {
        var script = await _factory.CreateBrowser().GetAsync("/r/seen.js");

        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        Assert.Contains("sendBeacon", await script.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("Sec-Fetch-Site", "cross-site")]
    [InlineData("Sec-Fetch-Site", "same-site")]
    [InlineData("Origin", "https://attacker.example")]
    public async Task Beacon_from_another_site_is_refused_and_counts_nothing(string header, string value)
    {
        var (org, _) = await _factory.CreateOrganizationAsync();
        var link = await _factory.IssueLinkAsync(org);
        var control = await _factory.IssueLinkAsync(org);
        var before = await _factory.SnapshotAsync(control.Code);
        var request = new HttpRequestMessage(HttpMethod.Post, $"/r/{link.Code}/seen")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["preferredContact"] = "no_further_contact", ["visits"] = "1000" }),
        };
        request.Headers.Add(header, value);

        var forged = await _factory.CreateBrowser().SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
        Assert.Equal("application/problem+json", forged.Content.Headers.ContentType?.MediaType);
        Assert.Contains(header, await forged.Content.ReadAsStringAsync());
        await Beacon(_factory.CreateBrowser(), control.Code);
        await WaitAsync(async () => (await _factory.StateAsync(control.Code)).Visits == 1);
        Assert.Empty(ResponsesFactory.Changed(before, await _factory.SnapshotAsync(control.Code)));
    }

    public static TheoryData<string, string?, string> HostileBeacons => new()
    {
        { "/r/cdoesnotexist1/seen", null, "" },
        { "/r/" + new string('c', 5000) + "/seen", null, "" },
        { "/r/%01%E2%80%AE%EF%BF%BF/seen", null, "" },
        { "/r/c%27%3B%20DROP%20TABLE%20link_visits%3B--/seen", null, "" },
        { "/r/{code}/seen", "application/json", "{\"a\":" + new string('[', 5000) },
        { "/r/{code}/seen", "application/x-www-form-urlencoded", "a=%FF%FE&b=\u0000" },
        { "/r/{code}/seen", "multipart/form-data; boundary=x", "--x\r\nbroken" },
        { "/r/{code}/seen", "text/plain", new string('A', 300_000) },
    };

    [Theory]
    [MemberData(nameof(HostileBeacons))]
    public async Task Hostile_beacon_never_answers_5xx_and_writes_nothing_beyond_one_visit(string path, string? contentType, string body)
    {
        var (org, _) = await _factory.CreateOrganizationAsync();
        var link = await _factory.IssueLinkAsync(org);
        var control = await _factory.IssueLinkAsync(org);
        var before = await _factory.SnapshotAsync(link.Code, control.Code);
        var request = new HttpRequestMessage(HttpMethod.Post, path.Replace("{code}", link.Code, StringComparison.Ordinal));
        if (contentType is not null)
        {
            request.Content = new StringContent(body);
            request.Content.Headers.Remove("Content-Type");
            request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        var answer = await _factory.CreateBrowser().SendAsync(request);

        Assert.True((int)answer.StatusCode < 500, $"answered {(int)answer.StatusCode}: {await answer.Content.ReadAsStringAsync()}");
        await Beacon(_factory.CreateBrowser(), control.Code);
        await WaitAsync(async () => (await _factory.StateAsync(control.Code)).Visits == 1);
        Assert.Empty(ResponsesFactory.Changed(before, await _factory.SnapshotAsync(link.Code, control.Code)));
        Assert.InRange((await _factory.StateAsync(link.Code)).Visits, 0, 1);
    }

    [Fact]
    public async Task Beacon_is_rate_limited_like_the_other_public_routes()
    {
        using var limited = new ResponsesFactory(new() { ["RateLimiting:PublicRequestsPerMinute"] = "6" });
        var (org, _) = await limited.CreateOrganizationAsync();
        var link = await limited.IssueLinkAsync(org);
        var browser = limited.CreateBrowser();

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 7; i++) statuses.Add((await Beacon(browser, link.Code)).StatusCode);

        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.NoContent, 6), HttpStatusCode.TooManyRequests], statuses);
    }

    [Theory]
    [InlineData("cdoesnotexist1")]
    [InlineData("not a code")]
    public async Task Cross_site_post_of_another_form_to_an_unknown_code_is_the_friendly_404_page_and_writes_nothing(string code)
    {
        var forger = _factory.CreateBrowser();
        var before = await _factory.SnapshotAsync();
        var request = new HttpRequestMessage(HttpMethod.Post, $"/r/{Uri.EscapeDataString(code)}")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["enabled"] = "false", ["code"] = "123456", ["name"] = "x" }),
        };
        request.Headers.Add("Origin", "https://attacker.example");
        request.Headers.Add("Sec-Fetch-Site", "cross-site");

        var answer = await forger.SendAsync(request);
        var html = WebUtility.HtmlDecode(await answer.Content.ReadAsStringAsync());

        Assert.True(answer.StatusCode == HttpStatusCode.NotFound, $"answered {(int)answer.StatusCode}: {html[..Math.Min(html.Length, 400)]}");
        Assert.Contains("action=\"/r/opt-out\"", html);
        Assert.Empty(ResponsesFactory.Changed(before, await _factory.SnapshotAsync()));
    }

    /// <summary>What /r/seen.js sends from our page: a POST with no body, same-origin, no cookie needed.</summary>
    private static Task<HttpResponseMessage> Beacon(HttpClient client, string code)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/r/{code}/seen");
        request.Headers.Add("Sec-Fetch-Site", "same-origin");
        return client.SendAsync(request);
    }

    private async Task<(long Visits, long Previews)> VisitsAndPreviewsAsync(string code) =>
        (await _factory.QueryAsync<(long, long)>("SELECT visits, previews FROM link_visits WHERE code = @code", new { code })).SingleOrDefault();

    /// <summary>Waits for the visit counter (it writes off the request path); the assertions after it say what was wrong.</summary>
    private static async Task WaitAsync(Func<Task<bool>> done)
    {
        for (var waited = TimeSpan.Zero; waited < TimeSpan.FromSeconds(10) && !await done(); waited += TimeSpan.FromMilliseconds(50))
            await Task.Delay(50);
    }

    public void Dispose() => _factory.Dispose();
}
