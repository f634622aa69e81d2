using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using ConsentPlatform.Telephony;
using ConsentPlatform.Testing;
using Microsoft.Playwright;

namespace ConsentPlatform.Browser.Tests;

/// <summary>
/// Issue 14, acceptance 4: from the short link in the SMS, a person asks for erasure on the pages
/// alone — kind, number, the one-time code read off the Development-only page that stands in for
/// their phone — and afterwards the permission check denies. The organization's setup uses the API
/// (as the rep's tools would); the person's browser never calls it.
/// </summary>
public sealed partial class ResponseLinkTests
{
    [BrowserFact]
    public async Task A_person_asks_for_erasure_from_the_short_link_page_with_the_code_from_their_phone_and_the_check_then_denies()
    {
        var (api, recipient, link) = await ConsentedRecipientsShortLinkAsync("Hibiki Erasure Name");
        using var _ = api;

        var context = await host.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            Locale = "ja-JP", UserAgent = LineAndroid, IsMobile = true, HasTouch = true, ViewportSize = new ViewportSize { Width = 390, Height = 844 },
        });
        var asked = new List<string>();
        context.Request += (_, request) => asked.Add(new Uri(request.Url).AbsolutePath);
        var page = await context.NewPageAsync();
        try
        {
            Assert.Equal((int)HttpStatusCode.OK, (await page.GotoAsync(link))!.Status);
            await page.Locator("a[data-field=data-subject-requests]").ClickAsync();
            await page.WaitForURLAsync(new Regex("/consent/requests\\?lang=ja$"));

            await page.Locator("input[name=kind][value=erasure]").CheckAsync();
            await page.GetByLabel("電話番号またはメールアドレス").FillAsync(recipient);
            await page.GetByRole(AriaRole.Button, new() { Name = "確認コードを送る" }).ClickAsync();
            await page.Locator("#code").WaitForAsync();
            Assert.Matches(new Regex("/consent/requests/dsr_[0-9a-f]{20}\\?lang=ja$"), page.Url);

            var code = await CodeOnThePhoneAsync(host, context, recipient);
            await page.Locator("#code").FillAsync(code);
            await page.Locator("#confirm").ClickAsync();

            var status = page.Locator("[data-field=status]");
            await Assertions.Expect(status).ToHaveAttributeAsync("data-status", "completed");
            Assert.Equal("完了", (await status.InnerTextAsync()).Trim());
            Assert.Matches(new Regex(@"^\d{4}年\d{1,2}月\d{1,2}日 \d{1,2}:\d{2}$"), (await page.Locator("[data-field=deadline]").InnerTextAsync()).Trim());
            Assert.Contains("消去しました", await page.Locator("[data-field=outcome]").InnerTextAsync());
        }
        finally { await context.CloseAsync(); }
        Assert.DoesNotContain(asked, path => path.StartsWith("/api/", StringComparison.Ordinal));

        JsonElement after = default;
        await Eventually.AssertAsync(async () =>
            {
                after = await CheckAsync(api, recipient);
                return after.GetProperty("decision").GetString() == "deny" && after.GetProperty("reasons").EnumerateArray().Any(r => r.GetString() == "erased");
            },
            BusTimeout, "the permission check to deny with erased once the request is carried out");
    }

    /// <summary>The code as the person's phone shows it: the SMS to their number on the Development-only page for people's codes.</summary>
    internal static async Task<string> CodeOnThePhoneAsync(HostFixture host, IBrowserContext context, string recipient)
    {
        var digits = PhoneNumbers.Parse(recipient).Number.NationalSignificantNumber;
        var phone = await context.NewPageAsync();
        try
        {
            string? code = null;
            await Eventually.AssertAsync(async () =>
                {
                    await phone.GotoAsync($"{host.BaseAddress}notices/dev-inbox/people");
                    foreach (var message in await phone.Locator("li.sms").AllAsync())
                    {
                        var to = new string((await message.Locator("p").First.InnerTextAsync()).Where(char.IsAsciiDigit).ToArray());
                        if (!to.Contains(digits, StringComparison.Ordinal)) continue;
                        code = SixDigits().Match(await message.Locator("p").Nth(1).InnerTextAsync()).Value;
                        return code.Length == 6;
                    }
                    return false;
                },
                BusTimeout, "the one-time code SMS to reach the person's phone", TimeSpan.FromMilliseconds(250));
            return code!;
        }
        finally { await phone.CloseAsync(); }
    }
}
