using System.Net.Mail;
using System.Text.RegularExpressions;
using ConsentPlatform.Contracts;
using ConsentPlatform.Telephony;

namespace ConsentPlatform.Consent.Gate;

/// <summary>The body of POST /api/consent/checks. Validated field by field so errors name the field.</summary>
public sealed partial record CheckInput
{
    public string? PhoneNumber { get; init; }
    public string? Email { get; init; }
    public string? Channel { get; init; }
    public string? Purpose { get; init; }
    public DateTimeOffset? At { get; init; }
    /// <summary>Region a national phone number is read in (ISO 3166-1); the organization's own when absent.</summary>
    public string? DefaultRegion { get; init; }

    public CheckQuery? Validate(string organizationId, string organizationRegion, Dictionary<string, string[]> errors)
    {
        void Fail(string field, string message) => errors[field] = [message];

        var region = string.IsNullOrWhiteSpace(DefaultRegion) ? organizationRegion : DefaultRegion.Trim();
        if (!Telephony.PhoneNumbers.IsSupportedRegion(region)) Fail("defaultRegion", "The default region must be an ISO 3166-1 code with a numbering plan (JP, US, GB …).");

        if (string.IsNullOrWhiteSpace(Channel)) Fail("channel", "The channel is required: call, sms or email.");
        else if (!Channels.IsKnown(Channel)) Fail("channel", "The channel must be one of call, sms, email.");
        var purposeError = PurposeError(Purpose);
        if (purposeError is not null) Fail("purpose", purposeError);

        var number = default(PhoneNumber);
        if (!string.IsNullOrWhiteSpace(PhoneNumber) && !errors.ContainsKey("defaultRegion"))
        {
            var parsed = PhoneNumbers.Parse(PhoneNumber, region);
            if (parsed.IsValid) number = parsed.Number;
            else Fail("phoneNumber", $"The phone number is not valid: {parsed.ErrorMessage}");
        }
        else if (Channel is Channels.Call or Channels.Sms)
        {
            Fail("phoneNumber", "A phone number is required for the call and sms channels.");
        }

        string? email = null;
        if (!string.IsNullOrWhiteSpace(Email))
        {
            if (EmailError(Email) is { } message) Fail("email", message);
            else email = Email.Trim();
        }
        else if (Channel == Channels.Email && string.IsNullOrWhiteSpace(PhoneNumber))
        {
            Fail("email", "Give the email address (or the phone number given with it) for the email channel.");
        }

        return errors.Count > 0 ? null : new CheckQuery(organizationId, number, email, Channel!, Purpose!.Trim(), At);
    }

    /// <summary>A purpose is a short code ("seminar-followup"); the words people read are on the form.</summary>
    public static string? PurposeError(string? purpose) =>
        string.IsNullOrWhiteSpace(purpose) ? "The purpose is required."
        : !PurposePattern().IsMatch(purpose.Trim()) ? "The purpose must be 1-64 characters of a-z, 0-9, '.', '_', ':' or '-'."
        : null;

    public static string? EmailError(string email) =>
        email.Length > 254 || !MailAddress.TryCreate(email.Trim(), out var address) || address.Address != email.Trim()
            ? "The email is not a valid address." : null;

    [GeneratedRegex("^[a-z0-9][a-z0-9._:-]{0,63}$")]
    private static partial Regex PurposePattern();
}
