using ConsentPlatform.ServiceDefaults;

namespace ConsentPlatform.Notices;

public enum SmsProvider { DevInbox, Twilio }

/// <summary>
/// Notices' own settings, read with the platform's <see cref="SettingsReader"/> so a bad value becomes a
/// start-up message naming its key rather than an exception.
/// </summary>
public sealed class NoticesOptions : ICheckedSettings
{
    /// <summary>Prefix of the short links where Responses is public elsewhere; null: see <see cref="Templates.ShortLinks"/>.</summary>
    public string? ShortLinkBaseUrl { get; init; }
    public int ShortCodeLength { get; init; } = 10;

    /// <summary>How long after its call's planned time a pre-call notice may still go out; later it would announce a call already made.</summary>
    public int PreCallGraceMinutes { get; init; } = 10;
    /// <summary>How long before its call's planned time the pre-call notice goes out; a call planned sooner than this gets its notice at once.</summary>
    public int PreCallLeadMinutes { get; init; } = 15;
    /// <summary>How far ahead a call may be planned.</summary>
    public int MaxPlanAheadDays { get; init; } = 90;
    /// <summary>The platform's public address: where the provider reaches our webhooks (StatusCallback, signature URL) and, unless
    /// ShortLinkBaseUrl says otherwise, where short links point; null: the request's own host and the listening address.</summary>
    public string? PublicBaseUrl { get; init; }
    public int DefaultWindowStartMinutes { get; init; } = 8 * 60;
    public int DefaultWindowEndMinutes { get; init; } = 21 * 60;
    public int DefaultFrequencyCap { get; init; } = 3;
    public int DefaultFrequencyHours { get; init; } = 24;
    public int DefaultMaxSegments { get; init; } = 3;
    public decimal CostPerSegment { get; init; } = 0.08m;
    public string CostCurrency { get; init; } = "USD";

    public SmsProvider Provider { get; init; } = SmsProvider.DevInbox;
    public string? TwilioAccountSid { get; init; }
    public string? TwilioAuthToken { get; init; }
    public string? TwilioFrom { get; init; }
    public string? TwilioMessagingServiceSid { get; init; }
    public string TwilioBaseUrl { get; init; } = "https://api.twilio.com";
    public int RequestTimeoutSeconds { get; init; } = 10;
    /// <summary>Sends per second per sender, across every instance.</summary>
    public double RatePerSecond { get; init; } = 10;
    /// <summary>
    /// How much the moment a request reaches the provider may vary (our wake-up plus the network), in ms. Slots are
    /// spaced (1000 + this) / RatePerSecond apart so the provider never sees more than RatePerSecond in a sliding second;
    /// the sender sustains RatePerSecond × 1000 / (1000 + this).
    /// </summary>
    public int RateJitterMilliseconds { get; init; } = 20;
    /// <summary>Sends in flight per instance. Each holds at most one reserved rate slot, so too few cannot fill the rate when the database is slow.</summary>
    public int SendConcurrency { get; init; } = 8;
    public int MaxAttempts { get; init; } = 8;
    public int PollMilliseconds { get; init; } = 200;
    /// <summary>How long a message whose outcome is unknown is looked up before it is marked failed (never re-sent).</summary>
    public int LookupGiveUpSeconds { get; init; } = 600;

    /// <summary>The caller id of verification calls (E.164); Sms:Twilio:From when that is a number.</summary>
    public string? VoiceFrom { get; init; }
    /// <summary>Calls started per second per provider account, across every instance (Twilio's default CPS is 1).</summary>
    public double VoiceCallsPerSecond { get; init; } = 1;

    /// <summary>How one-time codes for email go out: the dev inbox (embedded default) or SMTP.</summary>
    public Sending.EmailProvider EmailProvider { get; init; } = Sending.EmailProvider.DevInbox;
    public string? SmtpHost { get; init; }
    public int SmtpPort { get; init; } = 587;
    public bool SmtpEnableSsl { get; init; } = true;
    public string? SmtpUserName { get; init; }
    public string? SmtpPassword { get; init; }
    public string? SmtpFrom { get; init; }
    public int SmtpTimeoutSeconds { get; init; } = 30;

    public IReadOnlyList<string> Errors { get; init; } = [];

    public static NoticesOptions Read(IConfiguration config)
    {
        var read = new SettingsReader(config);
        var provider = read.Enum("Sms:Provider", SmsProvider.DevInbox);
        var emailProvider = read.Enum("Notices:Email:Provider", Sending.EmailProvider.DevInbox);

        var shortLink = read.Url("Notices:ShortLinkBaseUrl", null);
        var options = new NoticesOptions
        {
            ShortLinkBaseUrl = shortLink,
            ShortCodeLength = read.Int("Notices:ShortCodeLength", 10, 8, 32),
            PreCallGraceMinutes = read.Int("Notices:PreCallGraceMinutes", 10, 1, 1440),
            PreCallLeadMinutes = read.Int("Notices:PreCallLeadMinutes", 15, 0, 1440),
            MaxPlanAheadDays = read.Int("Notices:MaxPlanAheadDays", 90, 1, 366),
            PublicBaseUrl = read.Url("Notices:PublicBaseUrl", null)?.TrimEnd('/'),
            DefaultWindowStartMinutes = read.TimeOfDay("Notices:QuietHours:AllowedFrom", 8 * 60),
            DefaultWindowEndMinutes = read.TimeOfDay("Notices:QuietHours:AllowedUntil", 21 * 60),
            DefaultFrequencyCap = read.Int("Notices:FrequencyCap:Count", 3, 1, 1000),
            DefaultFrequencyHours = read.Int("Notices:FrequencyCap:WindowHours", 24, 1, 24 * 90),
            DefaultMaxSegments = read.Int("Notices:MaxSegments", 3, 1, 10),
            CostPerSegment = read.Decimal("Notices:CostPerSegment", 0.08m, 0m, 100m),
            CostCurrency = read.Text("Notices:CostCurrency") ?? "USD",
            Provider = provider,
            TwilioAccountSid = read.Text("Sms:Twilio:AccountSid"),
            TwilioAuthToken = read.Text("Sms:Twilio:AuthToken"),
            TwilioFrom = read.Text("Sms:Twilio:From"),
            TwilioMessagingServiceSid = read.Text("Sms:Twilio:MessagingServiceSid"),
            TwilioBaseUrl = read.Url("Sms:Twilio:BaseUrl", "https://api.twilio.com")!.TrimEnd('/'),
            RequestTimeoutSeconds = read.Int("Sms:RequestTimeoutSeconds", 10, 1, 120),
            RatePerSecond = (double)read.Decimal("Sms:RatePerSecond", 10m, 0.1m, 10_000m),
            RateJitterMilliseconds = read.Int("Sms:RateJitterMilliseconds", 20, 2, 500),
            SendConcurrency = read.Int("Sms:SendConcurrency", 8, 1, 64),
            MaxAttempts = read.Int("Sms:MaxAttempts", 8, 1, 100),
            PollMilliseconds = read.Int("Sms:PollMilliseconds", 200, 10, 60_000),
            LookupGiveUpSeconds = read.Int("Sms:LookupGiveUpSeconds", 600, 5, 7 * 24 * 3600),
            // A call needs a number as caller id (an alphanumeric sender or a messaging service cannot call).
            VoiceFrom = read.Text("Voice:Twilio:From") ?? (read.Text("Sms:Twilio:From") is { } smsFrom && IsE164(smsFrom) ? smsFrom : null),
            VoiceCallsPerSecond = (double)read.Decimal("Voice:CallsPerSecond", 1m, 0.1m, 1_000m),
            EmailProvider = emailProvider,
            SmtpHost = read.Text("Notices:Smtp:Host"),
            SmtpPort = read.Int("Notices:Smtp:Port", 587, 1, 65535),
            SmtpEnableSsl = read.Bool("Notices:Smtp:EnableSsl", true),
            SmtpUserName = read.Text("Notices:Smtp:UserName"),
            SmtpPassword = read.Text("Notices:Smtp:Password"),
            SmtpFrom = read.Text("Notices:Smtp:From"),
            SmtpTimeoutSeconds = read.Int("Notices:Smtp:TimeoutSeconds", 30, 1, 300),
            Errors = read.Errors,
        };

        if (emailProvider == Sending.EmailProvider.Smtp)
        {
            if (options.SmtpHost is null) read.Fail("Notices:Smtp:Host is missing: Notices:Email:Provider is Smtp.");
            if (options.SmtpFrom is null) read.Fail("Notices:Smtp:From is missing: Notices:Email:Provider is Smtp, and mail needs a sender address.");
            else if (!System.Net.Mail.MailAddress.TryCreate(options.SmtpFrom, out _)) read.Fail($"Notices:Smtp:From: '{options.SmtpFrom}' is not a valid email address.");
        }

        if (shortLink is not null && !shortLink.EndsWith('/') && !shortLink.EndsWith('='))
            read.Fail($"Notices:ShortLinkBaseUrl: '{shortLink}' must end with '/' (or '=') so the code can be appended.");
        if (options.DefaultWindowStartMinutes >= options.DefaultWindowEndMinutes)
            read.Fail("Notices:QuietHours:AllowedFrom must be earlier than Notices:QuietHours:AllowedUntil.");
        if (provider == SmsProvider.Twilio)
        {
            if (options.TwilioAccountSid is null) read.Fail("Sms:Twilio:AccountSid is missing: Sms:Provider is Twilio.");
            if (options.TwilioAuthToken is null) read.Fail("Sms:Twilio:AuthToken is missing: Sms:Provider is Twilio.");
            if (options.TwilioFrom is null && options.TwilioMessagingServiceSid is null)
                read.Fail("Sms:Twilio:From or Sms:Twilio:MessagingServiceSid is missing: Sms:Provider is Twilio, and Twilio needs a sender.");
            if (options.PublicBaseUrl is null)
                read.Fail("Notices:PublicBaseUrl is missing: Sms:Provider is Twilio, which needs it for StatusCallback and to check X-Twilio-Signature.");
            // Real people get these links on their phones: a loopback or plain-http address is dead or readable on the way.
            foreach (var (key, url) in new[] { ("Notices:ShortLinkBaseUrl", shortLink), ("Notices:PublicBaseUrl", options.ShortLinkBaseUrl is null ? options.PublicBaseUrl : null) })
            {
                if (url is not null && !IsPublicHttps(url))
                    read.Fail($"{key}: '{url}' cannot be the base of short links sent by Twilio; expected an https URL that is not a loopback address.");
            }
            if (options.TwilioFrom is { } from && !(Telephony.PhoneNumbers.TryParse(from, out var parsed) && parsed.E164 == from) && !from.All(c => char.IsAsciiLetterOrDigit(c)))
                read.Fail($"Sms:Twilio:From: '{from}' is not valid; expected an E.164 number (+81…) or an alphanumeric sender id.");
            if (options.VoiceFrom is null)
                read.Fail("Voice:Twilio:From is missing: Sms:Provider is Twilio, verification calls to landlines need a caller id number (E.164, +81…), "
                    + "and Sms:Twilio:From is not one to fall back on.");
            else if (!IsE164(options.VoiceFrom))
                read.Fail($"Voice:Twilio:From: '{options.VoiceFrom}' is not valid; expected an E.164 number (+81…): a verification call needs a number as caller id.");
        }
        return options;
    }

    private static bool IsPublicHttps(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme == "https" && !uri.IsLoopback;

    private static bool IsE164(string value) => Telephony.PhoneNumbers.TryParse(value, out var parsed) && parsed.E164 == value;

    /// <summary>The identity the pacing row is kept under: one provider account and sender share one limit.</summary>
    public string SenderKey => Provider == SmsProvider.Twilio
        ? $"twilio:{TwilioAccountSid}:{TwilioMessagingServiceSid ?? TwilioFrom}"
        : "devinbox";

    /// <summary>The pacing row of verification calls: Twilio limits calls per second per account, apart from SMS.</summary>
    public string VoiceSenderKey => Provider == SmsProvider.Twilio ? $"voice:twilio:{TwilioAccountSid}" : "voice:devinbox";
}
