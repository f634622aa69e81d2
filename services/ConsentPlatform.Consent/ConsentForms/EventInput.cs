using ConsentPlatform.ServiceDefaults.Web;
using ConsentPlatform.Consent.Gate;
using ConsentPlatform.Contracts;

namespace ConsentPlatform.Consent.ConsentForms;

/// <summary>Words in both languages the form offers.</summary>
public sealed record LocalizedText
{
    [MultilineText]
    public string? Ja { get; init; }
    [MultilineText]
    public string? En { get; init; }

    public string? For(string language) => language == "ja" ? Ja : En;
}

/// <summary>An event and its consent form as the organizer writes it. Validated field by field so errors name the field.</summary>
public sealed record EventInput
{
    public string? Title { get; init; }
    public DateOnly? StartsOn { get; init; }
    public DateOnly? EndsOn { get; init; }
    /// <summary>Short code the gate matches ("seminar-followup").</summary>
    public string? Purpose { get; init; }
    /// <summary>The purpose of use as people read it on the form (APPI purpose notice).</summary>
    public LocalizedText? PurposeText { get; init; }
    public IReadOnlyList<string>? Channels { get; init; }
    /// <summary>Consent text per offered channel.</summary>
    public Dictionary<string, LocalizedText>? Texts { get; init; }
    public string? SenderLegalName { get; init; }
    public int? LifetimeMonths { get; init; }
    public IReadOnlyList<string>? AllowedOrigins { get; init; }
    /// <summary>Named third-party recipients (R9); each gets its own, separate box.</summary>
    public IReadOnlyList<string>? ThirdParties { get; init; }

    public static readonly string[] Languages = ["ja", "en"];
    public const int MaxTextLength = 2_000;

    public Dictionary<string, string[]> Validate()
    {
        var errors = new Dictionary<string, string[]>();
        void Fail(string field, string message) => errors[field] = [message];

        if (string.IsNullOrWhiteSpace(Title) || Title.Trim().Length > 200) Fail("title", "The title is required (at most 200 characters).");
        if (StartsOn is { } start && EndsOn is { } end && end < start) Fail("endsOn", "The event cannot end before it starts.");
        if (CheckInput.PurposeError(Purpose) is { } purposeError) Fail("purpose", purposeError);
        foreach (var language in Languages)
            if (PurposeText?.For(language) is not { Length: > 0 and <= MaxTextLength } text || string.IsNullOrWhiteSpace(text))
                Fail($"purposeText.{language}", $"The purpose of use in {language} is required (at most {MaxTextLength} characters).");

        if (Channels is not { Count: > 0 }) Fail("channels", "Offer at least one channel: call, sms or email.");
        else if (Channels.FirstOrDefault(c => !Contracts.Channels.IsKnown(c)) is { } unknown) Fail("channels", $"Unknown channel '{Truncate(unknown)}': use call, sms or email.");
        else if (Channels.Distinct().Count() != Channels.Count) Fail("channels", "A channel is listed twice.");
        else
        {
            foreach (var channel in Channels)
                foreach (var language in Languages)
                    if (Texts?.GetValueOrDefault(channel)?.For(language) is not { Length: > 0 and <= MaxTextLength } text || string.IsNullOrWhiteSpace(text))
                        Fail($"texts.{channel}.{language}", $"The {channel} consent text in {language} is required (at most {MaxTextLength} characters).");
            if (Texts?.Keys.FirstOrDefault(k => !Channels.Contains(k)) is { } extra) Fail($"texts.{Truncate(extra)}", "There is a text for a channel the form does not offer.");
        }

        if (string.IsNullOrWhiteSpace(SenderLegalName) || SenderLegalName.Trim().Length > 200) Fail("senderLegalName", "The sender's legal name is required (at most 200 characters): it is shown on the form.");
        if (LifetimeMonths is not (>= 1 and <= 120)) Fail("lifetimeMonths", "The consent lifetime must be 1-120 months.");
        if (AllowedOrigins is { Count: > 20 }) Fail("allowedOrigins", "At most 20 origins.");
        else if (AllowedOrigins?.FirstOrDefault(o => NormalizeOrigin(o) is null) is { } badOrigin) Fail("allowedOrigins", $"'{Truncate(badOrigin)}' is not an origin like https://events.example.com (scheme, host and optional port only).");
        if (ThirdParties is { Count: > 10 }) Fail("thirdParties", "At most 10 named recipients.");
        else if (ThirdParties?.Any(t => string.IsNullOrWhiteSpace(t) || t.Trim().Length > 200 || t.Contains('\n')) == true) Fail("thirdParties", "Each recipient is a name of 1-200 characters on one line.");
        return errors;
    }

    /// <summary>"https://Events.Example.com:443/" → "https://events.example.com"; null when not an origin.</summary>
    public static string? NormalizeOrigin(string? value)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Length > 200 || !Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri)) return null;
        if (uri.Scheme is not ("https" or "http") || uri.AbsolutePath != "/" || uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0) return null;
        return uri.IsDefaultPort ? $"{uri.Scheme}://{uri.IdnHost}" : $"{uri.Scheme}://{uri.IdnHost}:{uri.Port}";
    }

    private static string Truncate(string value) => value.Length > 40 ? value[..40] + "…" : value;
}
