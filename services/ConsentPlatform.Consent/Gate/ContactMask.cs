namespace ConsentPlatform.Consent.Gate;

/// <summary>
/// A contact as a screen may show it: enough to tell two people apart, not enough to call or write
/// to them (a screen can be seen over a shoulder; the full record is in the exports).
/// </summary>
public static class ContactMask
{
    /// <summary>A stored contact: E.164 numbers in their national masked form, emails as a***@example.jp.</summary>
    public static string Of(string? contact)
    {
        if (contact is null) return "(erased)";
        if (contact.StartsWith('+')) return Telephony.PhoneNumbers.Parse(contact, "JP") is { IsValid: true } parsed ? parsed.Number.FormatMasked() : "***";
        return Email(contact) ?? "***";
    }

    public static string? Email(string? email)
    {
        if (email is null) return null;
        var at = email.IndexOf('@');
        return at <= 0 ? "***" : $"{email[0]}***{email[at..]}";
    }
}
