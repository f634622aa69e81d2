using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ConsentPlatform.Notices.Sending;

/// <summary>
/// Twilio's Messages API over HttpClient (the SDK is not available here): form POST with basic
/// auth, JSON answers with sid/status/code. Every failure is classified by whether the request
/// could have been accepted, because only a certainly-unaccepted request may be sent again (R18).
/// </summary>
public sealed class TwilioSender(HttpClient http, NoticesOptions options, ILogger<TwilioSender> logger) : ISmsSender
{
    public const string HttpClientName = "twilio";
    public const string StatusCallbackPath = "/notices/webhooks/twilio/status";
    public const string InboundPath = "/notices/webhooks/twilio/inbound";
    /// <summary>The idempotency marker in StatusCallback's query string: our message id.</summary>
    public const string MarkerParameter = "m";

    private string MessagesUrl => $"{options.TwilioBaseUrl}/2010-04-01/Accounts/{Uri.EscapeDataString(options.TwilioAccountSid!)}/Messages.json";

    private sealed record MessageResource(
        [property: JsonPropertyName("sid")] string? Sid,
        [property: JsonPropertyName("status")] string? Status,
        [property: JsonPropertyName("to")] string? To,
        [property: JsonPropertyName("body")] string? Body,
        [property: JsonPropertyName("error_code")] int? ErrorCode);

    /// <summary>What a create answers with, for messages and calls alike.</summary>
    private sealed record CreatedResource([property: JsonPropertyName("sid")] string? Sid, [property: JsonPropertyName("status")] string? Status);

    internal sealed record ErrorResource([property: JsonPropertyName("code")] int? Code, [property: JsonPropertyName("message")] string? Message);

    private sealed record MessageList([property: JsonPropertyName("messages")] List<MessageResource>? Messages);

    public static string StatusCallbackUrl(NoticesOptions options, Guid messageId) =>
        $"{options.PublicBaseUrl}{StatusCallbackPath}?{MarkerParameter}={messageId:N}";

    public async Task<SendOutcome> SendAsync(SmsToSend sms, CancellationToken cancellationToken)
    {
        var form = new List<KeyValuePair<string, string>> { new("To", sms.To), new("Body", sms.Body) };
        form.Add(options.TwilioMessagingServiceSid is { } service ? new("MessagingServiceSid", service) : new("From", options.TwilioFrom!));
        if (options.PublicBaseUrl is not null) form.Add(new("StatusCallback", StatusCallbackUrl(options, sms.MessageId)));

        return await CreateAsync(http, MessagesUrl, form, options, cancellationToken,
            error => logger.LogWarning("Twilio request for message {MessageId} ended without an answer: {Error}", sms.MessageId, error.Message));
    }

    /// <summary>
    /// POSTs a create request (a message, a call) and says what became of it: accepted with the new
    /// resource's sid, safe to try again (nothing was taken), rejected, or unknown (it may have been
    /// taken, so it must be looked up, never sent again).
    /// </summary>
    internal static async Task<SendOutcome> CreateAsync(HttpClient http, string url, IEnumerable<KeyValuePair<string, string>> form, NoticesOptions options,
        CancellationToken cancellationToken, Action<HttpRequestException> noAnswer)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Authorization = Basic(options);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(options.RequestTimeoutSeconds));
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return SendOutcome.Unknown("timeout");
        }
        catch (HttpRequestException error) when (NeverReachedServer(error))
        {
            return SendOutcome.Retry("connection_refused");
        }
        catch (HttpRequestException error)
        {
            noAnswer(error);
            return SendOutcome.Unknown("no_response");
        }

        using (response)
        {
            string text;
            try
            {
                text = await response.Content.ReadAsStringAsync(timeout.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or HttpRequestException && !cancellationToken.IsCancellationRequested)
            {
                return response.IsSuccessStatusCode ? SendOutcome.Unknown("truncated_response") : Classify(response, null);
            }
            if (response.IsSuccessStatusCode)
            {
                var created = TryParse<CreatedResource>(text);
                return created?.Sid is { Length: > 0 } sid ? SendOutcome.Accepted(sid, created.Status) : SendOutcome.Unknown("unreadable_response");
            }
            return Classify(response, TryParse<ErrorResource>(text));
        }
    }

    internal static SendOutcome Classify(HttpResponseMessage response, ErrorResource? error)
    {
        var code = error?.Code?.ToString() ?? ((int)response.StatusCode).ToString();
        var retryAfter = response.Headers.RetryAfter?.Delta;
        return (int)response.StatusCode switch
        {
            429 => SendOutcome.Retry(code, retryAfter),
            _ when error?.Code == 20429 => SendOutcome.Retry(code, retryAfter),
            503 => SendOutcome.Retry(code, retryAfter),
            >= 400 and < 500 => SendOutcome.Rejected(code),
            // 500, 502, 504: the provider may have accepted it before failing.
            _ => SendOutcome.Unknown(code),
        };
    }

    /// <summary>Looks the message up by recipient and its text, which is unique (every notice has its own link, every code its own digits).</summary>
    public async Task<LookupOutcome> LookupAsync(SmsToSend sms, CancellationToken cancellationToken)
    {
        var dateSent = sms.FirstAttemptAt.UtcDateTime.AddDays(-1).ToString("yyyy-MM-dd");
        var url = $"{MessagesUrl}?To={Uri.EscapeDataString(sms.To)}&DateSent%3E={dateSent}&PageSize=100";
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = Basic(options);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(options.RequestTimeoutSeconds));
        using var response = await http.SendAsync(request, timeout.Token);
        response.EnsureSuccessStatusCode();
        var list = TryParse<MessageList>(await response.Content.ReadAsStringAsync(timeout.Token));
        var found = list?.Messages?.FirstOrDefault(m => m.Body == sms.Body && m.To == sms.To);
        return found?.Sid is null ? new LookupOutcome(false) : new LookupOutcome(true, found.Sid, found.Status);
    }

    private static AuthenticationHeaderValue Basic(NoticesOptions options) =>
        new("Basic", Convert.ToBase64String(Encoding.ASCII.GetBytes($"{options.TwilioAccountSid}:{options.TwilioAuthToken}")));

    /// <summary>Failures that happen before a byte of the request reached the server.</summary>
    internal static bool NeverReachedServer(HttpRequestException error) =>
        error.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused or SocketError.HostNotFound or SocketError.NetworkUnreachable
            or SocketError.HostUnreachable or SocketError.TryAgain or SocketError.AddressNotAvailable };

    private static T? TryParse<T>(string text) where T : class
    {
        try { return JsonSerializer.Deserialize<T>(text); }
        catch (JsonException) { return null; }
    }
}
