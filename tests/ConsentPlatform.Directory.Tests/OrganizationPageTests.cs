using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using ConsentPlatform.Contracts;

namespace ConsentPlatform.Directory.Tests;

public sealed partial class OrganizationPageTests(DirectoryApp app) : IClassFixture<DirectoryApp>
{
    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();

    private static async Task<string> TokenAsync(HttpResponseMessage page) => AntiforgeryField().Match(await page.Content.ReadAsStringAsync()).Groups[1].Value;

    [Fact]
    public async Task Organization_pages_add_verify_and_withdraw_a_number()
    {
        var (_, client) = await app.CreateOrganizationAsync("Page Clicker K.K.");
        var list = await client.GetAsync("/directory/numbers");
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);

        var added = await client.PostAsync("/directory/numbers", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = await TokenAsync(list), ["phoneNumber"] = "090-3333-0001", ["department"] = "Events",
            ["purposes"] = "Seminar follow-up\r\nNew products", ["callingHoursStart"] = "10:00", ["callingHoursEnd"] = "17:00",
            ["validUntil"] = DateTime.UtcNow.AddYears(1).ToString("yyyy-MM-dd"),
        }));
        Assert.Equal(HttpStatusCode.Redirect, added.StatusCode);
        var detailUrl = added.Headers.Location!.OriginalString;
        var id = detailUrl.Split('/')[^1];

        var detail = await client.GetAsync(detailUrl);
        var sent = await client.PostAsync($"/directory/numbers/{id}/verification", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = await TokenAsync(detail),
        }));
        Assert.Equal(HttpStatusCode.OK, sent.StatusCode);
        Assert.Contains("sent by SMS", await sent.Content.ReadAsStringAsync());
        var sms = await app.Bus.WaitForAsync<SendVerificationCode>(m => m.PhoneNumber == "+819033330001", "the code is sent");

        var verified = await client.PostAsync($"/directory/numbers/{id}/verification/code", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = await TokenAsync(sent), ["code"] = sms.Code,
        }));
        Assert.Contains("Verified and published", await verified.Content.ReadAsStringAsync());
        var view = await client.GetFromJsonAsync<JsonElement>($"/api/directory/numbers/{id}");
        Assert.Equal(["Seminar follow-up", "New products"], view.GetProperty("purposes").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal("10:00", view.GetProperty("callingHours").GetProperty("start").GetString());

        var withdrawn = await client.PostAsync($"/directory/numbers/{id}/withdrawal", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = await TokenAsync(verified),
        }));
        Assert.Contains("Withdrawn.", await withdrawn.Content.ReadAsStringAsync());
        Assert.Equal("withdrawn", (await client.GetFromJsonAsync<JsonElement>($"/api/directory/numbers/{id}")).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Number_form_with_errors_is_shown_again_with_a_400_and_nothing_is_added()
    {
        var (_, client) = await app.CreateOrganizationAsync("Typo K.K.");
        var list = await client.GetAsync("/directory/numbers");
        var response = await client.PostAsync("/directory/numbers", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = await TokenAsync(list), ["phoneNumber"] = "12", ["purposes"] = "",
            ["callingHoursStart"] = "09:00", ["callingHoursEnd"] = "18:00", ["validFrom"] = "tomorrow",
        }));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("validFrom", html);
        Assert.Empty(await client.GetFromJsonAsync<JsonElement[]>("/api/directory/numbers") ?? []);
    }

    [Fact]
    public async Task Trade_names_are_saved_with_the_profile_announced_and_shown_on_the_profile_page()
    {
        var (org, client) = await app.CreateOrganizationAsync("Brand Owner K.K.", tradeNames: ["Brand One", "ブランド2"]);
        var profile = await client.GetFromJsonAsync<JsonElement>("/api/directory/organization");
        Assert.Equal(["Brand One", "ブランド2"], profile.GetProperty("tradeNames").EnumerateArray().Select(n => n.GetString()));
        var changed = await app.Bus.WaitForAsync<OrganizationProfileChanged>(m => m.OrganizationId == org, "the profile is announced");
        Assert.Equal(["Brand One", "ブランド2"], changed.TradeNames!);
        Assert.Contains("Brand One", WebUtility.HtmlDecode(await client.GetStringAsync("/directory/organization")));

        var tooMany = await client.PutAsJsonAsync("/api/directory/organization", new
        {
            legalName = "Brand Owner K.K.", contactEmail = "a@example.jp", tradeNames = Enumerable.Range(1, 11).Select(i => $"Brand {i}").ToArray(),
        });
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
    }
}
