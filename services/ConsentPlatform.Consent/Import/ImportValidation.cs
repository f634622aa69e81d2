using System.Globalization;
using System.Net;
using ConsentPlatform.Consent.ConsentForms;
using ConsentPlatform.Consent.Gate;
using ConsentPlatform.Telephony;
using F = ConsentPlatform.Consent.Import.ImportFields;

namespace ConsentPlatform.Consent.Import;

/// <summary>A registration that passed every check; becomes one ledger row per channel.</summary>
public sealed record ValidRegistration(
    int Row, PhoneNumber Phone, string? Email, IReadOnlyList<string> Channels, string? Language, string Source, DateTimeOffset CollectedAt,
    string? TextShown, string? TextReference, string CaptureMethod, string Evidence, string? Ip, string? UserAgent, string? PageUrl,
    IReadOnlyList<string> ThirdParties);

public static class ImportValidation
{
    /// <summary>How the consent was captured. web_form captures must bring the browser's IP and user agent (R5).</summary>
    public static readonly string[] CaptureMethods = ["web_form", "paper_form", "phone_call", "in_person", "email", "system"];

    private static readonly DateTimeOffset Earliest = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Checks one row against the event; returns it validated, or null with every problem added to <paramref name="errors"/>.</summary>
    public static ValidRegistration? Validate(RawRegistration raw, EventView form, string region, DateTimeOffset now, List<ImportError> errors)
    {
        var before = errors.Count;
        errors.AddRange(raw.ShapeErrors);
        void Fail(string field, string message) => errors.Add(new ImportError(raw.Row, field, message));
        string? Value(string field) => raw.Fields.GetValueOrDefault(field) is { } v && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;
        string? Text(string field, int max, bool required, string what)
        {
            var value = Value(field);
            if (value is null) { if (required) Fail(field, $"{what} is required."); return null; }
            if (value.Length > max) { Fail(field, $"{what} is at most {max} characters."); return null; }
            return value;
        }

        var channels = (Value(F.Channels) ?? "").Split([' ', ',', ';', '|'], StringSplitOptions.RemoveEmptyEntries).Select(c => c.ToLowerInvariant()).ToList();
        if (channels.Count == 0) Fail(F.Channels, "Name the consented channels: call, sms and/or email.");
        else if (channels.FirstOrDefault(c => !Contracts.Channels.IsKnown(c)) is { } unknown) Fail(F.Channels, $"Unknown channel '{Truncate(unknown)}': use call, sms or email.");
        else if (channels.FirstOrDefault(c => !form.Channels.Contains(c)) is { } notOffered) Fail(F.Channels, $"The event's form does not offer {notOffered}; offer it on the form first or import into another event.");
        else if (channels.Distinct().Count() != channels.Count) Fail(F.Channels, "A channel is listed twice.");

        PhoneNumber phone = default;
        if (Value(F.Phone) is { } rawPhone)
        {
            var parsed = PhoneNumbers.Parse(rawPhone, region);
            if (!parsed.IsValid) Fail(F.Phone, $"The phone number is not valid: {parsed.ErrorMessage}");
            else if (channels.Contains(Contracts.Channels.Sms) && !parsed.Number.CanReceiveSms) Fail(F.Phone, "This number cannot receive SMS, so it cannot consent to sms.");
            else phone = parsed.Number;
        }
        else if (channels.Any(c => c is Contracts.Channels.Call or Contracts.Channels.Sms)) Fail(F.Phone, "A phone number is required for call or sms.");

        string? email = null;
        if (Value(F.Email) is { } rawEmail)
        {
            if (CheckInput.EmailError(rawEmail) is { } message) Fail(F.Email, message);
            else email = PhoneNumberHasher.NormalizeEmail(rawEmail);
        }
        else if (channels.Contains(Contracts.Channels.Email)) Fail(F.Email, "An email address is required for email.");

        var language = Value(F.Language)?.ToLowerInvariant();
        if (language is not (null or "ja" or "en")) Fail(F.Language, "The language is ja or en.");

        var source = Text(F.Source, 200, true, "The source (the event, campaign or system where the consent was given)");
        DateTimeOffset collectedAt = default;
        if (Value(F.CollectedAt) is not { } rawCollected) Fail(F.CollectedAt, "When the consent was given is required (ISO 8601, e.g. 2025-10-01T10:30:00+09:00 or 2025-10-01).");
        else if (!TryParseTime(rawCollected, out collectedAt)) Fail(F.CollectedAt, "Not a date: use ISO 8601 with an offset (2025-10-01T10:30:00+09:00) or a date (2025-10-01).");
        else if (collectedAt > now.AddMinutes(5) || collectedAt < Earliest) Fail(F.CollectedAt, "The date must be between 2000-01-01 and now.");

        var textShown = Text(F.TextShown, EventInput.MaxTextLength, false, "The text shown");
        var textReference = Text(F.TextReference, 500, false, "The text reference");
        if (textShown is null && textReference is null && !errors.Skip(before).Any(e => e.Field is F.TextShown or F.TextReference))
            Fail(F.TextShown, "Give the consent text the person was shown (text_shown) or where it can be found (text_reference).");

        var method = Value(F.CaptureMethod)?.ToLowerInvariant();
        if (method is null) Fail(F.CaptureMethod, $"How the consent was captured is required: {string.Join(", ", CaptureMethods)}.");
        else if (!CaptureMethods.Contains(method)) Fail(F.CaptureMethod, $"Unknown capture method '{Truncate(method)}': use {string.Join(", ", CaptureMethods)}.");

        var evidence = Text(F.Evidence, 500, true, "The evidence (the paper, scan or system the consent is recorded in)");
        var ip = Value(F.Ip);
        if (ip is not null && (ip.Length > 45 || !IPAddress.TryParse(ip, out _))) Fail(F.Ip, "Not an IP address.");
        else if (ip is null && method == "web_form") Fail(F.Ip, "A web_form capture needs the IP address it was submitted from.");
        var userAgent = Text(F.UserAgent, 500, method == "web_form", "The user agent (required for web_form captures)");
        var pageUrl = Value(F.PageUrl);
        if (pageUrl is not null && (pageUrl.Length > 1000 || !Uri.TryCreate(pageUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http")))
            Fail(F.PageUrl, "Not an http(s) URL of at most 1000 characters.");

        var thirdParties = (Value(F.ThirdParties) ?? "").Split('|', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct().ToList();
        if (thirdParties.FirstOrDefault(t => !form.ThirdParties.Contains(t)) is { } unnamed)
            Fail(F.ThirdParties, $"'{Truncate(unnamed)}' is not a recipient named on the event's form; name it there first (R9: consent to share names the recipient).");

        if (errors.Count > before) return null;
        return new ValidRegistration(raw.Row, phone, email, channels, language, source!, collectedAt, textShown, textReference, method!, evidence!, ip, userAgent, pageUrl, thirdParties);
    }

    private static bool TryParseTime(string value, out DateTimeOffset time)
    {
        if (DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            time = new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            return true;
        }
        // A time without an offset is ambiguous by up to a day; refuse it rather than guess.
        var hasOffset = value.EndsWith('Z') || value.EndsWith('z') || (value.Length > 6 && value[^6] is '+' or '-' && value[^3] == ':');
        return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.None, out time) && hasOffset && value.Contains('T');
    }

    private static string Truncate(string value) => value.Length > 40 ? value[..40] + "…" : value;
}
