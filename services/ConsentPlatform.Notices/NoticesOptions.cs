using System.Globalization;
using ConsentPlatform.ServiceDefaults;

namespace ConsentPlatform.Notices;

public enum SmsProvider { DevInbox, Twilio }

/// <summary>
/// Notices' own settings, read by hand like <see cref="PlatformOptions"/> so a bad value becomes a
/// start-up message naming its key rather than an exception.
/// </summary>
public sealed class NoticesOptions
{
    public string ShortLinkBaseUrl { get; init; } = "http://localhost:5000/r/";
    public int ShortCodeLength { get; init; } = 10;

    /// <summary>How long after its call's planned time a pre-call notice may still go out; later it would announce a call already made.</summary>
    public int PreCallGraceMinutes { get; init; } = 10;
    /// <summary>Where the provider reaches our webhooks (StatusCallback, signature URL); null: the request's own host.</summary>
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
        var errors = new List<string>();

        int Int(string key, int fallback, int min, int max)
        {
            var raw = config[key];
            if (string.IsNullOrWhiteSpace(raw)) return fallback;
            if (int.TryParse(raw.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max) return v;
            errors.Add($"{key}: '{raw}' is not valid; expected a whole number {min}-{max}.");
            return fallback;
        }

        decimal Decimal(string key, decimal fallback, decimal min, decimal max)
        {
            var raw = config[key];
            if (string.IsNullOrWhiteSpace(raw)) return fallback;
            if (decimal.TryParse(raw.Trim(), NumberStyles.Number, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max) return v;
            errors.Add($"{key}: '{raw}' is not valid; expected a number {min}-{max}.");
            return fallback;
        }

        int Time(string key, int fallback)
        {
            var raw = config[key];
            if (string.IsNullOrWhiteSpace(raw)) return fallback;
            if (TimeOnly.TryParseExact(raw.Trim(), "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var t)) return t.Hour * 60 + t.Minute;
            errors.Add($"{key}: '{raw}' is not valid; expected a local time HH:mm.");
            return fallback;
        }

        string? Url(string key, string? fallback)
        {
            var raw = config[key];
            if (string.IsNullOrWhiteSpace(raw)) return fallback;
            if (Uri.TryCreate(raw.Trim(), UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https") return raw.Trim();
            errors.Add($"{key}: '{raw}' is not valid; expected an absolute http(s) URL.");
            return fallback;
        }

        var provider = SmsProvider.DevInbox;
        if (config["Sms:Provider"] is { Length: > 0 } rawProvider)
        {
            if (Enum.TryParse<SmsProvider>(rawProvider.Trim(), ignoreCase: true, out var p) && Enum.IsDefined(p) && !int.TryParse(rawProvider, out _)) provider = p;
            else errors.Add($"Sms:Provider: '{rawProvider}' is not valid; expected DevInbox or Twilio.");
        }

        var emailProvider = Sending.EmailProvider.DevInbox;
        if (config["Notices:Email:Provider"] is { Length: > 0 } rawEmail)
        {
            if (Enum.TryParse<Sending.EmailProvider>(rawEmail.Trim(), ignoreCase: true, out var e) && Enum.IsDefined(e) && !int.TryParse(rawEmail, out _)) emailProvider = e;
            else errors.Add($"Notices:Email:Provider: '{rawEmail}' is not valid; expected DevInbox or Smtp.");
        }
        var smtpSsl = true;
        if (config["Notices:Smtp:EnableSsl"] is { Length: > 0 } rawSsl && !bool.TryParse(rawSsl.Trim(), out smtpSsl))
            errors.Add($"Notices:Smtp:EnableSsl: '{rawSsl}' is not valid; expected true or false.");

        var shortLink = Url("Notices:ShortLinkBaseUrl", "http://localhost:5000/r/")!;
        var options = new NoticesOptions
        {
            ShortLinkBaseUrl = shortLink,
            ShortCodeLength = Int("Notices:ShortCodeLength", 10, 8, 32),
            PreCallGraceMinutes = Int("Notices:PreCallGraceMinutes", 10, 1, 1440),
            PublicBaseUrl = Url("Notices:PublicBaseUrl", null)?.TrimEnd('/'),
            DefaultWindowStartMinutes = Time("Notices:QuietHours:AllowedFrom", 8 * 60),
            DefaultWindowEndMinutes = Time("Notices:QuietHours:AllowedUntil", 21 * 60),
            DefaultFrequencyCap = Int("Notices:FrequencyCap:Count", 3, 1, 1000),
            DefaultFrequencyHours = Int("Notices:FrequencyCap:WindowHours", 24, 1, 24 * 90),
            DefaultMaxSegments = Int("Notices:MaxSegments", 3, 1, 10),
            CostPerSegment = Decimal("Notices:CostPerSegment", 0.08m, 0m, 100m),
            CostCurrency = config["Notices:CostCurrency"] is { Length: > 0 } currency ? currency.Trim() : "USD",
            Provider = provider,
            TwilioAccountSid = Clean(config["Sms:Twilio:AccountSid"]),
            TwilioAuthToken = Clean(config["Sms:Twilio:AuthToken"]),
            TwilioFrom = Clean(config["Sms:Twilio:From"]),
            TwilioMessagingServiceSid = Clean(config["Sms:Twilio:MessagingServiceSid"]),
            TwilioBaseUrl = Url("Sms:Twilio:BaseUrl", "https://api.twilio.com")!.TrimEnd('/'),
            RequestTimeoutSeconds = Int("Sms:RequestTimeoutSeconds", 10, 1, 120),
            RatePerSecond = (double)Decimal("Sms:RatePerSecond", 10m, 0.1m, 10_000m),
            RateJitterMilliseconds = Int("Sms:RateJitterMilliseconds", 20, 2, 500),
            SendConcurrency = Int("Sms:SendConcurrency", 8, 1, 64),
            MaxAttempts = Int("Sms:MaxAttempts", 8, 1, 100),
            PollMilliseconds = Int("Sms:PollMilliseconds", 200, 10, 60_000),
            LookupGiveUpSeconds = Int("Sms:LookupGiveUpSeconds", 600, 5, 7 * 24 * 3600),
            // A call needs a number as caller id (an alphanumeric sender or a messaging service cannot call).
            VoiceFrom = Clean(config["Voice:Twilio:From"]) ?? (Clean(config["Sms:Twilio:From"]) is { } smsFrom && IsE164(smsFrom) ? smsFrom : null),
            VoiceCallsPerSecond = (double)Decimal("Voice:CallsPerSecond", 1m, 0.1m, 1_000m),
            EmailProvider = emailProvider,
            SmtpHost = Clean(config["Notices:Smtp:Host"]),
            SmtpPort = Int("Notices:Smtp:Port", 587, 1, 65535),
            SmtpEnableSsl = smtpSsl,
            SmtpUserName = Clean(config["Notices:Smtp:UserName"]),
            SmtpPassword = Clean(config["Notices:Smtp:Password"]),
            SmtpFrom = Clean(config["Notices:Smtp:From"]),
            SmtpTimeoutSeconds = Int("Notices:Smtp:TimeoutSeconds", 30, 1, 300),
            Errors = errors,
        };

        if (emailProvider == Sending.EmailProvider.Smtp)
        {
            if (options.SmtpHost is null) errors.Add("Notices:Smtp:Host is missing: Notices:Email:Provider is Smtp.");
            if (options.SmtpFrom is null) errors.Add("Notices:Smtp:From is missing: Notices:Email:Provider is Smtp, and mail needs a sender address.");
            else if (!System.Net.Mail.MailAddress.TryCreate(options.SmtpFrom, out _)) errors.Add($"Notices:Smtp:From: '{options.SmtpFrom}' is not a valid email address.");
        }

        if (!shortLink.EndsWith('/') && !shortLink.EndsWith('='))
            errors.Add($"Notices:ShortLinkBaseUrl: '{shortLink}' must end with '/' (or '=') so the code can be appended.");
        if (options.DefaultWindowStartMinutes >= options.DefaultWindowEndMinutes)
            errors.Add("Notices:QuietHours:AllowedFrom must be earlier than Notices:QuietHours:AllowedUntil.");
        if (provider == SmsProvider.Twilio)
        {
            if (options.TwilioAccountSid is null) errors.Add("Sms:Twilio:AccountSid is missing: Sms:Provider is Twilio.");
            if (options.TwilioAuthToken is null) errors.Add("Sms:Twilio:AuthToken is missing: Sms:Provider is Twilio.");
            if (options.TwilioFrom is null && options.TwilioMessagingServiceSid is null)
                errors.Add("Sms:Twilio:From or Sms:Twilio:MessagingServiceSid is missing: Sms:Provider is Twilio, and Twilio needs a sender.");
            if (options.PublicBaseUrl is null)
                errors.Add("Notices:PublicBaseUrl is missing: Sms:Provider is Twilio, which needs it for StatusCallback and to check X-Twilio-Signature.");
            if (options.TwilioFrom is { } from && !(Telephony.PhoneNumbers.TryParse(from, out var parsed) && parsed.E164 == from) && !from.All(c => char.IsAsciiLetterOrDigit(c)))
                errors.Add($"Sms:Twilio:From: '{from}' is not valid; expected an E.164 number (+81…) or an alphanumeric sender id.");
            if (options.VoiceFrom is null)
                errors.Add("Voice:Twilio:From is missing: Sms:Provider is Twilio, verification calls to landlines need a caller id number (E.164, +81…), "
                    + "and Sms:Twilio:From is not one to fall back on.");
            else if (!IsE164(options.VoiceFrom))
                errors.Add($"Voice:Twilio:From: '{options.VoiceFrom}' is not valid; expected an E.164 number (+81…): a verification call needs a number as caller id.");
        }
        return options;
    }

    private static bool IsE164(string value) => Telephony.PhoneNumbers.TryParse(value, out var parsed) && parsed.E164 == value;

    private static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    /// <summary>The identity the pacing row is kept under: one provider account and sender share one limit.</summary>
    public string SenderKey => Provider == SmsProvider.Twilio
        ? $"twilio:{TwilioAccountSid}:{TwilioMessagingServiceSid ?? TwilioFrom}"
        : "devinbox";

    /// <summary>The pacing row of verification calls: Twilio limits calls per second per account, apart from SMS.</summary>
    public string VoiceSenderKey => Provider == SmsProvider.Twilio ? $"voice:twilio:{TwilioAccountSid}" : "voice:devinbox";
}

/// <summary>Stops start-up with every Notices setting that is wrong, named by its key.</summary>
internal sealed class NoticesOptionsCheck(NoticesOptions options) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) =>
        options.Errors.Count > 0 ? throw new PlatformStartupException(string.Join(Environment.NewLine, options.Errors)) : Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
