using ConsentPlatform.ServiceDefaults.Web;
using System.Net.Mail;
using ConsentPlatform.Telephony;

namespace ConsentPlatform.Directory.Organizations;

/// <summary>What an organization may publish about itself. Validated field by field so errors name the field.</summary>
public sealed record ProfileInput
{
    public string? LegalName { get; init; }
    public string? Address { get; init; }
    public string? ContactPhone { get; init; }
    public string? ContactEmail { get; init; }
    public string? WebsiteUrl { get; init; }
    public string? PrivacyPolicyUrl { get; init; }
    /// <summary>Names the organization trades under (brands, shop names); a page sends one textarea, one name per line.</summary>
    [MultilineText]
    public string[]? TradeNames { get; init; }

    public const int MaxTradeNames = 10;

    /// <summary>Trimmed, one per line, without blanks or repeats.</summary>
    public IReadOnlyList<string> CleanTradeNames() =>
        (TradeNames ?? []).SelectMany(n => (n ?? "").Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            .Distinct(StringComparer.Ordinal).ToList();

    public Dictionary<string, string[]> Validate()
    {
        var errors = new Dictionary<string, string[]>();
        void Fail(string field, string message) => errors[field] = [message];

        if (string.IsNullOrWhiteSpace(LegalName)) Fail("legalName", "The legal name is required: it is shown on every notice and form.");
        else if (LegalName.Trim().Length > 200) Fail("legalName", "The legal name must be at most 200 characters.");
        if (Address is { Length: > 400 }) Fail("address", "The address must be at most 400 characters.");
        if (ContactPhone is { Length: > 0 } phone && PhoneNumbers.Parse(phone) is { IsValid: false } parsed)
            Fail("contactPhone", $"The contact phone is not a valid number: {parsed.ErrorMessage}");
        if (ContactEmail is { Length: > 0 } email && (email.Length > 254 || !MailAddress.TryCreate(email, out var address) || address.Address != email.Trim()))
            Fail("contactEmail", "The contact email is not a valid address.");
        if (WebsiteUrl is { Length: > 0 } && !IsWebUrl(WebsiteUrl)) Fail("websiteUrl", "The website must be an absolute http(s) URL of at most 400 characters.");
        if (PrivacyPolicyUrl is { Length: > 0 } && !IsWebUrl(PrivacyPolicyUrl)) Fail("privacyPolicyUrl", "The privacy policy must be an absolute http(s) URL of at most 400 characters.");
        var tradeNames = CleanTradeNames();
        if (tradeNames.Count > MaxTradeNames) Fail("tradeNames", $"At most {MaxTradeNames} trade names.");
        else if (tradeNames.Any(n => n.Length > 100)) Fail("tradeNames", "Each trade name must be at most 100 characters.");
        if (string.IsNullOrWhiteSpace(ContactPhone) && string.IsNullOrWhiteSpace(ContactEmail) && string.IsNullOrWhiteSpace(WebsiteUrl))
            Fail("contactPhone", "Give at least one contact point (phone, email or website): recipients must be able to reach you.");
        return errors;
    }

    private static bool IsWebUrl(string value) =>
        value.Length <= 400 && Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http";

    public static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
