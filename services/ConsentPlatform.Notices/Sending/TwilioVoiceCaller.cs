using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ConsentPlatform.Notices.Sending;

/// <summary>
/// Twilio's Calls API over HttpClient: a form POST of To, From and inline Twiml with basic auth;
/// the answer (201) is the Call resource with its sid (CA…) and status (queued). Failures are
/// classified as for SMS (<see cref="TwilioSender.Classify"/>): 429/503/connection refused may be
/// tried again, a timeout or a 5xx after the request went out may not.
/// </summary>
public sealed class TwilioVoiceCaller(HttpClient http, NoticesOptions options, ILogger<TwilioVoiceCaller> logger) : IVoiceCaller
{
    private string CallsUrl => $"{options.TwilioBaseUrl}/2010-04-01/Accounts/{Uri.EscapeDataString(options.TwilioAccountSid!)}/Calls.json";

    private sealed record CallResource([property: JsonPropertyName("sid")] string? Sid, [property: JsonPropertyName("status")] string? Status);

    public async Task<SendOutcome> PlaceAsync(VoiceCall call, CancellationToken cancellationToken)
    {
        var form = new List<KeyValuePair<string, string>>
        {
            new("To", call.To), new("From", options.VoiceFrom!), new("Twiml", VoiceScript.Twiml(call.Code, call.Language)),
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, CallsUrl) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.ASCII.GetBytes($"{options.TwilioAccountSid}:{options.TwilioAuthToken}")));
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
        catch (HttpRequestException error) when (TwilioSender.NeverReachedServer(error))
        {
            return SendOutcome.Retry("connection_refused");
        }
        catch (HttpRequestException error)
        {
            logger.LogWarning("Twilio call request {RequestId} ended without an answer: {Error}", call.RequestId, error.GetType().Name);
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
                return response.IsSuccessStatusCode ? SendOutcome.Unknown("truncated_response") : TwilioSender.Classify(response, null);
            }
            if (response.IsSuccessStatusCode)
            {
                var resource = TryParse<CallResource>(text);
                return resource?.Sid is { Length: > 0 } sid ? SendOutcome.Accepted(sid, resource.Status) : SendOutcome.Unknown("unreadable_response");
            }
            return TwilioSender.Classify(response, TryParse<TwilioSender.ErrorResource>(text));
        }
    }

    private static T? TryParse<T>(string text) where T : class
    {
        try { return JsonSerializer.Deserialize<T>(text); }
        catch (JsonException) { return null; }
    }
}
