using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;

namespace ConsentPlatform.Browser.Tests;

/// <summary>The organizer's form editor in Chromium: the live preview, its styling under the page's CSP, and the copy button.</summary>
[Collection(HostFixture.CollectionName)]
public sealed class OrganizerEditorTests(HostFixture host)
{
    [BrowserFact]
    public async Task Typing_a_consent_text_refreshes_the_preview_from_our_own_origin_within_the_pages_csp()
    {
        var (_, key) = await host.CreateOrganizationAsync("Editor K.K.");
        var api = host.CreateApiClient(key);
        var created = await api.PostAsJsonAsync("/api/consent/events", new
        {
            title = "Editor Seminar", purpose = "seminar", purposeText = new { ja = "セミナーのご案内のため", en = "To follow up on the seminar" },
            channels = new[] { "sms" }, texts = new { sms = new { ja = "SMSに同意します。", en = "I agree to receive SMS." } },
            senderLegalName = "Editor K.K.", lifetimeMonths = 12,
        });
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

        var page = await host.NewPageAsync();
        var problems = new List<string>();
        // Errors the page reports (a CSP violation among them), and failed loads other than the browser's own favicon probe.
        page.Console += (_, message) => { if (message.Type == "error" && !message.Text.StartsWith("Failed to load resource")) problems.Add(message.Text); };
        page.Response += (_, response) => { if (response.Status >= 400 && !response.Url.EndsWith("/favicon.ico")) problems.Add($"{response.Status} {response.Url}"); };
        var origins = new HashSet<string>();
        page.Request += (_, request) => { if (request.Url.StartsWith("http")) origins.Add(new Uri(request.Url).GetLeftPart(UriPartial.Authority)); };
        await page.Context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"]);

        await page.GotoAsync(new Uri(host.BaseAddress, $"/signin?returnUrl=/consent/events/{id}/edit").ToString());
        await page.FillAsync("input[name=key]", key);
        await page.ClickAsync("button[type=submit]");
        // DOMContentLoaded, not load: "load" also waits for both preview frames and their stylesheet,
        // which on a CI machine busy with other test assemblies once took longer than 30 s. The
        // assertions below wait for what they need.
        await page.WaitForURLAsync($"**/consent/events/{id}/edit", new() { WaitUntil = WaitUntilState.DOMContentLoaded });

        var preview = page.FrameLocator("iframe[data-preview-lang=en]");
        await Assertions.Expect(preview.GetByText("I agree to receive SMS.")).ToBeVisibleAsync();
        // The srcdoc frame inherits the editor's CSP; the shared stylesheet must still apply inside it.
        var background = await preview.Locator("body").EvaluateAsync<string>("b => getComputedStyle(b).backgroundColor");
        Assert.Equal("rgb(247, 248, 250)", background);
        Assert.Equal(0, await preview.Locator("input[type=checkbox]:checked").CountAsync());

        await page.FillAsync("#smsEn", "I agree to receive at most two SMS a month.");
        await Assertions.Expect(preview.GetByText("I agree to receive at most two SMS a month.")).ToBeVisibleAsync();
        var saved = await api.GetFromJsonAsync<JsonElement>($"/api/consent/events/{id}");
        Assert.Equal(1, saved.GetProperty("formVersion").GetInt32());

        var copy = page.Locator("button[data-copy=snippet]");
        await Assertions.Expect(copy).ToBeVisibleAsync();
        await copy.ClickAsync();
        Assert.Contains($"data-form=\"{id}\"", await page.EvaluateAsync<string>("() => navigator.clipboard.readText()"));

        Assert.Equal([host.BaseAddress.GetLeftPart(UriPartial.Authority)], origins);
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
        await page.Context.CloseAsync();
    }
}
