using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace ConsentPlatform.Consent.Tests;

public static partial class FormHelpers
{
    public static object EventBody(string title = "Cloud Seminar 2026", int lifetimeMonths = 12, string[]? channels = null, string[]? origins = null,
        string smsJa = "SMSでのご案内に同意します。", string[]? thirdParties = null) => new
    {
        title, startsOn = "2026-04-01", endsOn = "2026-04-02", purpose = "seminar",
        purposeText = new { ja = "セミナーのご案内とフォローアップのため", en = "To follow up on the seminar" },
        channels = channels ?? ["call", "sms", "email"],
        texts = new Dictionary<string, object>
        {
            ["call"] = new { ja = "お電話でのご連絡に同意します。", en = "I agree to be called." },
            ["sms"] = new { ja = smsJa, en = "I agree to receive SMS." },
            ["email"] = new { ja = "メールでのご案内に同意します。", en = "I agree to receive email." },
        }.Where(t => (channels ?? ["call", "sms", "email"]).Contains(t.Key)).ToDictionary(),
        senderLegalName = "Acme Kabushiki Kaisha", lifetimeMonths,
        allowedOrigins = origins ?? ["https://events.example.com"],
        thirdParties = thirdParties ?? [],
    };

    public static async Task<JsonElement> CreateEventAsync(this HttpClient client, object? body = null)
    {
        var response = await client.PostAsJsonAsync("/api/consent/events", body ?? EventBody());
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"create event: {(int)response.StatusCode} {json}");
        return json;
    }

    /// <summary>GETs the form like a browser and posts it, hidden fields (the form token among them) included, with the given fields.</summary>
    public static Task<(HttpResponseMessage Response, string Html)> SubmitFormAsync(this HttpClient browser, string formId, IEnumerable<KeyValuePair<string, string>> fields, string lang = "en") =>
        browser.PostPageFormAsync($"/consent/forms/{formId}?lang={lang}", $"/consent/forms/{formId}", fields);

    /// <summary>GETs a page like a browser and posts to the action, the page's hidden fields (the form token among them) included, with the given fields.</summary>
    public static async Task<(HttpResponseMessage Response, string Html)> PostPageFormAsync(this HttpClient browser, string page, string action, IEnumerable<KeyValuePair<string, string>> fields)
    {
        var html = await browser.GetStringAsync(page);
        var hidden = HiddenInput().Matches(html).ToDictionary(m => WebUtility.HtmlDecode(m.Groups["name"].Value), m => WebUtility.HtmlDecode(m.Groups["value"].Value));
        var response = await browser.PostAsync(action, new FormUrlEncodedContent([.. hidden, .. fields]));
        return (response, await response.Content.ReadAsStringAsync());
    }

    public static KeyValuePair<string, string> Field(string name, string value) => new(name, value);

    [GeneratedRegex("""<input type="hidden" name="(?<name>[^"]+)" value="(?<value>[^"]*)" />""")]
    private static partial Regex HiddenInput();

    public static string ReceiptId(string html) => Regex.Match(html, "id=\"receipt-id\"[^>]*>(rcpt_[0-9a-f]+)<").Groups[1].Value;
}
