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

    public async Task<SendOutcome> PlaceAsync(VoiceCall call, CancellationToken cancellationToken)
    {
        var form = new List<KeyValuePair<string, string>>
        {
            new("To", call.To), new("From", options.VoiceFrom!), new("Twiml", VoiceScript.Twiml(call.Code, call.Language)),
        };
        return await TwilioSender.CreateAsync(http, CallsUrl, form, options, cancellationToken,
            error => logger.LogWarning("Twilio call request {RequestId} ended without an answer: {Error}", call.RequestId, error.GetType().Name));
    }
}
