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

    /// <summary>Opens a registration page with the embed snippet, served by <paramref name="site"/>.</summary>
    private async Task<IPage> OpenHostPageAsync(TestPageServer site, string formId)
    {
        var page = await host.NewPageAsync();
        var html = $"""
            <!DOCTYPE html><html><head><title>Event registration</title></head><body>
            <h1>Register for the seminar</h1>
            <script src="{host.BaseAddress}embed.js" data-form="{formId}" data-lang="en" async></script>
            </body></html>
            """;
        await page.GotoAsync(site.Serve("/register", html));
        return page;
    }

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
    public async Task Origin_that_is_not_allowed_cannot_frame_the_form()
    {
        var (_, formId) = await CreateFormAsync();
        var page = await OpenHostPageAsync(_other, formId);
        try
        {
            await page.WaitForSelectorAsync("iframe");
            // The frame's document arrives with frame-ancestors that exclude this origin: Chromium
            // blocks it, so the form never renders inside this page.
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            await page.WaitForTimeoutAsync(500);
            var framed = page.Frames.Where(f => f != page.MainFrame).ToList();
            Assert.NotEmpty(framed);
            foreach (var frame in framed)
            {
                Assert.Equal(0, await frame.Locator("form").CountAsync());
                Assert.Equal(0, await frame.Locator("input[type=checkbox]").CountAsync());
            }
        }
        finally { await page.Context.CloseAsync(); }
    }
}
