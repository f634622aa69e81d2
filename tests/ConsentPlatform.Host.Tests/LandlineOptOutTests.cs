using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using ConsentPlatform.Notices;
using ConsentPlatform.Notices.Sending;
using ConsentPlatform.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace ConsentPlatform.Host.Tests;

/// <summary>
/// Landlines cannot take an SMS, so Directory's one-time codes reach them by an automated call that
/// Notices places: the whole path in the embedded host, with the dev call log as the provider.
/// </summary>
public sealed partial class LandlineOptOutTests(HostFactory host) : IClassFixture<HostFactory>
{
    private const string CompanyLine = "03-5000-7001";
    private const string PersonsLine = "06-6222-3333";

    [GeneratedRegex("確認コードは、 ([0-9、 ]+)です")]
    private static partial Regex SpokenCode();

    [Fact]
    public async Task A_person_on_a_landline_hears_the_code_types_it_back_and_the_company_may_no_longer_call_that_number()
    {
        var (organization, key) = await host.CreateOrganizationAsync("Landline Sales K.K.");
        using var company = host.CreateClient(key.Key);
        var profile = await company.PutAsJsonAsync("/api/directory/organization", new
        {
            legalName = "Landline Sales K.K.", contactEmail = "privacy@landline.example", privacyPolicyUrl = "https://landline.example/privacy",
        });
        Assert.Equal(HttpStatusCode.OK, profile.StatusCode);
        // The company's own landline is verified the same way before it is published.
        var added = await company.PostAsJsonAsync("/api/directory/numbers", new
        {
            phoneNumber = CompanyLine, department = "Sales", purposes = new[] { "Seminar follow-up" }, callingHoursStart = "09:00", callingHoursEnd = "18:00",
        });
        Assert.True(added.StatusCode == HttpStatusCode.Created, await added.Content.ReadAsStringAsync());
        var numberId = (await added.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        var verification = await Started(await company.PostAsync($"/api/directory/numbers/{numberId}/verification", null));
        var confirmed = await company.PostAsJsonAsync($"/api/directory/numbers/{numberId}/verification/code", new { code = await HeardCodeAsync(organization, verification) });
        Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        Assert.DoesNotContain(await ChecksAsync(company), r => r == "opted_out");

        using var person = host.CreateClient();
        var optOut = await person.PostAsJsonAsync("/api/public/directory/opt-out", new { callerNumber = CompanyLine, phoneNumber = PersonsLine });
        var request = await Started(optOut);
        var done = await person.PostAsJsonAsync($"/api/public/directory/opt-out/{request}/code", new { code = await HeardCodeAsync(null, request) });
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);

        await Eventually.AssertAsync(async () => (await ChecksAsync(company)).Contains("opted_out"), TimeSpan.FromSeconds(15),
            "Consent refuses calls to the person's landline from that company");
    }

    private static async Task<Guid> Started(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var started = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("call", started.GetProperty("method").GetString());
        return started.GetProperty("requestId").GetGuid();
    }

    /// <summary>
    /// What the person hears: the code, digit by digit, in the first sentence of the call. The
    /// company's own verification call is in its dev call log; the person's opt-out call in no organization's.
    /// </summary>
    private async Task<string> HeardCodeAsync(string? organization, Guid request)
    {
        var database = host.Services.GetRequiredService<NoticesDatabase>();
        DevCall? call = null;
        await Eventually.AssertAsync(async () =>
        {
            call = (await DevCallLog.ListAsync(database, organization, default)).SingleOrDefault(c => c.RequestId == request.ToString());
            return call is not null;
        }, TimeSpan.FromSeconds(15), "Notices places the call");
        var digits = SpokenCode().Match(call!.SpokenText).Groups[1].Value.Where(char.IsAsciiDigit).ToArray();
        Assert.NotEmpty(digits);
        return new string(digits);
    }

    /// <summary>Consent's reasons for a sales call to the person's landline at noon in Tokyo tomorrow (quiet hours never decide it).</summary>
    private static async Task<IReadOnlyList<string>> ChecksAsync(HttpClient company)
    {
        var noon = new DateTimeOffset(DateTimeOffset.UtcNow.UtcDateTime.Date.AddDays(1).AddHours(3), TimeSpan.Zero);
        var response = await company.PostAsJsonAsync("/api/consent/checks", new { phoneNumber = PersonsLine, channel = "call", purpose = "sales", at = noon });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.Content.ReadFromJsonAsync<JsonElement>();
        return result.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()!).ToList();
    }
}
