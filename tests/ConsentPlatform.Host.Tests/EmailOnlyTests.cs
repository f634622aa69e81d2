using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using ConsentPlatform.Consent;
using ConsentPlatform.Notices;
using ConsentPlatform.Responses;
using ConsentPlatform.Testing;
using Microsoft.AspNetCore.Hosting;

namespace ConsentPlatform.Host.Tests;

/// <summary>The embedded host with confirmation links that expire after a few seconds, so expiry can be watched.</summary>
public sealed class ShortConfirmationHostFactory : HostFactory
{
    public const int Seconds = 4;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Responses:EmailConfirmationSeconds", Seconds.ToString());
    }
}

/// <summary>
/// Issue 13, acceptance 4 (ADR 0030): a person who consented to SMS at an event answers the pre-call notice's link
/// with "email only" and types a new address. A confirmation email names the company in the person's language;
/// until its link is followed and its button pressed, the gate denies email there as email_confirmation_pending;
/// afterwards it allows email there, while calls and texts to the number stay denied throughout.
/// </summary>
public abstract partial class EmailOnlyScenario(HostFactory host)
{
    protected const string Purpose = "seminar";
    protected const string Company = "Double Opt-in Trading K.K.";
    private const string PhoneBrowser = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148";

    protected sealed record Person(HttpClient Company, string Number, string Email, string ThanksPage);

    /// <summary>Consent to SMS at the event, a pre-call notice, and the "email only" answer with <paramref name="email"/> on its link.</summary>
    protected async Task<Person> AnswerEmailOnlyAsync(string number, string landline, string email, string lang)
    {
        var (_, key) = await host.CreateOrganizationAsync(Company);
        var company = host.CreateClient(key.Key);
        await host.PublishCallingNumberAsync(company, Company, landline);
        Assert.Equal(HttpStatusCode.OK, (await company.PutAsJsonAsync("/api/notices/settings",
            new { allowedFrom = "00:00", allowedUntil = "23:59", frequencyCap = 10, frequencyWindowHours = 1 })).StatusCode);
        var created = await company.PostAsJsonAsync("/api/consent/events", new
        {
            title = "Opt-in Expo", purpose = Purpose, purposeText = new { ja = "展示会のご案内", en = "About the expo" }, channels = new[] { "sms" },
            texts = new { sms = new { ja = "SMSに同意します。", en = "I agree to SMS." } }, senderLegalName = Company, lifetimeMonths = 12,
        });
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var eventId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        using var person = Browser();
        var page = await person.GetStringAsync($"/consent/forms/{eventId}?lang=en");
        var hidden = HiddenInput().Matches(page).Select(m => new KeyValuePair<string, string>(WebUtility.HtmlDecode(m.Groups["name"].Value), WebUtility.HtmlDecode(m.Groups["value"].Value)));
        var submitted = await person.PostAsync($"/consent/forms/{eventId}", new FormUrlEncodedContent([.. hidden, new("channels", "sms"), new("phone", number)]));
        Assert.True(submitted.IsSuccessStatusCode, await submitted.Content.ReadAsStringAsync());

        var e164 = Telephony.PhoneNumbers.Parse(number).Number.E164;
        var code = await host.PlanCallAndReadLinkCodeAsync(company, e164,
            new { phoneNumber = number, callerName = "Sato", topic = "Expo follow-up", callingNumber = landline, purpose = Purpose });
        string form = "";
        await Eventually.AssertAsync(async () => (await person.GetAsync($"/r/{code}?lang={lang}")).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(15), "Responses has the link");
        form = await person.GetStringAsync($"/r/{code}?lang={lang}");
        var answered = await person.PostAsync($"/r/{code}", new FormUrlEncodedContent(
        [
            new("__formToken", WebUtility.HtmlDecode(FormToken().Match(form).Groups[1].Value)), new("lang", lang),
            new("preferredContact", "email_only"), new("email", email),
        ]));
        var thanks = WebUtility.HtmlDecode(await answered.Content.ReadAsStringAsync());
        Assert.True(answered.StatusCode == HttpStatusCode.OK, thanks);
        return new Person(company, number, email, thanks);
    }

    protected HttpClient Browser()
    {
        var browser = host.CreateClient();
        browser.DefaultRequestHeaders.UserAgent.ParseAdd(PhoneBrowser);
        return browser;
    }

    /// <summary>The confirmation email as the dev inbox holds it: subject, body and the link's path.</summary>
    protected async Task<(string Subject, string Body, string Path)> ConfirmationEmailAsync(string email)
    {
        string? body = null;
        await Eventually.AssertAsync(async () => (body = await host.QueryAsync<NoticesDatabase, string?>(
                "SELECT body FROM dev_emails WHERE to_address = @email", new { email })) is not null,
            TimeSpan.FromSeconds(15), "the confirmation email reaches the dev inbox");
        var subject = await host.QueryAsync<NoticesDatabase, string>("SELECT subject FROM dev_emails WHERE to_address = @email", new { email });
        var link = ConfirmLink().Match(body!);
        Assert.True(link.Success, $"The email carries no confirmation link: {body}");
        return (subject, body!, link.Value);
    }

    protected static async Task<JsonElement> CheckAsync(HttpClient company, object question)
    {
        var check = await company.PostAsJsonAsync("/api/consent/checks", question);
        Assert.True(check.IsSuccessStatusCode, await check.Content.ReadAsStringAsync());
        return await check.Content.ReadFromJsonAsync<JsonElement>();
    }

    protected static async Task<(string Decision, string[] Reasons)> EmailCheckAsync(Person p, DateTimeOffset? at = null) =>
        Answer(await CheckAsync(p.Company, new { email = p.Email, channel = "email", purpose = Purpose, at }));

    protected static async Task<(string Decision, string[] Reasons)> NumberCheckAsync(Person p, string channel) =>
        Answer(await CheckAsync(p.Company, new { phoneNumber = p.Number, channel, purpose = Purpose }));

    private static (string, string[]) Answer(JsonElement check) =>
        (check.GetProperty("decision").GetString()!, check.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()!).ToArray());

    protected static async Task<HttpResponseMessage> PressConfirmAsync(HttpClient browser, string path, string page, string lang) =>
        await browser.PostAsync(path, new FormUrlEncodedContent([new("__formToken", WebUtility.HtmlDecode(FormToken().Match(page).Groups[1].Value)), new("lang", lang)]));

    protected Task<long> LedgerRowsAsync(string email, string action) => host.QueryAsync<ConsentDatabase, long>(
        "SELECT COUNT(*) FROM consent_ledger WHERE contact = @email AND channel = 'email' AND action = @action AND method = 'double_opt_in'", new { email, action });

    protected Task<long> ConfirmedRowsAsync(string email) =>
        host.QueryAsync<ResponsesDatabase, long>("SELECT COUNT(*) FROM email_confirmations WHERE email = @email AND confirmed_at IS NOT NULL", new { email });

    [GeneratedRegex("""<input type="hidden" name="(?<name>[^"]+)" value="(?<value>[^"]*)" />""")]
    private static partial Regex HiddenInput();

    [GeneratedRegex("name=\"__formToken\" value=\"([^\"]+)\"")]
    protected static partial Regex FormToken();

    [GeneratedRegex(@"/r/confirm-email/[A-Za-z0-9_-]+")]
    private static partial Regex ConfirmLink();
}

public sealed class EmailOnlyTests(HostFactory host) : EmailOnlyScenario(host), IClassFixture<HostFactory>
{
    [Fact]
    public async Task Email_only_with_a_new_address_is_allowed_only_after_the_emailed_link_is_confirmed_and_calls_and_texts_stay_denied()
    {
        var p = await AnswerEmailOnlyAsync("090-7400-0001", "03-5000-7401", "new.address@example.jp", "ja");
        Assert.Contains("new.address@example.jp 宛に確認のメールをお送りしました", p.ThanksPage);

        var (subject, body, path) = await ConfirmationEmailAsync(p.Email);
        Assert.Contains(Company, subject);
        Assert.Contains($"{Company}からのご連絡について、「メールのみ可」とご回答いただき", body);

        (string Decision, string[] Reasons) email = default;
        await Eventually.AssertAsync(async () => (email = await EmailCheckAsync(p)).Reasons.Contains("email_confirmation_pending"),
            TimeSpan.FromSeconds(15), "Consent hears of the pending request");
        Assert.Equal(("deny", "email_confirmation_pending"), (email.Decision, string.Join(' ', email.Reasons!)));
        Assert.Contains("opted_out", (await NumberCheckAsync(p, "sms")).Reasons);
        Assert.Contains("opted_out", (await NumberCheckAsync(p, "call")).Reasons);

        // Opening the link (a person, or a mail scanner) changes nothing.
        using var browser = Browser();
        var opened = await browser.GetAsync(path);
        var page = await opened.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, opened.StatusCode);
        Assert.Contains("確認する</button>", WebUtility.HtmlDecode(page));
        Assert.Contains($"{Company} が今後 new.address@example.jp 宛にメールでご連絡することを承諾される場合は", WebUtility.HtmlDecode(page));
        await Task.Delay(500);
        Assert.Equal(0, await ConfirmedRowsAsync(p.Email));
        Assert.Equal(["email_confirmation_pending"], (await EmailCheckAsync(p)).Reasons);

        var confirmed = await PressConfirmAsync(browser, path, page, "ja");
        var done = WebUtility.HtmlDecode(await confirmed.Content.ReadAsStringAsync());
        Assert.True(confirmed.StatusCode == HttpStatusCode.OK, done);
        Assert.Contains($"確認しました。{Company} からのご連絡は new.address@example.jp 宛のメールで行われます。", done);

        await Eventually.AssertAsync(async () => (email = await EmailCheckAsync(p)).Decision == "allow", TimeSpan.FromSeconds(15), "Consent records the confirmation");
        Assert.Empty(email.Reasons!);
        Assert.Equal((1L, 1L), (await LedgerRowsAsync(p.Email, "requested"), await LedgerRowsAsync(p.Email, "granted")));
        Assert.Equal(("deny", true), ((await NumberCheckAsync(p, "sms")).Decision, (await NumberCheckAsync(p, "sms")).Reasons.Contains("opted_out")));
        Assert.Equal(("deny", true), ((await NumberCheckAsync(p, "call")).Decision, (await NumberCheckAsync(p, "call")).Reasons.Contains("opted_out")));
    }

    [Fact]
    public async Task A_confirmation_link_works_once_a_second_press_is_gone_and_records_nothing_more()
    {
        var p = await AnswerEmailOnlyAsync("090-7400-0002", "03-5000-7402", "once.only@example.jp", "en");
        Assert.Contains("We sent a confirmation email to once.only@example.jp", p.ThanksPage);
        var (subject, body, path) = await ConfirmationEmailAsync(p.Email);
        Assert.Equal($"[{Company}] Please confirm your email address", subject);
        Assert.Contains($"You answered that {Company} may contact you by email only", body);
        using var browser = Browser();
        var page = await browser.GetStringAsync(path);
        Assert.Equal(HttpStatusCode.OK, (await PressConfirmAsync(browser, path, page, "en")).StatusCode);
        await Eventually.AssertAsync(async () => (await EmailCheckAsync(p)).Decision == "allow", TimeSpan.FromSeconds(15), "Consent records the confirmation");

        var again = await PressConfirmAsync(browser, path, page, "en");
        Assert.Equal(HttpStatusCode.Gone, again.StatusCode);
        Assert.Contains("This link has been used or has expired.", await again.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Gone, (await browser.GetAsync(path)).StatusCode);
        await Task.Delay(1000);
        Assert.Equal(1, await ConfirmedRowsAsync(p.Email));
        Assert.Equal(1, await LedgerRowsAsync(p.Email, "granted"));
    }
}

public sealed class EmailConfirmationExpiryTests(ShortConfirmationHostFactory host) : EmailOnlyScenario(host), IClassFixture<ShortConfirmationHostFactory>
{
    [Fact]
    public async Task An_expired_confirmation_link_confirms_nothing_and_the_gate_stops_saying_pending()
    {
        var p = await AnswerEmailOnlyAsync("090-7400-0003", "03-5000-7403", "too.late@example.jp", "en");
        var (_, _, path) = await ConfirmationEmailAsync(p.Email);
        using var browser = Browser();
        var opened = await browser.GetAsync(path);
        var page = await opened.Content.ReadAsStringAsync();
        await Eventually.AssertAsync(async () => (await EmailCheckAsync(p)).Reasons.Contains("email_confirmation_pending"),
            TimeSpan.FromSeconds(15), "Consent hears of the pending request");

        await Task.Delay(TimeSpan.FromSeconds(ShortConfirmationHostFactory.Seconds + 1));
        var late = await PressConfirmAsync(browser, path, page, "en");
        Assert.Equal(HttpStatusCode.Gone, late.StatusCode);
        Assert.Equal(HttpStatusCode.Gone, (await browser.GetAsync(path)).StatusCode);
        Assert.Equal(0, await ConfirmedRowsAsync(p.Email));
        var (decision, reasons) = await EmailCheckAsync(p);
        Assert.Equal(("deny", "no_consent"), (decision, string.Join(' ', reasons)));
    }
}
