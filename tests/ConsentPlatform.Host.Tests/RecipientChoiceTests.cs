using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using ConsentPlatform.Testing;

namespace ConsentPlatform.Host.Tests;

/// <summary>
/// Issue 13: what the recipient chose on the short link is what the gate enforces. "Not now" names the first day
/// contact may resume, and that day's 00:00 Japan time is exactly where the gate's temporary opt-out ends.
/// </summary>
public sealed partial class PreferenceChannelTests
{
    private static readonly TimeSpan Japan = TimeSpan.FromHours(9);

    /// <summary>The short-link form answered from a phone's browser, in <paramref name="lang"/>; the thank-you page's words.</summary>
    private async Task<string> AnswerAsync(Contact contact, string lang, params (string Name, string Value)[] fields)
    {
        using var browser = host.CreateClient();
        browser.DefaultRequestHeaders.UserAgent.ParseAdd(PhoneBrowser);
        var form = await browser.GetStringAsync($"/r/{contact.Code}?lang={lang}");
        var posted = await browser.PostAsync($"/r/{contact.Code}", new FormUrlEncodedContent(
        [
            new("__formToken", WebUtility.HtmlDecode(FormToken().Match(form).Groups[1].Value)), new("lang", lang),
            .. fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)),
        ]));
        var html = WebUtility.HtmlDecode(await posted.Content.ReadAsStringAsync());
        Assert.True(posted.StatusCode == HttpStatusCode.OK, html);
        return WhatHappens().Match(html).Groups[1].Value;
    }

    private static async Task<JsonElement> CheckAsync(Contact contact, string channel, DateTimeOffset at)
    {
        var check = await contact.Company.PostAsJsonAsync("/api/consent/checks", new { phoneNumber = contact.Number, channel, purpose = Purpose, at });
        Assert.True(check.IsSuccessStatusCode, await check.Content.ReadAsStringAsync());
        return await check.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static string[] Reasons(JsonElement check) => check.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()!).ToArray();

    [Theory]
    [InlineData("090-7300-0011", "ja", @"(\d{4}年\d{1,2}月\d{1,2}日)（日本時間0時）から再びご連絡", "yyyy年M月d日")]
    [InlineData("090-7300-0012", "en", @"until (\d{1,2} [A-Z][a-z]+ \d{4}) \(from 00:00 Japan time that day they may contact you again\)", "d MMMM yyyy")]
    public async Task Not_now_names_the_first_day_contact_resumes_and_the_gate_allows_from_00_00_japan_time_that_day(
        string number, string lang, string pattern, string format)
    {
        var contact = await ContactAsync(number);
        var chosen = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(40);

        var said = await AnswerAsync(contact, lang, ("preferredContact", "not_now"), ("contactAfter", chosen.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)));

        var match = Regex.Match(said, pattern);
        Assert.True(match.Success, $"The confirmation does not name the day contact resumes: {said}");
        var pageDay = DateOnly.ParseExact(match.Groups[1].Value, format, CultureInfo.InvariantCulture);
        JsonElement before = default;
        await Eventually.AssertAsync(async () => Reasons(before = await CheckAsync(contact, "sms", DateTimeOffset.UtcNow)).Contains("opted_out_until"),
            TimeSpan.FromSeconds(15), "the gate holds the temporary opt-out");
        var boundary = before.GetProperty("optedOutUntil").GetDateTimeOffset().ToOffset(Japan);
        Assert.Equal((pageDay, TimeOnly.MinValue), (DateOnly.FromDateTime(boundary.DateTime), TimeOnly.FromDateTime(boundary.DateTime)));
        Assert.Equal(chosen, pageDay);
        Assert.Contains("opted_out_until", Reasons(await CheckAsync(contact, "sms", boundary.AddSeconds(-1))));
        Assert.DoesNotContain("opted_out_until", Reasons(await CheckAsync(contact, "sms", boundary)));
    }

    [GeneratedRegex("""data-field="what-happens">([^<]*)<""")]
    private static partial Regex WhatHappens();
}
