namespace ConsentPlatform.Telephony;

/// <summary>Why an input is not accepted as a phone number. Checked in this order.</summary>
public enum PhoneParseError
{
    None,
    /// <summary>Null, empty or only whitespace.</summary>
    Empty,
    /// <summary>More than <see cref="PhoneNumbers.MaxInputLength"/> characters after trimming; nothing else was looked at.</summary>
    TooLong,
    /// <summary>Letters, symbols, control characters, or a '+' that is not at the start.</summary>
    InvalidCharacters,
    /// <summary>The input carries an extension (ext., x, #, 内線 …); we only store numbers that reach a person directly.</summary>
    Extension,
    /// <summary>The default region is not one we can read national numbers for (international input still works).</summary>
    UnsupportedRegion,
    /// <summary>The digits after '+' or an international prefix are not an ITU-T E.164 country calling code.</summary>
    UnknownCountryCode,
    /// <summary>Fewer digits than that kind of number has in its country.</summary>
    TooShort,
    /// <summary>More digits than that kind of number has in its country.</summary>
    TooLongForRegion,
    /// <summary>The length is possible but the prefix is not allocated by the numbering plan
    /// (e.g. a NANP area code starting with 0 or 1, a Japanese number without its trunk 0).</summary>
    InvalidNumber,
}
