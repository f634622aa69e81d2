using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using ConsentPlatform.Notices;
using ConsentPlatform.Notices.Sending;
using ConsentPlatform.Testing;
using Xunit.Abstractions;

namespace ConsentPlatform.Host.Tests;

/// <summary>
/// Issue 14, acceptance 3: a person whose browser asks for Japanese sees every recipient page and
/// every message to them in Japanese, whole. Each page is reached the way a person reaches it (no
/// lang parameter, Accept-Language: ja), and its visible text may hold no English word except names
/// on an allow-list. Times are Japan time for a +81 number, numbers in national format.
/// </summary>
public sealed partial class JapanesePagesTests(HostFactory host, ITestOutputHelper output) : IClassFixture<HostFactory>
{
    private const string Company = "アクメ株式会社";
    private const string CallingNumber = "03-5000-7301";
    private const string Person = "090-7300-0001";
    private const string PersonE164 = "+819073000001";
    private const string SecondPerson = "090-7300-0005";
    private const string SecondPersonE164 = "+819073000005";
    private const string NewEmail = "jiro@example.jp";
    private const string Purpose = "seminar";
    private const string PhoneBrowser = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148";

    /// <summary>Names and formats that are the same in every language.</summary>
    private static readonly HashSet<string> AllowedWords = new(StringComparer.Ordinal)
    {
        "ConsentPlatform", // the platform's name
        "SMS", "vCard", "CSV", "JSON", // formats and channels people know by these names
        "English", // the switch to English, marked lang="en"
    };

    [Fact]
    public async Task Every_recipient_page_and_message_reads_in_Japanese_with_Japan_time_and_national_numbers()
    {
        var (_, key) = await host.CreateOrganizationAsync(Company);
        using var company = host.CreateClient(key.Key);
        await host.PublishCallingNumberAsync(company, Company, CallingNumber, "営業部", "セミナーのご案内");
        Assert.Equal(HttpStatusCode.OK, (await company.PutAsJsonAsync("/api/notices/settings",
            new { allowedFrom = "00:00", allowedUntil = "23:59", frequencyCap = 10, frequencyWindowHours = 1 })).StatusCode);
        var created = await company.PostAsJsonAsync("/api/consent/events", new
        {
            title = "秋のセミナー", purpose = Purpose, purposeText = new { ja = "セミナーのご案内", en = "About the seminar" }, channels = new[] { "sms", "email" },
            texts = new { sms = new { ja = "SMSでの案内に同意します。", en = "I agree to SMS." }, email = new { ja = "メールでの案内に同意します。", en = "I agree to email." } },
            senderLegalName = Company, lifetimeMonths = 12,
        });
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var eventId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();

        using var person = host.CreateClient();
        person.DefaultRequestHeaders.AcceptLanguage.ParseAdd("ja-JP,ja;q=0.9");
        person.DefaultRequestHeaders.Accept.ParseAdd(PageBasicsTests.BrowserAccept);
        person.DefaultRequestHeaders.UserAgent.ParseAdd(PhoneBrowser);
        var failures = new List<string>();

        // Consent form, a refused submit, and the receipt.
        var form = await PageAsync(person, $"/consent/forms/{eventId}", failures);
        var refused = await PostAsync(person, $"/consent/forms/{eventId}", form, [new("channels", "sms")], failures, HttpStatusCode.BadRequest);
        var before = DateTimeOffset.UtcNow;
        var receipt = await PostAsync(person, $"/consent/forms/{eventId}", form, [new("channels", "sms"), new("phone", Person)], failures);
        var japan = TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo");
        var shown = RecordedAt().Match(Text(receipt));
        Assert.True(shown.Success, "the receipt shows when it was recorded: " + Text(receipt));
        var expected = TimeZoneInfo.ConvertTime(before, japan);
        Assert.True(shown.Value == expected.ToString("yyyy年M月d日 H:mm", CultureInfo.InvariantCulture)
            || shown.Value == expected.AddMinutes(1).ToString("yyyy年M月d日 H:mm", CultureInfo.InvariantCulture), $"receipt time {shown.Value} is Japan time ({expected:HH:mm})");
        Assert.Contains("090-7300-0001", Text(receipt));

        // The short link, its answer, and the generic opt-out with its code message.
        var code = await host.PlanCallAndReadLinkCodeAsync(company, PersonE164,
            new { phoneNumber = Person, callerName = "佐藤", topic = "セミナーのご案内", callingNumber = CallingNumber, purpose = Purpose });
        var link = await PageAsync(person, $"/r/{code}", failures);
        await PostAsync(person, $"/r/{code}", link, [new("preferredContact", "no_further_contact")], failures, formIndex: 0);
        await PageAsync(person, "/r/no-such-code", failures, HttpStatusCode.NotFound);
        var generic = await PageAsync(person, "/r/opt-out", failures);
        await PostAsync(person, "/r/opt-out", generic, [new("phoneNumber", "abc")], failures, HttpStatusCode.BadRequest);
        var codeSent = await PostAsync(person, "/r/opt-out", generic, [new("phoneNumber", Person)], failures);
        var sms = await LatestSmsAsync("%連絡停止%");
        Check("SMS for the generic opt-out", sms, failures);
        Assert.Matches(@"^【ConsentPlatform】連絡停止の確認コード \d{6}（10分間有効）。お心当たりがなければ破棄してください$", sms);
        await PostAsync(person, "/r/opt-out/confirm", codeSent, [new("code", SixDigits().Match(sms).Value)], failures);

        // "Email only" with a new address: the thanks page, the confirmation email, its page before and after the
        // button, and the page a used link shows (ADR 0030).
        var secondForm = await PageAsync(person, $"/consent/forms/{eventId}", failures);
        var second = await PostAsync(person, $"/consent/forms/{eventId}", secondForm, [new("channels", "sms"), new("phone", SecondPerson)], failures);
        Assert.Contains("090-7300-0005", Text(second));
        var secondCode = await host.PlanCallAndReadLinkCodeAsync(company, SecondPersonE164,
            new { phoneNumber = SecondPerson, callerName = "佐藤", topic = "セミナーのご案内", callingNumber = CallingNumber, purpose = Purpose });
        var secondLink = await PageAsync(person, $"/r/{secondCode}", failures);
        await PostAsync(person, $"/r/{secondCode}", secondLink, [new("preferredContact", "email_only"), new("email", NewEmail)], failures, formIndex: 0);
        string? confirmation = null;
        await Eventually.AssertAsync(async () => (confirmation = await host.QueryAsync<NoticesDatabase, string?>(
            "SELECT subject || ' ' || body FROM dev_emails WHERE to_address = @to", new { to = NewEmail })) is not null, TimeSpan.FromSeconds(15), "the confirmation email is sent");
        Check("email confirming an address", confirmation!.Replace(NewEmail, ""), failures);
        var confirmPath = ConfirmLink().Match(confirmation).Value;
        Assert.False(string.IsNullOrEmpty(confirmPath), "the confirmation email carries its link: " + confirmation);
        var confirmPage = await PageAsync(person, confirmPath, failures);
        await PostAsync(person, confirmPath, confirmPage, [], failures);
        await PageAsync(person, confirmPath, failures, HttpStatusCode.Gone);

        // Directory lookup, its entry, a refused lookup, and the opt-out from the entry.
        await PageAsync(person, "/lookup", failures);
        await PageAsync(person, "/lookup?number=banana", failures, HttpStatusCode.BadRequest);
        await PageAsync(person, "/lookup?number=03-9999-0000", failures);
        var entry = await PageAsync(person, $"/lookup?number={CallingNumber}", failures);
        Assert.Contains("日本時間", Text(entry));
        Assert.Contains(CallingNumber, Text(entry));
        var entryCode = await PostAsync(person, "/lookup/opt-out", entry, [new("phoneNumber", "090-7300-0002")], failures);
        var entrySms = await LatestSmsAsync($"%{Company}からの連絡停止%", "+819073000002");
        Check("SMS for the directory opt-out", entrySms, failures);
        await PostAsync(person, Action().Match(entryCode).Groups[1].Value, entryCode, [new("code", "000000")], failures, HttpStatusCode.BadRequest);
        await PostAsync(person, Action().Match(entryCode).Groups[1].Value, entryCode, [new("code", SixDigits().Match(entrySms).Value)], failures);

        // The data-subject request pages: kind and contact, a refused contact, the code step, the request's status.
        var requests = await PageAsync(person, "/consent/requests", failures);
        await PostAsync(person, "/consent/requests", requests, [new("kind", "erasure"), new("contact", "abc")], failures, HttpStatusCode.BadRequest);
        var requestCode = await PostAsync(person, "/consent/requests", requests, [new("kind", "stop_use"), new("contact", "090-7300-0004")], failures);
        var requestSms = await LatestSmsAsync("%", "+819073000004");
        await PostAsync(person, RequestAction().Match(requestCode).Groups[1].Value, requestCode, [new("code", SixDigits().Match(requestSms).Value)], failures);

        // What a person sees when a page address is wrong.
        await PageAsync(person, "/consent/forms/no-such-form", failures, HttpStatusCode.NotFound);
        await PageAsync(person, "/consent/requests/no-such-request", failures, HttpStatusCode.NotFound);

        // The code messages: a data-subject request by SMS and by email, and a call that reads a code out.
        Assert.Equal(HttpStatusCode.Accepted, (await person.PostAsJsonAsync("/api/public/consent/requests", new { phoneNumber = "090-7300-0003", kind = "erasure" })).StatusCode);
        Check("SMS for a data-subject request", await LatestSmsAsync("%個人データ%", "+819073000003"), failures);
        Assert.Equal(HttpStatusCode.Accepted, (await person.PostAsJsonAsync("/api/public/consent/requests", new { email = "hanako@example.jp", kind = "erasure" })).StatusCode);
        string? mail = null;
        await Eventually.AssertAsync(async () => (mail = await host.QueryAsync<NoticesDatabase, string?>(
            "SELECT subject || ' ' || body FROM dev_emails WHERE to_address = 'hanako@example.jp'")) is not null, TimeSpan.FromSeconds(15), "the email code is sent");
        Check("email for a data-subject request", mail!.Replace("hanako@example.jp", ""), failures);
        Check("call that reads a code", VoiceScript.Spoken("123456", "ja"), failures);

        Assert.True(failures.Count == 0, "English on a Japanese page or message:\n" + string.Join("\n", failures));
    }

    private async Task<string> PageAsync(HttpClient person, string path, List<string> failures, HttpStatusCode status = HttpStatusCode.OK)
    {
        var response = await person.GetAsync(path);
        var html = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"GET {path}: {(int)response.StatusCode} {Text(html)}");
        CheckPage("GET " + path, html, failures);
        return html;
    }

    /// <summary>Submits the page's form number <paramref name="formIndex"/> (the last by default) with its hidden fields and <paramref name="fields"/>.</summary>
    private async Task<string> PostAsync(HttpClient person, string path, string page, KeyValuePair<string, string>[] fields, List<string> failures,
        HttpStatusCode status = HttpStatusCode.OK, int formIndex = -1)
    {
        var forms = Form().Matches(page);
        var chosen = forms[formIndex < 0 ? forms.Count - 1 : formIndex].Value;
        var hidden = Hidden().Matches(chosen).Select(m => new KeyValuePair<string, string>(WebUtility.HtmlDecode(m.Groups["name"].Value), WebUtility.HtmlDecode(m.Groups["value"].Value)));
        var response = await person.PostAsync(path, new FormUrlEncodedContent([.. hidden, .. fields]));
        var html = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"POST {path}: {(int)response.StatusCode} {Text(html)}");
        CheckPage("POST " + path, html, failures);
        return html;
    }

    private void CheckPage(string what, string html, List<string> failures)
    {
        if (!HtmlLang().IsMatch(html)) failures.Add($"{what}: <html lang=\"ja\"> missing");
        Check(what, Text(html), failures);
    }

    private void Check(string what, string text, List<string> failures)
    {
        output.WriteLine($"{what}: {text}");
        var english = EnglishWord().Matches(Url().Replace(text, " ")).Select(m => m.Value).Where(w => !AllowedWords.Contains(w)).Distinct().ToList();
        if (english.Count > 0) failures.Add($"{what}: {string.Join(", ", english)}");
    }

    /// <summary>What a person reads: text and the attributes a screen shows or reads out; not scripts, styles or hidden values.</summary>
    private static string Text(string html)
    {
        var withoutCode = ScriptOrStyle().Replace(html, " ");
        var attributes = string.Join(" ", VisibleAttribute().Matches(withoutCode).Select(m => m.Groups[1].Value));
        return WebUtility.HtmlDecode(Whitespace().Replace(Tag().Replace(withoutCode, " ") + " " + attributes, " ")).Trim();
    }

    private async Task<string> LatestSmsAsync(string like, string to = PersonE164)
    {
        string? body = null;
        await Eventually.AssertAsync(async () => (body = await host.QueryAsync<NoticesDatabase, string?>(
                "SELECT body FROM dev_inbox WHERE to_number = @to AND body LIKE @like ORDER BY created_at DESC", new { to, like })) is not null,
            TimeSpan.FromSeconds(15), $"an SMS like {like} reaches {to}");
        return body!;
    }

    [GeneratedRegex(@"<form\b.*?</form>", RegexOptions.Singleline)]
    private static partial Regex Form();

    [GeneratedRegex("""<input type="hidden" name="(?<name>[^"]+)" value="(?<value>[^"]*)" />""")]
    private static partial Regex Hidden();

    [GeneratedRegex("""action="(/lookup/opt-out/[0-9a-f-]+/code)" """)]
    private static partial Regex Action();

    [GeneratedRegex("""action="(/consent/requests/[^"/]+/code)" """)]
    private static partial Regex RequestAction();

    [GeneratedRegex(@"/r/confirm-email/[A-Za-z0-9_-]+")]
    private static partial Regex ConfirmLink();

    [GeneratedRegex("""<html lang="ja">""")]
    private static partial Regex HtmlLang();

    [GeneratedRegex(@"<(script|style)\b.*?</\1>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex ScriptOrStyle();

    [GeneratedRegex("""\b(?:title|placeholder|aria-label|alt)="([^"]*)" """)]
    private static partial Regex VisibleAttribute();

    [GeneratedRegex(@"<[^>]*>")]
    private static partial Regex Tag();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"(?:https?://|mailto:|tel:)\S+|\S+@\S+\.\S+")]
    private static partial Regex Url();

    // A word is letters only; identifiers that mix in digits or underscores (receipt ids, hashes) are not words.
    [GeneratedRegex(@"(?<![A-Za-z0-9_])[A-Za-z][A-Za-z'’-]*[A-Za-z](?![A-Za-z0-9_])")]
    private static partial Regex EnglishWord();

    [GeneratedRegex(@"\d{4}年\d{1,2}月\d{1,2}日 \d{1,2}:\d{2}")]
    private static partial Regex RecordedAt();

    [GeneratedRegex(@"(?<!\d)\d{6}(?!\d)")]
    private static partial Regex SixDigits();
}
