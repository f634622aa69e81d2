using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ConsentPlatform.Testing;
using Microsoft.Playwright;

namespace ConsentPlatform.Browser.Tests;

/// <summary>
/// Issue 13, acceptance 3, on the all-in-one host: the organization's event declares its purpose, which the
/// rep's page offers as a list; after the person refused a call, a rep planning another call to them is shown
/// "Do not call" with how and when they said no, instead of "Call planned".
/// </summary>
[Collection(HostFixture.CollectionName)]
public sealed class DoNotCallTests(HostFixture host)
{
    private const string Purpose = "seminar-followup";

    [BrowserFact]
    public async Task A_rep_planning_a_call_to_someone_who_refused_one_sees_do_not_call_with_the_reason()
    {
        var recipient = $"090-{Random.Shared.Next(1000, 10000)}-{Random.Shared.Next(1000, 10000)}";
        var (_, key) = await host.CreateOrganizationAsync("Do Not Call K.K.");
        using var api = host.CreateApiClient(key);
        var created = await api.PostAsJsonAsync("/api/consent/events", new
        {
            title = "Seminar", purpose = Purpose, purposeText = new { ja = "セミナーのご案内", en = "About the seminar" }, channels = new[] { "sms" },
            texts = new { sms = new { ja = "SMSでの連絡に同意します。", en = "I agree to receive SMS." } }, senderLegalName = "Do Not Call K.K.", lifetimeMonths = 12,
        });
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        await Eventually.AssertAsync(async () => (await api.GetFromJsonAsync<string[]>("/api/notices/purposes"))!.Contains(Purpose),
            TimeSpan.FromSeconds(10), "Notices learns the event's purpose over the bus");

        // A first call, whose outcome the rep logs as refused.
        var planned = await api.PostAsJsonAsync("/api/notices/calls", new { phoneNumber = recipient, callerName = "Sato", topic = "Seminar", callingNumber = "03-5000-7300", purpose = Purpose });
        Assert.Equal(HttpStatusCode.Created, planned.StatusCode);
        var callId = (await planned.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        Assert.Equal(HttpStatusCode.OK, (await api.PostAsJsonAsync($"/api/notices/calls/{callId}/outcome", new { outcome = "refused" })).StatusCode);

        var page = await host.NewPageAsync();
        try
        {
            await page.GotoAsync(new Uri(host.BaseAddress, "/signin?returnUrl=/notices/calls").ToString());
            await page.FillAsync("input[name=key]", key);
            await page.ClickAsync("button[type=submit]");
            await page.WaitForURLAsync("**/notices/calls", new() { WaitUntil = WaitUntilState.DOMContentLoaded });

            await page.FillAsync("#phoneNumber", recipient);
            await page.FillAsync("#callerName", "Suzuki");
            await page.FillAsync("#topic", "Seminar follow-up");
            await page.FillAsync("#callingNumber", "03-5000-7300");
            await page.SelectOptionAsync("#purpose", Purpose);
            await page.ClickAsync("form[action='/notices/calls'] button[type=submit]");

            var doNotCall = page.Locator("[data-do-not-call]");
            await Assertions.Expect(doNotCall).ToBeVisibleAsync();
            await Assertions.Expect(doNotCall.Locator("h2")).ToHaveTextAsync("Do not call");
            await Assertions.Expect(doNotCall.Locator("[data-reason=opted_out]")).ToContainTextAsync("The person refused a call");
            await Assertions.Expect(doNotCall.Locator("[data-reason=opted_out]")).ToContainTextAsync($"for the purpose {Purpose}");
            Assert.Equal(0, await page.GetByText("Call planned").CountAsync());
        }
        finally { await page.Context.CloseAsync(); }
    }
}
