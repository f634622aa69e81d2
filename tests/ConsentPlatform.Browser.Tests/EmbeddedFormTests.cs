using System.Net.Http.Json;
using System.Text.Json;
using ConsentPlatform.Testing;
using Microsoft.Playwright;

namespace ConsentPlatform.Browser.Tests;

/// <summary>
/// Acceptance 1 of the Consent issue: the embed on another origin's page, in Chromium.
/// The organizer's page is served by a small server on another loopback port (another origin).
/// </summary>
[Collection(HostFixture.CollectionName)]
public sealed class EmbeddedFormTests(HostFixture host) : IAsyncLifetime
{
    private readonly TestPageServer _allowed = new();
    private readonly TestPageServer _other = new();

    private string AllowedOrigin => _allowed.Origin;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _allowed.DisposeAsync();
        await _other.DisposeAsync();
    }

    private async Task<(HttpClient Api, string FormId)> CreateFormAsync()
    {
        var (_, key) = await host.CreateOrganizationAsync();
        var api = host.CreateApiClient(key);
        var response = await api.PostAsJsonAsync("/api/consent/events", new
        {
            title = "Browser Seminar", purpose = "seminar",
            purposeText = new { ja = "セミナーのご案内のため", en = "To follow up on the seminar" },
            channels = new[] { "call", "sms", "email" },
            texts = new
            {
                call = new { ja = "電話に同意します。", en = "I agree to be called." },
                sms = new { ja = "SMSに同意します。", en = "I agree to receive SMS." },
                email = new { ja = "メールに同意します。", en = "I agree to receive email." },
            },
            senderLegalName = "Browser Test K.K.", lifetimeMonths = 12, allowedOrigins = new[] { AllowedOrigin },
        });
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.IsSuccessStatusCode, json.ToString());
        return (api, json.GetProperty("id").GetString()!);
    }

    /// <summary>Phone widths the embedded form must fit: the narrowest in use, and a common one.</summary>
    private static readonly int[] PhoneWidths = [320, 390];

    /// <summary>Opens a registration page with the embed snippet, served by <paramref name="site"/>, in a window <paramref name="width"/> px wide.</summary>
    private async Task<IPage> OpenHostPageAsync(TestPageServer site, string formId, int width = 1280, string lang = "en")
    {
        var page = await host.NewPageAsync();
        await page.SetViewportSizeAsync(width, 844);
        var html = $"""
            <!DOCTYPE html><html><head><title>Event registration</title><meta name="viewport" content="width=device-width, initial-scale=1"></head><body>
            <h1>Register for the seminar</h1>
            <script src="{host.BaseAddress}embed.js" data-form="{formId}" data-lang="{lang}" async></script>
            </body></html>
            """;
        await page.GotoAsync(site.Serve("/register", html));
        return page;
    }

    /// <summary>How much wider than its window a document is (0: no sideways scrolling).</summary>
    private static Task<int> OverflowAsync(IFrame frame) =>
        frame.EvaluateAsync<int>("() => document.documentElement.scrollWidth - document.documentElement.clientWidth");

    private static async Task<IFrame> FormFrameAsync(IPage page)
    {
        await page.WaitForSelectorAsync("iframe");
        IFrame? frame = null;
        await Eventually.AssertAsync(() => (frame = page.Frames.FirstOrDefault(f => f.Url.Contains("/consent/forms/"))) is not null,
            TimeSpan.FromSeconds(10), "the form's iframe is created");
        await frame!.WaitForLoadStateAsync(LoadState.Load);
        return frame;
    }

    private async Task<JsonElement[]> SubmissionsAsync(HttpClient api, string formId) =>
        (await api.GetFromJsonAsync<JsonElement[]>($"/api/consent/events/{formId}/submissions"))!;

    [BrowserFact]
    public async Task Embedded_form_renders_in_its_iframe_with_every_box_unticked()
    {
        var (_, formId) = await CreateFormAsync();
        var page = await OpenHostPageAsync(_allowed, formId);
        try
        {
            var frame = await FormFrameAsync(page);
            var boxes = frame.Locator("input[type=checkbox]");
            await boxes.First.WaitForAsync();
            Assert.Equal(3, await boxes.CountAsync());
            for (var i = 0; i < 3; i++) Assert.False(await boxes.Nth(i).IsCheckedAsync(), $"box {i} starts unticked");
            // Labels are tied to their boxes (accessible names), and sender and purpose are on the page before submit.
            Assert.Equal(1, await frame.GetByLabel("SMS").CountAsync());
            Assert.Contains("Browser Test K.K.", await frame.InnerTextAsync("body"));
            Assert.Contains("To follow up on the seminar", await frame.InnerTextAsync("body"));
        }
        finally { await page.Context.CloseAsync(); }
    }

    [BrowserFact]
    public async Task Typing_into_the_form_and_leaving_without_submitting_sends_no_request_to_any_server()
    {
        var (api, formId) = await CreateFormAsync();
        var page = await OpenHostPageAsync(_allowed, formId);
        try
        {
            var frame = await FormFrameAsync(page);
            await frame.Locator("#phone").WaitForAsync();
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            var requests = new List<string>();
            page.Request += (_, request) => { lock (requests) requests.Add($"{request.Method} {request.Url}"); };
            page.Context.Request += (_, request) => { lock (requests) requests.Add($"context: {request.Method} {request.Url}"); };

            await frame.Locator("#phone").PressSequentiallyAsync("090-1234-5678");
            await frame.Locator("#email").PressSequentiallyAsync("taro@example.jp");
            await frame.GetByLabel("SMS").CheckAsync();
            await frame.Locator("#email").BlurAsync();
            await page.WaitForTimeoutAsync(1_000);
            await page.GotoAsync("about:blank");
            await page.WaitForTimeoutAsync(500);

            lock (requests) Assert.Empty(requests);
            Assert.Empty(await SubmissionsAsync(api, formId));
        }
        finally { await page.Context.CloseAsync(); }
    }

    [BrowserFact]
    public async Task Submit_records_one_row_per_ticked_channel()
    {
        var (api, formId) = await CreateFormAsync();
        var page = await OpenHostPageAsync(_allowed, formId);
        try
        {
            var frame = await FormFrameAsync(page);
            await frame.GetByLabel("SMS").CheckAsync();
            await frame.GetByLabel("Email", new() { Exact = true }).CheckAsync();
            await frame.Locator("#phone").FillAsync("090-1234-5678");
            await frame.Locator("#email").FillAsync("taro@example.jp");
            await frame.GetByRole(AriaRole.Button).ClickAsync();

            var receipt = frame.Locator("#receipt-id");
            await receipt.WaitForAsync();
            Assert.StartsWith("rcpt_", await receipt.InnerTextAsync());
            var rows = await SubmissionsAsync(api, formId);
            Assert.Equal(["email", "sms"], rows.Select(r => r.GetProperty("channel").GetString()).Order());
            Assert.All(rows, r => Assert.Equal($"{AllowedOrigin}/register", r.GetProperty("pageUrl").GetString()));
        }
        finally { await page.Context.CloseAsync(); }
    }

    [BrowserFact]
    public async Task A_site_not_on_the_allow_list_shows_a_readable_message_instead_of_the_form_on_a_phone()
    {
        var (_, formId) = await CreateFormAsync();
        foreach (var width in PhoneWidths)
        foreach (var (lang, words) in new[] { ("en", "cannot be shown on this site"), ("ja", "このサイトでは表示できません") })
        {
            var page = await OpenHostPageAsync(_other, formId, width, lang);
            try
            {
                var message = page.Locator("[data-consent-form-message=origin]");
                await Assertions.Expect(message).ToBeVisibleAsync();
                Assert.Contains(words, await message.InnerTextAsync());
                Assert.Contains(_other.Origin, await message.InnerTextAsync());
                Assert.Equal(lang, await message.GetAttributeAsync("lang"));
                // No frame at all: the form never renders inside a page that may not frame it.
                Assert.Equal(0, await page.Locator("iframe").CountAsync());
                Assert.Equal(0, await OverflowAsync(page.MainFrame));

                // The person can still reach the form, on its own page.
                var link = message.GetByRole(AriaRole.Link);
                Assert.Equal($"{host.BaseAddress}consent/forms/{formId}?lang={lang}", await link.GetAttributeAsync("href"));
                var popup = await page.RunAndWaitForPopupAsync(() => link.ClickAsync());
                await Assertions.Expect(popup.Locator("input[type=checkbox]")).ToHaveCountAsync(3);
            }
            finally { await page.Context.CloseAsync(); }
        }
    }

    [BrowserFact]
    public async Task Consent_receipt_fits_a_320_and_a_390_px_phone_without_sideways_scrolling()
    {
        var (_, formId) = await CreateFormAsync();
        foreach (var width in PhoneWidths)
        {
            var page = await OpenHostPageAsync(_allowed, formId, width);
            try
            {
                var frame = await FormFrameAsync(page);
                await frame.GetByLabel("SMS").CheckAsync();
                await frame.GetByLabel("Phone calls").CheckAsync();
                await frame.Locator("#phone").FillAsync("090-1234-5678");
                await frame.GetByRole(AriaRole.Button).ClickAsync();
                await frame.Locator("#receipt-id").WaitForAsync();
                frame = page.Frames.Single(f => f.Url.Contains("/consent/forms/"));

                Assert.True(await OverflowAsync(frame) == 0, $"at {width} px the receipt is {await OverflowAsync(frame)} px wider than its frame");
                Assert.Equal(0, await OverflowAsync(page.MainFrame));
                // The hash is whole (it wraps; nothing is cut off).
                var hashes = frame.Locator("[data-field=text-hash]");
                Assert.Equal(2, await hashes.CountAsync());
                foreach (var hash in await hashes.AllAsync())
                    Assert.Matches("^sha256:[0-9a-f]{64}$", await hash.InnerTextAsync());
            }
            finally { await page.Context.CloseAsync(); }
        }
    }

    [BrowserFact]
    public async Task The_frame_takes_the_height_of_each_render_on_a_phone_refused_submit_and_receipt_included()
    {
        var (_, formId) = await CreateFormAsync();
        foreach (var width in PhoneWidths)
        {
            var page = await OpenHostPageAsync(_allowed, formId, width);
            try
            {
                var frame = await FormFrameAsync(page);
                var form = await FittedHeightAsync(page, "the form");

                // SMS ticked without a number: the form comes back with what is wrong, taller.
                await frame.GetByLabel("SMS").CheckAsync();
                await frame.GetByRole(AriaRole.Button).ClickAsync();
                frame = await FrameWithAsync(page, "[role=alert]");
                var refused = await FittedHeightAsync(page, "the refused form");
                Assert.True(refused > form, $"at {width} px the refused form ({refused} px) is taller than the form ({form} px)");

                await frame.Locator("#phone").FillAsync("090-1234-5678");
                await frame.GetByRole(AriaRole.Button).ClickAsync();
                await FrameWithAsync(page, "#receipt-id");
                var receipt = await FittedHeightAsync(page, "the receipt");
                Assert.True(receipt < refused, $"at {width} px the frame shrank to the receipt ({receipt} px, the refused form was {refused} px)");
            }
            finally { await page.Context.CloseAsync(); }
        }
    }

    /// <summary>The frame once its element on the host page is as tall as the document inside it; that height.</summary>
    private static async Task<int> FittedHeightAsync(IPage page, string what)
    {
        var (outer, inner) = (0, -1);
        try
        {
            await Eventually.AssertAsync(async () =>
            {
                var frame = page.Frames.Single(f => f.Url.Contains("/consent/forms/"));
                inner = await frame.EvaluateAsync<int>("() => Math.ceil(document.documentElement.getBoundingClientRect().height)");
                outer = await page.Locator("iframe").EvaluateAsync<int>("f => Math.round(f.getBoundingClientRect().height)");
                return outer == inner;
            }, TimeSpan.FromSeconds(20), $"the frame to be as tall as {what}");
        }
        catch (Xunit.Sdk.XunitException e)
        {
            throw new Xunit.Sdk.XunitException($"{e.Message} Last seen: frame {outer} px, content {inner} px.");
        }
        return outer;
    }

    private static async Task<IFrame> FrameWithAsync(IPage page, string selector)
    {
        IFrame? found = null;
        await Eventually.AssertAsync(async () =>
            (found = page.Frames.FirstOrDefault(f => f.Url.Contains("/consent/forms/"))) is not null && await found.Locator(selector).CountAsync() > 0,
            TimeSpan.FromSeconds(20), $"the frame to show {selector}");
        return found!;
    }

    [BrowserFact]
    public async Task The_form_tells_its_height_only_to_the_allowed_origin_of_the_page_it_names()
    {
        var (_, formId) = await CreateFormAsync();
        var form = $"{host.BaseAddress}consent/forms/{formId}?embed=1&page=";
        // Both frames sit on the allowed site; the second names a page elsewhere, so the form must
        // not address its height to this site's window (nor, with "*", to whoever frames it).
        var html = $$"""
            <!DOCTYPE html><html><head><title>Two frames</title></head><body>
            <iframe id="named" src="{{form}}{{Uri.EscapeDataString(AllowedOrigin + "/register")}}"></iframe>
            <iframe id="other" src="{{form}}{{Uri.EscapeDataString("http://elsewhere.test/register")}}"></iframe>
            <script>
              window.heard = [];
              addEventListener("message", function (e) {
                window.heard.push(e.source === document.getElementById("named").contentWindow ? "named" : "other");
              });
            </script>
            </body></html>
            """;
        var page = await host.NewPageAsync();
        try
        {
            await page.GotoAsync(_allowed.Serve("/two-frames", html));
            await Eventually.AssertAsync(async () => (await page.EvaluateAsync<string[]>("() => window.heard")).Contains("named"),
                TimeSpan.FromSeconds(20), "the frame that names this site to post its height here");
            await page.WaitForLoadStateAsync(LoadState.Load);
            await page.WaitForTimeoutAsync(1_000);
            Assert.DoesNotContain("other", await page.EvaluateAsync<string[]>("() => window.heard"));
        }
        finally { await page.Context.CloseAsync(); }
    }

    [BrowserFact]
    public async Task Without_scripts_the_copied_snippet_links_to_the_form_page_on_a_phone()
    {
        var (api, formId) = await CreateFormAsync();
        var key = api.DefaultRequestHeaders.Authorization!.Parameter!;
        var organizer = await host.NewPageAsync();
        string snippet;
        try
        {
            await organizer.GotoAsync(new Uri(host.BaseAddress, "/signin?returnUrl=/consent/events").ToString());
            await organizer.FillAsync("input[name=key]", key);
            await organizer.ClickAsync("button[type=submit]");
            await organizer.WaitForURLAsync("**/consent/events");
            snippet = await organizer.Locator($"#snippet-{formId}").InputValueAsync();
        }
        finally { await organizer.Context.CloseAsync(); }
        Assert.Contains("<noscript>", snippet);

        foreach (var width in PhoneWidths)
        {
            var context = await host.Browser.NewContextAsync(new BrowserNewContextOptions
            {
                JavaScriptEnabled = false, Locale = "ja-JP", ViewportSize = new() { Width = width, Height = 844 },
            });
            try
            {
                var page = await context.NewPageAsync();
                await page.GotoAsync(_allowed.Serve("/register-noscript", $"""
                    <!DOCTYPE html><html lang="ja"><head><title>Registration</title><meta name="viewport" content="width=device-width, initial-scale=1"></head><body>
                    <h1>Register</h1>
                    {snippet}
                    </body></html>
                    """));
                var link = page.GetByRole(AriaRole.Link, new() { Name = "同意フォームを開く / Open the consent form" });
                await Assertions.Expect(link).ToBeVisibleAsync();
                await link.ClickAsync();
                await page.WaitForURLAsync($"**/consent/forms/{formId}");
                await Assertions.Expect(page.Locator("input[type=checkbox]")).ToHaveCountAsync(3);
                Assert.Equal("ja", await page.Locator("html").GetAttributeAsync("lang"));
                Assert.Equal(0, await OverflowAsync(page.MainFrame));
            }
            finally { await context.CloseAsync(); }
        }
    }
}
