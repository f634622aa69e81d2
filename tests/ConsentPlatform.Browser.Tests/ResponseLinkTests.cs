using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using ConsentPlatform.Telephony;
using ConsentPlatform.Testing;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Playwright;

namespace ConsentPlatform.Browser.Tests;

/// <summary>
/// Acceptance 1 of the Responses issue, end to end on the all-in-one host: an organization
/// publishes a calling number (verified by the code texted to it), a person consents to SMS on
/// the event form, a rep plans a call, and the recipient opens the short link of the pre-call
/// SMS taken from the dev inbox and presses stop — after which the permission check denies.
/// Every step goes through the real services and the in-memory bus; nothing is faked.
/// </summary>
[Collection(HostFixture.CollectionName)]
public sealed partial class ResponseLinkTests(HostFixture host)
{
    private const string LegalName = "Hibiki Line K.K.";
    private const string EventTitle = "Tokyo Cloud Expo 2026";
    private const string Purpose = "expo-followup";
    private const string Topic = "Your questions from the expo booth";

    // LINE's in-app browsers, where most people in Japan open a link from a text (real user agents).
    private const string LineIos = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Safari Line/14.9.0";
    private const string LineAndroid = "Mozilla/5.0 (Linux; Android 14; SH-M26 Build/S1234; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/125.0.6422.165 Mobile Safari/537.36 Line/14.9.1/IAB";
    // What fetches the link the moment it is pasted into a chat: Slack's and LINE's unfurlers.
    private const string SlackUnfurler = "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)";
    private const string LineUnfurler = "facebookexternalhit/1.1;line-poker/1.0";

    private static readonly TimeSpan BusTimeout = TimeSpan.FromSeconds(10);

    [BrowserFact]
    public Task Line_on_iphone_sees_the_stop_button_on_a_phone_screen_and_stop_makes_the_check_deny() => StopFromTheSmsLinkAsync(LineIos);

    [BrowserFact]
    public Task Line_on_android_sees_the_stop_button_on_a_phone_screen_and_stop_makes_the_check_deny() => StopFromTheSmsLinkAsync(LineAndroid);

    /// <summary>
    /// The SMS link points at the running host; unfurlers fetch it first (counted as nothing, changing
    /// nothing, yet served the same page); then the person opens it in the given in-app browser at
    /// 390×844, which counts one visit, sees who calls and why, and presses stop.
    /// </summary>
    private async Task StopFromTheSmsLinkAsync(string userAgent)
    {
        var (api, recipient, link) = await ConsentedRecipientsShortLinkAsync("Hibiki Identity Name");
        using var _ = api;

        // No short-link setting is given to the host: the link in the SMS is the address it listens on (a free port, not 5000).
        Assert.Matches($"^{Regex.Escape(host.BaseAddress.ToString())}r/[0-9A-Za-z]{{10}}$", link);
        var code = link[(link.LastIndexOf('/') + 1)..];

        // Chat unfurlers: a GET and a HEAD that run no script, and one that renders the page (its beacon is a preview).
        foreach (var unfurler in new[] { SlackUnfurler, LineUnfurler })
        {
            using var bot = new HttpClient();
            bot.DefaultRequestHeaders.TryAddWithoutValidation("User-Agent", unfurler);
            var html = await bot.GetStringAsync(link);
            Assert.Contains("id=\"stop\"", html);
            Assert.Equal(HttpStatusCode.OK, (await bot.SendAsync(new HttpRequestMessage(HttpMethod.Head, link))).StatusCode);
        }
        var previewer = await host.Browser.NewContextAsync(new BrowserNewContextOptions { UserAgent = SlackUnfurler, ViewportSize = new() { Width = 390, Height = 844 } });
        try
        {
            var preview = await previewer.NewPageAsync();
            await preview.GotoAsync(link);
            await Assertions.Expect(preview.Locator("#stop")).ToBeVisibleAsync();
            await Eventually.AssertAsync(async () => (await VisitsAsync(code)).Previews == 1, BusTimeout, "the rendering unfurler's beacon is counted as a preview");
        }
        finally { await previewer.CloseAsync(); }
        Assert.Equal(0, (await VisitsAsync(code)).Visits);
        Assert.Equal("allow", (await CheckAsync(api, recipient)).GetProperty("decision").GetString());

        // The recipient opens it in LINE on a phone.
        var context = await host.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            Locale = "en-US", UserAgent = userAgent, ViewportSize = new() { Width = 390, Height = 844 }, IsMobile = true, HasTouch = true,
        });
        var page = await context.NewPageAsync();
        try
        {
            var response = await page.GotoAsync(link);
            Assert.Equal((int)HttpStatusCode.OK, response!.Status);

            var masked = await page.Locator("[data-field=masked-number]").InnerTextAsync();
            Assert.Equal(PhoneNumbers.Parse(recipient).Number.FormatMasked(), masked.Trim());
            Assert.EndsWith(recipient[^4..], masked.Trim());
            Assert.DoesNotContain(recipient.Split('-')[1], masked);
            Assert.Equal(LegalName, (await page.Locator("[data-field=company]").InnerTextAsync()).Trim());
            Assert.Equal(Topic, (await page.Locator("[data-field=topic]").InnerTextAsync()).Trim());
            var provenance = await page.Locator("[data-field=provenance]").InnerTextAsync();
            Assert.Contains(EventTitle, provenance);

            // The page's beacon counts this one as the visit; GET changed nothing: still allowed while the page is open.
            await Eventually.AssertAsync(async () => (await VisitsAsync(code)).Visits == 1, BusTimeout, "the in-app browser's visit is counted");
            Assert.Equal("allow", (await CheckAsync(api, recipient)).GetProperty("decision").GetString());

            var stop = page.Locator("#stop");
            await Assertions.Expect(stop).ToBeVisibleAsync();
            await stop.ScrollIntoViewIfNeededAsync();
            var box = await stop.BoundingBoxAsync();
            Assert.True(box is { X: >= 0, Width: > 0 } && box.X + box.Width <= 390, $"the stop button fits the 390 px screen: {box?.X} + {box?.Width}");
            await stop.ClickAsync();
            var thanks = page.Locator("[data-field=what-happens]");
            await thanks.WaitForAsync();
            Assert.False(string.IsNullOrWhiteSpace(await thanks.InnerTextAsync()), "the thank-you page says what happens next");
            Assert.Equal(0, await page.Locator("#stop").CountAsync());
        }
        finally { await page.Context.CloseAsync(); }

        JsonElement after = default;
        await Eventually.AssertAsync(async () =>
            {
                after = await CheckAsync(api, recipient);
                return after.GetProperty("decision").GetString() == "deny"
                    && after.GetProperty("reasons").EnumerateArray().Any(r => r.GetString() == "opted_out");
            },
            BusTimeout, "the permission check to deny with opted_out once the stop has reached Consent");
    }

    /// <summary>The link's counts as Responses stored them.</summary>
    private async Task<(long Visits, long Previews)> VisitsAsync(string code)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(host.DataFolder, "responses.db")};Mode=ReadOnly;Pooling=False");
        return await connection.QuerySingleOrDefaultAsync<(long, long)>("SELECT visits, previews FROM link_visits WHERE code = @code", new { code });
    }

    /// <summary>
    /// An organization with its profile and a published calling number, a person who consented to SMS
    /// on its event form in the browser, and the short link of the pre-call SMS to them. The check
    /// allows at this point, so a test expecting it to deny afterwards can fail.
    /// </summary>
    private async Task<(HttpClient Api, string Recipient, string Link)> ConsentedRecipientsShortLinkAsync(string organizationName)
    {
        var recipient = RandomMobile("090");
        var callingNumber = RandomMobile("080");
        var (_, key) = await host.CreateOrganizationAsync(organizationName);
        var api = host.CreateApiClient(key);
        await PublishProfileAsync(api);
        await AllowContactAllDayAsync(api);
        await PublishCallingNumberAsync(api, callingNumber);
        var eventId = await CreateEventAsync(api);
        await ConsentToSmsInTheBrowserAsync(eventId, recipient);
        var before = await CheckAsync(api, recipient);
        Assert.True(before.GetProperty("decision").GetString() == "allow", $"the check allows before the person acts: {before}");
        return (api, recipient, await PlanCallAndReadLinkAsync(api, recipient, callingNumber));
    }

    /// <summary>A random mobile number such as 090-1234-5678, so runs and tests never share a contact.</summary>
    internal static string RandomMobile(string prefix)
    {
        var middle = Random.Shared.Next(1000, 10000);
        var last = (middle + Random.Shared.Next(1, 9000) - 1000) % 9000 + 1000; // never equal to middle
        return $"{prefix}-{middle}-{last}";
    }

    private static string E164(string national) => PhoneNumbers.Parse(national).Number.E164;

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response, string what)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{what}: {(int)response.StatusCode} {body}");
        return body.Length == 0 ? default : JsonDocument.Parse(body).RootElement.Clone();
    }

    internal static async Task PublishProfileAsync(HttpClient api) =>
        await ReadAsync(await api.PutAsJsonAsync("/api/directory/organization", new
        {
            legalName = LegalName, contactPhone = "03-1234-5678", contactEmail = "privacy@hibiki-line.example",
        }), "PUT /api/directory/organization");

    /// <summary>
    /// The host runs on real time: open both quiet-hours windows (Notices' and Consent's) from two
    /// hours before now to two hours after, in Tokyo time (both may run over midnight), so the test
    /// passes at any hour.
    /// </summary>
    internal static async Task AllowContactAllDayAsync(HttpClient api)
    {
        var tokyo = TimeOnly.FromDateTime(DateTime.UtcNow.AddHours(9));
        var (from, until) = (tokyo.AddHours(-2).ToString("HH:mm"), tokyo.AddHours(2).ToString("HH:mm"));
        await ReadAsync(await api.PutAsJsonAsync("/api/notices/settings", new
        {
            allowedFrom = from, allowedUntil = until, frequencyCap = 10, frequencyWindowHours = 24,
        }), "PUT /api/notices/settings");
        await ReadAsync(await api.PutAsJsonAsync("/api/consent/contact-hours", new { start = from, end = until }), "PUT /api/consent/contact-hours");
    }

    /// <summary>Adds the mobile calling number, reads the verification code from the dev inbox, enters it, and waits for Notices to know it.</summary>
    internal static async Task PublishCallingNumberAsync(HttpClient api, string callingNumber)
    {
        var added = await ReadAsync(await api.PostAsJsonAsync("/api/directory/numbers", new
        {
            phoneNumber = callingNumber, department = "Expo desk", purposes = new[] { "Follow-up of expo visitors" },
            callingHoursStart = "09:00", callingHoursEnd = "18:00",
        }), "POST /api/directory/numbers");
        var id = added.GetProperty("id").GetString();

        var started = await ReadAsync(await api.PostAsync($"/api/directory/numbers/{id}/verification", null), "POST verification");
        Assert.Equal("sms", started.GetProperty("method").GetString());

        string? verificationCode = null;
        await Eventually.AssertAsync(async () =>
            {
                var message = (await InboxAsync(api)).FirstOrDefault(m => m.GetProperty("to").GetString() == E164(callingNumber));
                if (message.ValueKind == JsonValueKind.Undefined) return false;
                verificationCode = SixDigits().Match(message.GetProperty("body").GetString()!).Value;
                return verificationCode.Length == 6;
            },
            BusTimeout, "the verification code to reach the dev inbox by SMS");

        var confirmed = await ReadAsync(await api.PostAsJsonAsync($"/api/directory/numbers/{id}/verification/code", new { code = verificationCode }),
            "POST verification/code");
        Assert.Equal("published", confirmed.GetProperty("status").GetString());

        await Eventually.AssertAsync(async () =>
            {
                var known = await api.GetFromJsonAsync<JsonElement[]>("/api/notices/calling-numbers");
                return known!.Any(n => n.GetProperty("phoneNumber").GetString() == E164(callingNumber));
            },
            BusTimeout, "Notices to learn the published calling number over the bus");
    }

    internal static async Task<string> CreateEventAsync(HttpClient api)
    {
        var created = await ReadAsync(await api.PostAsJsonAsync("/api/consent/events", new
        {
            title = EventTitle, purpose = Purpose,
            purposeText = new { ja = "展示会でのご質問への回答のため", en = "To answer your questions from the expo" },
            channels = new[] { "sms" },
            texts = new { sms = new { ja = "SMSでの連絡に同意します。", en = "I agree to receive SMS." } },
            senderLegalName = LegalName, lifetimeMonths = 12,
        }), "POST /api/consent/events");
        return created.GetProperty("id").GetString()!;
    }

    /// <summary>The person ticks SMS on the event's form and submits it: one ledger row with the event as its source.</summary>
    private async Task ConsentToSmsInTheBrowserAsync(string eventId, string recipient)
    {
        var page = await host.NewPageAsync();
        try
        {
            await page.GotoAsync($"{host.BaseAddress}consent/forms/{eventId}?lang=en");
            await page.GetByLabel("SMS").CheckAsync();
            await page.Locator("#phone").FillAsync(recipient);
            await page.GetByRole(AriaRole.Button).ClickAsync();
            var receipt = page.Locator("#receipt-id");
            await receipt.WaitForAsync();
            Assert.StartsWith("rcpt_", await receipt.InnerTextAsync());
        }
        finally { await page.Context.CloseAsync(); }
    }

    /// <summary>
    /// Plans the call and returns the short link in the pre-call SMS, as the recipient's phone would open it. Notices decides
    /// on its replica of consents, filled from ConsentRecorded over the bus: until that arrives the
    /// notice is refused (no_sms_consent), so the plan is repeated until one is queued.
    /// </summary>
    internal static async Task<string> PlanCallAndReadLinkAsync(HttpClient api, string recipient, string callingNumber)
    {
        JsonElement call = default;
        await Eventually.AssertAsync(async () =>
            {
                call = await ReadAsync(await api.PostAsJsonAsync("/api/notices/calls", new
                {
                    phoneNumber = recipient, callerName = "Sato", topic = Topic, callingNumber, purpose = Purpose,
                }), "POST /api/notices/calls");
                // Thrown rather than false, so a timeout reports the last answer (its refusal reason).
                return call.GetProperty("notices")[0].GetProperty("status").GetString() != "refused"
                    ? true : throw new InvalidOperationException($"pre-call notice refused: {call}");
            },
            BusTimeout, "the pre-call notice to be queued once Notices has the consent", TimeSpan.FromMilliseconds(250));
        var notice = call.GetProperty("notices")[0];
        Assert.True(notice.GetProperty("reason").ValueKind == JsonValueKind.Null, $"the notice is not refused: {call}");

        string? link = null;
        await Eventually.AssertAsync(async () =>
            {
                var message = (await InboxAsync(api)).FirstOrDefault(m => m.GetProperty("to").GetString() == E164(recipient));
                if (message.ValueKind == JsonValueKind.Undefined) return false;
                var match = ShortLink().Match(message.GetProperty("body").GetString()!);
                link = match.Success ? match.Value : null;
                return link is not null;
            },
            BusTimeout, "the pre-call SMS with its short link to reach the dev inbox");
        Assert.Equal(link, notice.GetProperty("link").GetString());
        return link!;
    }

    private static async Task<JsonElement[]> InboxAsync(HttpClient api) =>
        (await api.GetFromJsonAsync<JsonElement[]>("/api/notices/dev-inbox"))!;

    private static async Task<JsonElement> CheckAsync(HttpClient api, string recipient) =>
        await ReadAsync(await api.PostAsJsonAsync("/api/consent/checks", new { phoneNumber = recipient, channel = "sms", purpose = Purpose }),
            "POST /api/consent/checks");

    [GeneratedRegex(@"(?<!\d)\d{6}(?!\d)")]
    private static partial Regex SixDigits();

    [GeneratedRegex(@"https?://[^\s/]+/r/[A-Za-z0-9_-]+")]
    private static partial Regex ShortLink();
}
