namespace ConsentPlatform.Telephony;

public readonly record struct PhoneParseResult
{
    public bool IsValid => Error == PhoneParseError.None;
    public PhoneNumber Number { get; }
    public PhoneParseError Error { get; }
    /// <summary>A fixed English sentence for logs and problem details; never contains the input.</summary>
    public string? ErrorMessage { get; }

    private PhoneParseResult(PhoneNumber number, PhoneParseError error, string? message)
    {
        Number = number;
        Error = error;
        ErrorMessage = message;
    }

    internal static PhoneParseResult Ok(PhoneNumber number) => new(number, PhoneParseError.None, null);

    internal static PhoneParseResult Fail(PhoneParseError error, string? message = null) =>
        new(default, error, message ?? DefaultMessage(error));

    private static string DefaultMessage(PhoneParseError error) => error switch
    {
        PhoneParseError.Empty => "No phone number was given.",
        PhoneParseError.TooLong => "The input is too long to be a phone number.",
        PhoneParseError.InvalidCharacters => "The input contains characters that are not part of a phone number.",
        PhoneParseError.Extension => "Numbers with an extension are not accepted.",
        PhoneParseError.UnsupportedRegion => "National numbers cannot be read for this region; use the +country code form.",
        PhoneParseError.UnknownCountryCode => "The country calling code is not assigned.",
        PhoneParseError.TooShort => "The number has too few digits.",
        PhoneParseError.TooLongForRegion => "The number has too many digits.",
        PhoneParseError.InvalidNumber => "The number is not in use in the national numbering plan.",
        _ => "Invalid phone number.",
    };
}
