using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using ConsentPlatform.Directory.Feeds;
using ConsentPlatform.Directory.Numbers;
using ConsentPlatform.Directory.Organizations;

namespace ConsentPlatform.Host.Tests.Trust;

internal static partial class TrustHelpers
{
    public static object EventBody(string title = "Trust Seminar", string smsJa = "SMSでのご案内に同意します。") => new
    {
        title, startsOn = "2026-04-01", endsOn = "2026-04-02", purpose = "seminar",
        purposeText = new { ja = "セミナーのご案内のため", en = "To follow up on the seminar" },
        channels = new[] { "sms", "email" },
        texts = new Dictionary<string, object>
        {
            ["sms"] = new { ja = smsJa, en = "I agree to receive SMS." },
            ["email"] = new { ja = "メールでのご案内に同意します。", en = "I agree to receive email." },
        },
        senderLegalName = "Trust Kabushiki Kaisha", lifetimeMonths = 12,
    };

    public static async Task<string> CreateEventAsync(this HttpClient client, object? body = null)
    {
        var response = await client.PostAsJsonAsync("/api/consent/events", body ?? EventBody());
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"create event: {(int)response.StatusCode} {json}");
        return json.GetProperty("id").GetString()!;
    }

    /// <summary>GETs the public form like a browser and posts it with its hidden fields (the form token among them).</summary>
    public static async Task<HttpResponseMessage> SubmitFormAsync(this HttpClient browser, string formId, params KeyValuePair<string, string>[] fields) =>
        await browser.PostAsync($"/consent/forms/{formId}", new FormUrlEncodedContent([.. await FormHiddenFieldsAsync(browser, formId), .. fields]));

    /// <summary>The public form's hidden fields (the form token among them), as a browser holds them once the page has loaded.</summary>
    public static async Task<Dictionary<string, string>> FormHiddenFieldsAsync(this HttpClient browser, string formId)
    {
        var page = await browser.GetStringAsync($"/consent/forms/{formId}?lang=en");
        return HiddenInput().Matches(page).ToDictionary(m => WebUtility.HtmlDecode(m.Groups["name"].Value), m => WebUtility.HtmlDecode(m.Groups["value"].Value));
    }

    /// <summary>The field names of a problem-details answer's errors; asserts the answer is problem details.</summary>
    public static async Task<string[]> ErrorFieldsAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"expected 400, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var json = JsonDocument.Parse(body).RootElement;
        return json.TryGetProperty("errors", out var errors) ? errors.EnumerateObject().Select(e => e.Name).ToArray() : [];
    }

    public static readonly DateTimeOffset FeedTime = DateTimeOffset.Parse("2026-12-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A published organization as the feeds render it, with one published number carrying the given texts.</summary>
    public static PublishedOrganization Published(DirectoryProfile profile, string department, string purpose) => new(profile,
    [
        new CallerNumber
        {
            Id = Guid.NewGuid(), OrganizationId = profile.OrganizationId, E164 = "+81312340000", NumberType = "fixed_line", Department = department,
            Purposes = [purpose], HoursStart = "09:00", HoursEnd = "18:00", Status = NumberStatus.Published, CreatedAt = FeedTime, UpdatedAt = FeedTime,
        },
    ], FeedTime);

    [GeneratedRegex("""<input type="hidden" name="(?<name>[^"]+)" value="(?<value>[^"]*)" />""")]
    private static partial Regex HiddenInput();
}
