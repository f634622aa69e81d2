using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace ConsentPlatform.Consent.Tests;

/// <summary>Import files as organizers would send them: CSV with snake_case columns, or a JSON array.</summary>
public static class ImportHelpers
{
    public const string Header = "phone,email,channels,language,source,collected_at,text_shown,text_reference,capture_method,evidence,ip,user_agent,page_url,third_parties";

    public static string CollectedDaysAgo(int days) => DateTimeOffset.UtcNow.AddDays(-days).ToOffset(TimeSpan.FromHours(9)).ToString("yyyy-MM-dd'T'HH:mm:ssK");

    /// <summary>A good paper-form row; change one field with the named arguments to make it bad.</summary>
    public static string Row(string phone = "090-5555-0001", string email = "", string channels = "call", string language = "ja",
        string source = "Tokyo Expo 2026 booth", string? collectedAt = null, string textShown = "お電話でのご連絡に同意します。", string textReference = "paper form v3",
        string captureMethod = "paper_form", string evidence = "Paper form #0042, scanned to DMS folder expo-2026", string ip = "", string userAgent = "", string pageUrl = "", string thirdParties = "") =>
        string.Join(',', new[] { phone, email, channels, language, source, collectedAt ?? CollectedDaysAgo(30), textShown, textReference, captureMethod, evidence, ip, userAgent, pageUrl, thirdParties }.Select(Quote));

    public static string Csv(params string[] rows) => string.Join("\r\n", [Header, .. rows]) + "\r\n";

    private static string Quote(string value) => value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;

    public static Task<HttpResponseMessage> ImportAsync(this HttpClient client, string eventId, string body, string contentType = "text/csv") =>
        client.PostAsync($"/api/consent/events/{eventId}/imports", new StringContent(body, Encoding.UTF8, contentType));

    public static async Task<JsonElement> ImportOkAsync(this HttpClient client, string eventId, string body, string contentType = "text/csv")
    {
        var response = await client.ImportAsync(eventId, body, contentType);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"import: {(int)response.StatusCode} {json}");
        return json;
    }

    /// <summary>The problem details of a refused import, asserting its status and content type.</summary>
    public static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status = HttpStatusCode.BadRequest)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(body).RootElement;
    }

    public static IEnumerable<string> ErrorKeys(this JsonElement problem) => problem.GetProperty("errors").EnumerateObject().Select(p => p.Name);
}
