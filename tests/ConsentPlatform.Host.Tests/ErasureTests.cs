using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using ConsentPlatform.Notices;
using ConsentPlatform.Responses;
using ConsentPlatform.Telephony;
using ConsentPlatform.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace ConsentPlatform.Host.Tests;

/// <summary>
/// A person who gave their number and email at an event, got a notice, opened its link and answered
/// ("email only", typing the email and a comment), then asked for erasure by phone and by email and proved both
/// with the codes sent to them. Afterwards no file in the data folder holds the number (E.164 or
/// national form) or the email in any encoding a database could use, and the gate still refuses them.
/// </summary>
public sealed partial class ErasureTests(HostFactory host, ITestOutputHelper output) : IClassFixture<HostFactory>
{
    private const string Number = "090-7200-0001";
    private const string E164 = "+819072000001";
    private const string Email = "erase.person@example.jp";
    private const string Purpose = "seminar";
    private const string PhoneBrowser = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148";

    [Fact]
    public async Task After_verified_erasures_by_phone_and_by_email_no_file_in_the_data_folder_holds_the_number_or_the_email_and_the_gate_still_denies()
    {
        var (_, key) = await host.CreateOrganizationAsync("Erasure Trading K.K.");
        using var company = host.CreateClient(key.Key);
        await host.PublishCallingNumberAsync(company, "Erasure Trading K.K.", "03-5000-7201");
        Assert.Equal(HttpStatusCode.OK, (await company.PutAsJsonAsync("/api/notices/settings",
            new { allowedFrom = "00:00", allowedUntil = "23:59", frequencyCap = 10, frequencyWindowHours = 1 })).StatusCode);
        var created = await company.PostAsJsonAsync("/api/consent/events", new
        {
            title = "Erasure Expo", purpose = Purpose, purposeText = new { ja = "展示会のご案内", en = "About the expo" }, channels = new[] { "sms", "email" },
            texts = new { sms = new { ja = "SMSに同意します。", en = "I agree to SMS." }, email = new { ja = "メールに同意します。", en = "I agree to email." } },
            senderLegalName = "Erasure Trading K.K.", lifetimeMonths = 12,
        });
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var eventId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();

        using var person = host.CreateClient();
        person.DefaultRequestHeaders.UserAgent.ParseAdd(PhoneBrowser);
        await SubmitConsentAsync(person, eventId!);
        var code = await host.PlanCallAndReadLinkCodeAsync(company, E164,
            new { phoneNumber = Number, callerName = "Sato", topic = "Expo follow-up", callingNumber = "03-5000-7201", purpose = Purpose });
        await RespondAsync(person, code);

        await EraseAsync(person, new { phoneNumber = Number, kind = "erasure" }, () => SixDigitsSentAsync(
            "SELECT body FROM dev_inbox WHERE to_number = @E164 AND body LIKE '%確認コード%' ORDER BY created_at DESC", new { E164 }));
        var emailHash = host.Services.GetRequiredService<PhoneNumberHasher>().HashEmail(Email);
        await EraseAsync(person, new { email = Email, kind = "erasure" }, () => SixDigitsSentAsync(
            "SELECT body FROM dev_emails WHERE contact_hash = @emailHash ORDER BY created_at DESC", new { emailHash }));

        await Eventually.AssertAsync(() => Task.FromResult(Residue().Count == 0), TimeSpan.FromSeconds(30),
            "every service erases the contact and leaves no copy in its files");
        var check = await company.PostAsJsonAsync("/api/consent/checks", new { phoneNumber = Number, channel = "sms", purpose = Purpose });
        var decision = await check.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("deny", decision.GetProperty("decision").GetString());
        Assert.Contains("erased", decision.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()));
        // The check is audited by keyed hash only, so the number is not written back.
        Assert.Empty(Residue());
    }

    /// <summary>Every place the number or the email appears, in any file under the data folder, as UTF-8 or UTF-16.</summary>
    private List<string> Residue()
    {
        var (found, files) = host.Residue([E164, E164[1..], "0" + E164[3..], Number, Email]);
        output.WriteLine($"{files.Count} files read ({string.Join(", ", files.Select(Path.GetFileName))}); found: {(found.Count == 0 ? "nothing" : string.Join("; ", found))}");
        return found;
    }

    private async Task SubmitConsentAsync(HttpClient person, string eventId)
    {
        var page = await person.GetStringAsync($"/consent/forms/{eventId}?lang=en");
        var hidden = HiddenInput().Matches(page).Select(m => new KeyValuePair<string, string>(WebUtility.HtmlDecode(m.Groups["name"].Value), WebUtility.HtmlDecode(m.Groups["value"].Value)));
        var submitted = await person.PostAsync($"/consent/forms/{eventId}", new FormUrlEncodedContent(
            [.. hidden, new("channels", "sms"), new("channels", "email"), new("phone", Number), new("email", Email)]));
        Assert.True(submitted.IsSuccessStatusCode, await submitted.Content.ReadAsStringAsync());
    }

    /// <summary>Opens the link (a visit, counted by the page's beacon) and answers: the email typed again, and a comment that repeats the number.</summary>
    private async Task RespondAsync(HttpClient person, string code)
    {
        await Eventually.AssertAsync(async () => (await person.GetAsync($"/r/{code}?lang=en")).StatusCode == HttpStatusCode.OK,
            TimeSpan.FromSeconds(15), "Responses has the link");
        var form = await (await person.GetAsync($"/r/{code}?lang=en")).Content.ReadAsStringAsync();
        // The beacon the page's script posts in a browser that renders it: the visit.
        using var beacon = new HttpRequestMessage(HttpMethod.Post, $"/r/{code}/seen");
        beacon.Headers.Add("Sec-Fetch-Site", "same-origin");
        Assert.Equal(HttpStatusCode.NoContent, (await person.SendAsync(beacon)).StatusCode);
        var token = WebUtility.HtmlDecode(FormToken().Match(form).Groups[1].Value);
        var answered = await person.PostAsync($"/r/{code}", new FormUrlEncodedContent(
        [
            new("__formToken", token), new("lang", "en"), new("preferredContact", "email_only"), new("email", Email),
            new("comments", $"Please write to {Email} instead of calling {Number}."),
        ]));
        Assert.True(answered.StatusCode == HttpStatusCode.OK, await answered.Content.ReadAsStringAsync());
        await Eventually.AssertAsync(async () => await host.QueryAsync<ResponsesDatabase, long>("SELECT COUNT(*) FROM link_visits WHERE code = @code", new { code }) > 0,
            TimeSpan.FromSeconds(10), "the visit is counted");
        Assert.Equal(1, await host.QueryAsync<ResponsesDatabase, long>("SELECT COUNT(*) FROM responses WHERE email = @Email", new { Email }));
        // "Email only" with an address also keeps a confirmation (ADR 0030), which the erasure must take too.
        Assert.Equal(1, await host.QueryAsync<ResponsesDatabase, long>("SELECT COUNT(*) FROM email_confirmations WHERE email = @Email", new { Email }));
    }

    /// <summary>Opens an erasure request and enters the code the person received.</summary>
    private static async Task EraseAsync(HttpClient person, object request, Func<Task<string?>> codeSent)
    {
        var opened = await person.PostAsJsonAsync("/api/public/consent/requests", request);
        Assert.True(opened.StatusCode == HttpStatusCode.Accepted, await opened.Content.ReadAsStringAsync());
        var id = (await opened.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("requestId").GetString();
        string? code = null;
        await Eventually.AssertAsync(async () => (code = await codeSent()) is not null, TimeSpan.FromSeconds(15), "the code reaches the person");
        var verified = await person.PostAsJsonAsync($"/api/public/consent/requests/{id}/verify", new { code });
        Assert.True(verified.StatusCode == HttpStatusCode.OK, await verified.Content.ReadAsStringAsync());
        Assert.Equal("completed", (await verified.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
    }

    private async Task<string?> SixDigitsSentAsync(string sql, object parameters) =>
        SixDigits().Match(await host.QueryAsync<NoticesDatabase, string?>(sql, parameters) ?? "") is { Success: true } m ? m.Value : null;

    [GeneratedRegex("""<input type="hidden" name="(?<name>[^"]+)" value="(?<value>[^"]*)" />""")]
    private static partial Regex HiddenInput();

    [GeneratedRegex("name=\"__formToken\" value=\"([^\"]+)\"")]
    private static partial Regex FormToken();

    [GeneratedRegex(@"(?<!\d)\d{6}(?!\d)")]
    private static partial Regex SixDigits();
}
