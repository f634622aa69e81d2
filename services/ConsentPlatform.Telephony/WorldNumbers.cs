using Lib = PhoneNumbers;

namespace ConsentPlatform.Telephony;

/// <summary>
/// Every country but Japan: libphonenumber normalises, validates and types the digits
/// <see cref="PhoneNumbers"/> has already extracted under its own stricter character policy
/// (ADR 0019). Japan stays on <see cref="JapanNumberingPlan"/>, also when libphonenumber is the one
/// that found +81 (an international prefix dialled from another country).
/// </summary>
internal static class WorldNumbers
{
    private static readonly Lib.PhoneNumberUtil Util = Lib.PhoneNumberUtil.GetInstance();

    private static readonly HashSet<string> Regions = new(Util.GetSupportedRegions(), StringComparer.OrdinalIgnoreCase);

    private static readonly bool[] CallingCodes = BuildCallingCodes();

    private static bool[] BuildCallingCodes()
    {
        var codes = new bool[1000];
        foreach (var code in Util.GetSupportedCallingCodes())
        {
            codes[code] = true;
        }
        return codes;
    }

    /// <summary>The ISO 3166-1 region, upper-cased, when libphonenumber has a plan for it.</summary>
    internal static bool TryGetRegion(string? region, out string upper)
    {
        upper = region is { Length: 2 } && Regions.Contains(region) ? region.ToUpperInvariant() : string.Empty;
        return upper.Length == 2;
    }

    /// <summary>digits start with an assigned country calling code (they are prefix-free).</summary>
    internal static bool StartsWithCountryCode(ReadOnlySpan<char> digits)
    {
        var code = 0;
        for (var i = 0; i < 3 && i < digits.Length; i++)
        {
            code = code * 10 + (digits[i] - '0');
            if (code == 0)
            {
                return false;
            }
            if (CallingCodes[code])
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// <paramref name="digits"/> are ASCII digits only: with <paramref name="region"/> null they start
    /// with the country code, otherwise they are what was dialled in that region.
    /// </summary>
    internal static PhoneParseResult Parse(ReadOnlySpan<char> digits, string? region)
    {
        Lib.PhoneNumber number;
        try
        {
            number = region is null ? Util.Parse(string.Concat("+", digits), "ZZ") : Util.Parse(digits.ToString(), region);
        }
        catch (Lib.NumberParseException e)
        {
            return e.ErrorType switch
            {
                Lib.ErrorType.INVALID_COUNTRY_CODE => PhoneParseResult.Fail(PhoneParseError.UnknownCountryCode),
                Lib.ErrorType.TOO_LONG => PhoneParseResult.Fail(PhoneParseError.TooLongForRegion),
                _ => PhoneParseResult.Fail(PhoneParseError.TooShort),
            };
        }
        if (number.CountryCode == 81)
        {
            return PhoneNumbers.Japanese(Util.GetNationalSignificantNumber(number), null);
        }
        if (!Util.IsValidNumber(number))
        {
            return Invalid(number);
        }
        var e164 = Util.Format(number, Lib.PhoneNumberFormat.E164);
        if (e164.Length > 16)
        {
            // libphonenumber's German fixed-line pattern runs past E.164's 15 digits.
            return PhoneParseResult.Fail(PhoneParseError.TooLongForRegion, "E.164 numbers have at most 15 digits.");
        }
        var type = Map(Util.GetNumberType(number));
        return PhoneParseResult.Ok(new PhoneNumber(e164, number.CountryCode, Util.GetRegionCodeForNumber(number), type, PhoneNumbers.CanReceiveSms(type)));
    }

    // libphonenumber only knows the lengths of a whole region, so "one digit short of a mobile number"
    // comes back as a possible length; a digit more or less that makes the number valid tells the
    // person what they most likely got wrong.
    private static PhoneParseResult Invalid(Lib.PhoneNumber number)
    {
        var nsn = Util.GetNationalSignificantNumber(number);
        if (nsn.Length > 1 && IsValid(number.CountryCode, nsn[..^1]))
        {
            return PhoneParseResult.Fail(PhoneParseError.TooLongForRegion);
        }
        for (var digit = '0'; digit <= '9'; digit++)
        {
            if (IsValid(number.CountryCode, nsn + digit))
            {
                return PhoneParseResult.Fail(PhoneParseError.TooShort);
            }
        }
        return Util.IsPossibleNumberWithReason(number) switch
            {
                Lib.PhoneNumberUtil.ValidationResult.INVALID_COUNTRY_CODE => PhoneParseResult.Fail(PhoneParseError.UnknownCountryCode),
                Lib.PhoneNumberUtil.ValidationResult.TOO_SHORT or Lib.PhoneNumberUtil.ValidationResult.IS_POSSIBLE_LOCAL_ONLY =>
                    PhoneParseResult.Fail(PhoneParseError.TooShort),
                Lib.PhoneNumberUtil.ValidationResult.TOO_LONG => PhoneParseResult.Fail(PhoneParseError.TooLongForRegion),
                Lib.PhoneNumberUtil.ValidationResult.INVALID_LENGTH =>
                    PhoneParseResult.Fail(PhoneParseError.InvalidNumber, "No number in that range has this many digits."),
            _ => PhoneParseResult.Fail(PhoneParseError.InvalidNumber),
        };
    }

    private static bool IsValid(int countryCode, string nsn)
    {
        try
        {
            return Util.IsValidNumber(Util.Parse(string.Concat("+", countryCode.ToString(System.Globalization.CultureInfo.InvariantCulture), nsn), "ZZ"));
        }
        catch (Lib.NumberParseException)
        {
            return false;
        }
    }

    internal static PhoneNumberType Map(Lib.PhoneNumberType type) => type switch
    {
        Lib.PhoneNumberType.FIXED_LINE => PhoneNumberType.Fixed,
        Lib.PhoneNumberType.MOBILE => PhoneNumberType.Mobile,
        Lib.PhoneNumberType.FIXED_LINE_OR_MOBILE => PhoneNumberType.FixedOrMobile,
        Lib.PhoneNumberType.TOLL_FREE => PhoneNumberType.TollFree,
        Lib.PhoneNumberType.PREMIUM_RATE => PhoneNumberType.Premium,
        Lib.PhoneNumberType.SHARED_COST => PhoneNumberType.SharedCost,
        Lib.PhoneNumberType.VOIP => PhoneNumberType.Voip,
        Lib.PhoneNumberType.PERSONAL_NUMBER => PhoneNumberType.PersonalNumber,
        Lib.PhoneNumberType.PAGER => PhoneNumberType.Pager,
        Lib.PhoneNumberType.UAN => PhoneNumberType.Uan,
        Lib.PhoneNumberType.VOICEMAIL => PhoneNumberType.Voicemail,
        _ => PhoneNumberType.Unknown,
    };

    internal static string FormatNational(PhoneNumber number) =>
        Util.Format(Util.Parse(number.E164, "ZZ"), Lib.PhoneNumberFormat.NATIONAL);

    internal static string FormatInternational(PhoneNumber number) =>
        Util.Format(Util.Parse(number.E164, "ZZ"), Lib.PhoneNumberFormat.INTERNATIONAL);
}
