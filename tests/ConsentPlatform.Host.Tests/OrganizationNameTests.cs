using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using ConsentPlatform.Testing;

namespace ConsentPlatform.Host.Tests;

/// <summary>
/// Issue 14, small things people notice: a recipient's pages name the organization as it is called
/// now. A rename in Directory reaches the short-link page already open in the cache, well within the
/// cache's lifetime (60 s by default).
/// </summary>
public sealed partial class OrganizationNameTests(HostFactory host) : IClassFixture<HostFactory>
{
    private const string OldName = "旧商号株式会社";
    private const string NewName = "新商号株式会社";
    private const string Landline = "03-5000-7401";
    private const string Number = "090-7400-0001";

    [Fact]
    public async Task After_a_rename_in_the_directory_the_short_link_page_names_the_organization_by_its_new_name()
    {
        var (_, key) = await host.CreateOrganizationAsync(OldName);
        using var company = host.CreateClient(key.Key);
        await host.PublishCallingNumberAsync(company, OldName, Landline);
        Assert.Equal(HttpStatusCode.OK, (await company.PutAsJsonAsync("/api/notices/settings",
            new { allowedFrom = "00:00", allowedUntil = "23:59", frequencyCap = 10, frequencyWindowHours = 1 })).StatusCode);
        var created = await company.PostAsJsonAsync("/api/consent/events", new
        {
            title = "Rename Expo", purpose = "expo", purposeText = new { ja = "展示会のご案内", en = "About the expo" }, channels = new[] { "sms" },
            texts = new { sms = new { ja = "SMSに同意します。", en = "I agree to SMS." } }, senderLegalName = OldName, lifetimeMonths = 12,
        });
        var eventId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        using var person = host.CreateClient();
        var form = await person.GetStringAsync($"/consent/forms/{eventId}");
        var hidden = Hidden().Matches(form).Select(m => new KeyValuePair<string, string>(WebUtility.HtmlDecode(m.Groups["name"].Value), WebUtility.HtmlDecode(m.Groups["value"].Value)));
        Assert.True((await person.PostAsync($"/consent/forms/{eventId}", new FormUrlEncodedContent([.. hidden, new("channels", "sms"), new("phone", Number)]))).IsSuccessStatusCode);
        var code = await host.PlanCallAndReadLinkCodeAsync(company, "+819074000001",
            new { phoneNumber = Number, callerName = "佐藤", topic = "展示会", callingNumber = Landline, purpose = "expo" });
        Assert.Equal(OldName, await CompanyOnPageAsync(person, code));

        Assert.Equal(HttpStatusCode.OK, (await company.PutAsJsonAsync("/api/directory/organization", new
        {
            legalName = NewName, contactEmail = "privacy@company.example", privacyPolicyUrl = "https://company.example/privacy",
        })).StatusCode);

        await Eventually.AssertAsync(async () => await CompanyOnPageAsync(person, code) == NewName, TimeSpan.FromSeconds(10),
            "the short-link page names the organization by its new name");
    }

    private static async Task<string> CompanyOnPageAsync(HttpClient person, string code) =>
        WebUtility.HtmlDecode(Company().Match(await person.GetStringAsync($"/r/{code}")).Groups[1].Value);

    [GeneratedRegex("""<dd data-field="company">([^<]*)</dd>""")]
    private static partial Regex Company();

    [GeneratedRegex("""<input type="hidden" name="(?<name>[^"]+)" value="(?<value>[^"]*)" />""")]
    private static partial Regex Hidden();
}
