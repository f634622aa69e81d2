using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ConsentPlatform.Responses.Crm;

/// <summary>A CRM answered with an error (or not at all); the delivery is retried.</summary>
public sealed class CrmDeliveryException(string message, HttpStatusCode? status = null) : Exception(message)
{
    public HttpStatusCode? Status { get; } = status;
}

/// <summary>Posts the signed JSON envelope to the organization's endpoint.</summary>
public sealed class WebhookSender(IHttpClientFactory clients, TimeProvider time)
{
    public const string HttpClientName = "responses-crm";

    public Task SendAsync(Connector connector, string deliveryId, CrmResponse response, CancellationToken ct) =>
        PostAsync(connector, deliveryId, JsonSerializer.SerializeToUtf8Bytes(new WebhookEnvelope("response.recorded", deliveryId, response), WebhookSignature.Json), ct);

    public Task SendAsync(Connector connector, string deliveryId, CrmPreference preference, CancellationToken ct) =>
        PostAsync(connector, deliveryId, JsonSerializer.SerializeToUtf8Bytes(new PreferenceEnvelope("preference.changed", deliveryId, preference), WebhookSignature.Json), ct);

    private async Task PostAsync(Connector connector, string deliveryId, byte[] body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, connector.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Add(WebhookSignature.Header, WebhookSignature.Sign(connector.Secret!, time.GetUtcNow().ToUnixTimeSeconds(), body));
        // Receivers de-duplicate on this id: delivery is at-least-once (a crash after the CRM
        // answered but before we recorded it sends again).
        request.Headers.Add(WebhookSignature.DeliveryHeader, deliveryId);
        using var answer = await clients.CreateClient(HttpClientName).SendAsync(request, ct);
        if (!answer.IsSuccessStatusCode)
            throw new CrmDeliveryException($"Webhook answered {(int)answer.StatusCode} {answer.ReasonPhrase}", answer.StatusCode);
    }
}

/// <summary>
/// Salesforce over its REST API: OAuth 2.0 client-credentials token, upsert of a Lead by an
/// external id field (the contact hash), then a completed Task recording the response.
/// </summary>
public sealed class SalesforceSender(IHttpClientFactory clients, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Token> _tokens = new();

    private sealed record Token(string AccessToken, string InstanceUrl, DateTimeOffset Expires);

    private sealed record TokenAnswer(
        [property: JsonPropertyName("access_token")] string? AccessToken,
        [property: JsonPropertyName("instance_url")] string? InstanceUrl);

    private sealed record UpsertAnswer([property: JsonPropertyName("id")] string? Id);

    public async Task SendAsync(Connector connector, string deliveryId, CrmResponse response, CancellationToken ct)
    {
        var client = clients.CreateClient(WebhookSender.HttpClientName);
        var token = await TokenAsync(client, connector, refresh: false, ct);
        try
        {
            await UpsertAndLogAsync(client, connector, token, response, ct);
        }
        catch (CrmDeliveryException e) when (e.Status == HttpStatusCode.Unauthorized)
        {
            // Tokens expire or are revoked at any time: fetch one fresh token and try once more.
            token = await TokenAsync(client, connector, refresh: true, ct);
            await UpsertAndLogAsync(client, connector, token, response, ct);
        }
    }

    private async Task UpsertAndLogAsync(HttpClient client, Connector connector, Token token, CrmResponse response, CancellationToken ct)
    {
        var data = $"{token.InstanceUrl.TrimEnd('/')}/services/data/v{connector.ApiVersion ?? ConnectorInput.DefaultApiVersion}/sobjects";
        var leadUrl = $"{data}/Lead/{connector.ExternalIdField}/{Uri.EscapeDataString(response.ContactHash)}";

        // Only fields this service owns are written, so an existing Lead's name and company stay as the sales team keeps them;
        // a new Lead needs LastName and Company, which we do not know, so they get placeholders.
        var existing = await SendAsync(client, token, new HttpRequestMessage(HttpMethod.Get, leadUrl + "?fields=Id"), ct, allowNotFound: true);
        var fields = new Dictionary<string, object?>
        {
            ["DoNotCall"] = response.PreferredContact is "no_further_contact" or "email_only" or "sms_only" or "not_now",
            ["HasOptedOutOfEmail"] = response.PreferredContact is "no_further_contact" or "sms_only" or "not_now",
        };
        if (response.Email is not null) fields["Email"] = response.Email;
        if (existing is null)
        {
            fields["LastName"] = response.MaskedNumber;
            fields["Company"] = "(unknown — ConsentPlatform response)";
            fields["LeadSource"] = "ConsentPlatform";
        }
        var upsert = await SendAsync(client, token, new HttpRequestMessage(HttpMethod.Patch, leadUrl) { Content = JsonContent.Create(fields) }, ct);
        var leadId = (upsert is { Length: > 0 } ? JsonSerializer.Deserialize<UpsertAnswer>(upsert)?.Id : null)
            ?? (existing is { Length: > 0 } ? JsonSerializer.Deserialize<UpsertAnswer>(existing)?.Id : null);

        var task = new Dictionary<string, object?>
        {
            ["Subject"] = $"Response: {response.PreferredContact}" + (response.ContactAfter is null ? "" : $" (after {response.ContactAfter})"),
            ["Status"] = "Completed",
            ["ActivityDate"] = response.RespondedAt.ToString("yyyy-MM-dd"),
            ["Description"] = string.Join("\n", new[]
            {
                $"Topic: {response.Topic}", $"Reason: {response.Reason}", $"Reason text: {response.ReasonText}", $"Comments: {response.Comments}",
                $"Opt-out intent flagged: {response.OptOutIntentFlagged}", $"ConsentPlatform response {response.ResponseId}",
            }),
        };
        if (leadId is not null) task["WhoId"] = leadId;
        await SendAsync(client, token, new HttpRequestMessage(HttpMethod.Post, $"{data}/Task") { Content = JsonContent.Create(task) }, ct);
    }

    private static async Task<string?> SendAsync(HttpClient client, Token token, HttpRequestMessage request, CancellationToken ct, bool allowNotFound = false)
    {
        using (request)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.AccessToken);
            using var answer = await client.SendAsync(request, ct);
            if (allowNotFound && answer.StatusCode == HttpStatusCode.NotFound) return null;
            if (!answer.IsSuccessStatusCode)
                throw new CrmDeliveryException($"Salesforce {request.Method} {request.RequestUri?.AbsolutePath} answered {(int)answer.StatusCode}", answer.StatusCode);
            return await answer.Content.ReadAsStringAsync(ct);
        }
    }

    private async Task<Token> TokenAsync(HttpClient client, Connector connector, bool refresh, CancellationToken ct)
    {
        if (!refresh && _tokens.TryGetValue(connector.ConnectorId, out var cached) && cached.Expires > time.GetUtcNow()) return cached;
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{connector.Url.TrimEnd('/')}/services/oauth2/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials", ["client_id"] = connector.ClientId ?? "", ["client_secret"] = connector.Secret ?? "",
            }),
        };
        using var answer = await client.SendAsync(request, ct);
        if (!answer.IsSuccessStatusCode)
            throw new CrmDeliveryException($"Salesforce token request answered {(int)answer.StatusCode}", answer.StatusCode == HttpStatusCode.Unauthorized ? HttpStatusCode.Forbidden : answer.StatusCode);
        var body = await answer.Content.ReadFromJsonAsync<TokenAnswer>(ct);
        if (body?.AccessToken is null || body.InstanceUrl is null) throw new CrmDeliveryException("Salesforce token answer lacks access_token or instance_url");
        // Salesforce does not say how long a token lives (session settings decide); refresh well before the usual shortest.
        var token = new Token(body.AccessToken, body.InstanceUrl, time.GetUtcNow().AddMinutes(15));
        _tokens[connector.ConnectorId] = token;
        return token;
    }
}
