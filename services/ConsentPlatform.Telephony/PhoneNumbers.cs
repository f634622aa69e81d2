using System.Globalization;

namespace ConsentPlatform.Telephony;

/// <summary>
/// Reads phone numbers as people type them and returns E.164. Never throws; every failure is a
/// <see cref="PhoneParseError"/>.
/// </summary>
public static class PhoneNumbers
{
    /// <summary>Inputs longer than this after trimming are rejected before any other work.</summary>
    public const int MaxInputLength = 64;

    public static bool TryParse(string? input, out PhoneNumber number, string defaultRegion = "JP")
    {
        var result = Parse(input, defaultRegion);
        number = result.Number;
        return result.IsValid;
    }

    public static PhoneParseResult Parse(string? input, string defaultRegion = "JP")
    {
        if (input is null)
        {
            return PhoneParseResult.Fail(PhoneParseError.Empty);
        }
        var text = input.AsSpan().Trim();
        if (text.IsEmpty)
        {
            return PhoneParseResult.Fail(PhoneParseError.Empty);
        }
        if (text.Length > MaxInputLength)
        {
            return PhoneParseResult.Fail(PhoneParseError.TooLong);
        }
        if (text.Length == input.Length && IsPlainE164(text))
        {
            // Already E.164: validate in place and hand back the caller's string, allocation-free.
            return International(text[1..], input);
        }

        Span<char> buffer = stackalloc char[MaxInputLength];
        var error = ExtractDigits(text, buffer, out var count, out var plus);
        if (error != PhoneParseError.None)
        {
            return PhoneParseResult.Fail(error);
        }
        if (count == 0)
        {
            return PhoneParseResult.Fail(PhoneParseError.TooShort, "The input has no digits.");
        }
        ReadOnlySpan<char> digits = buffer[..count];
        return plus ? International(digits, null) : National(digits, defaultRegion);
    }

    private static bool IsPlainE164(ReadOnlySpan<char> text)
    {
        if (text.Length < 3 || text.Length > 16 || text[0] != '+')
        {
            return false;
        }
        foreach (var c in text[1..])
        {
            if ((uint)(c - '0') > 9)
            {
                return false;
            }
        }
        return true;
    }

    private static PhoneParseResult National(ReadOnlySpan<char> digits, string? defaultRegion)
    {
        if (defaultRegion is null || !CountryCallingCodes.TryGetRegionCode(defaultRegion, out var regionCode))
        {
            return PhoneParseResult.Fail(PhoneParseError.UnsupportedRegion);
        }
        foreach (var prefix in InternationalPrefixes(regionCode))
        {
            if (digits.Length > prefix.Length && digits.StartsWith(prefix)
                && CountryCallingCodes.TryMatch(digits[prefix.Length..], out _, out _))
            {
                return International(digits[prefix.Length..], null);
            }
        }

        CountryCallingCodes.TryGet(regionCode, out var entry);
        if (regionCode == 1)
        {
            var nsn = digits.Length == 11 && digits[0] == '1' ? digits[1..] : digits;
            return Build(entry, nsn, null);
        }
        if (regionCode == 65)
        {
            return Build(entry, digits, null);
        }
        if (digits[0] == '0')
        {
            return Build(entry, digits[1..], null);
        }
        if (regionCode == 86 && digits[0] == '1' && digits.Length > 1 && digits[1] != '0')
        {
            // Chinese mobiles (13x–19x) are written without the trunk 0; let length errors speak for them.
            return Build(entry, digits, null);
        }

        // No trunk 0: only service numbers dialled without it (AU 13/1300/1800, KR 15xx, CN 400/800),
        // or the country code typed without '+' ("81 90 …").
        var ccText = regionCode.ToString(CultureInfo.InvariantCulture);
        if (NationalPlans.Classify(entry, digits, out var type, out _, out _) == PhoneParseError.None
            && NationalPlans.NationalPrefix(regionCode, digits, type).Length == 0)
        {
            return Build(entry, digits, null);
        }
        if (digits.StartsWith(ccText))
        {
            var asInternational = International(digits, null);
            if (asInternational.IsValid)
            {
                return asInternational;
            }
        }
        return PhoneParseResult.Fail(PhoneParseError.InvalidNumber, "National numbers are written with a leading 0 (or the +country code form).");
    }

    // 010 is Japan's international prefix; "0081 …" is how many people write +81, so 00 is read too.
    private static readonly string[] JapanPrefixes = ["010", "00"];
    private static readonly string[] NanpPrefixes = ["011"];
    private static readonly string[] KoreaPrefixes = ["00700", "001", "002", "005", "006", "008"];
    private static readonly string[] TaiwanPrefixes = ["002", "005", "006", "007", "009"];
    private static readonly string[] SingaporePrefixes = ["001", "002", "008", "012", "013", "018", "019"];
    private static readonly string[] AustraliaPrefixes = ["0011"];
    private static readonly string[] EuropeanPrefixes = ["00"];

    private static string[] InternationalPrefixes(int regionCode) => regionCode switch
    {
        81 => JapanPrefixes,
        1 => NanpPrefixes,
        82 => KoreaPrefixes,
        886 => TaiwanPrefixes,
        65 => SingaporePrefixes,
        61 => AustraliaPrefixes,
        _ => EuropeanPrefixes,
    };

    /// <summary>digits start with the country code.</summary>
    private static PhoneParseResult International(ReadOnlySpan<char> digits, string? original)
    {
        if (!CountryCallingCodes.TryMatch(digits, out var entry, out var consumed))
        {
            return digits.Length == 0
                ? PhoneParseResult.Fail(PhoneParseError.TooShort)
                : PhoneParseResult.Fail(PhoneParseError.UnknownCountryCode);
        }
        var nsn = digits[consumed..];
        if (!nsn.IsEmpty && nsn[0] == '0' && NationalPlans.HasTrunkZero(entry.Code))
        {
            // "+81 090 …": the trunk 0 is not part of the international number.
            nsn = nsn[1..];
            original = null;
        }
        return Build(entry, nsn, original);
    }

    private static PhoneParseResult Build(in CountryCallingCodes.Entry entry, ReadOnlySpan<char> nsn, string? original)
    {
        var error = NationalPlans.Classify(entry, nsn, out var type, out var region, out var message);
        if (error != PhoneParseError.None)
        {
            return PhoneParseResult.Fail(error, message);
        }
        var ccDigits = CountryCallingCodes.DigitCount(entry.Code);
        if (1 + ccDigits + nsn.Length > 16)
        {
            return PhoneParseResult.Fail(PhoneParseError.TooLongForRegion, "E.164 numbers have at most 15 digits.");
        }
        var e164 = original ?? ToE164(entry.Code, ccDigits, nsn);
        return PhoneParseResult.Ok(new PhoneNumber(e164, entry.Code, region, type, NationalPlans.CanReceiveSms(type)));
    }

    private static string ToE164(int countryCode, int ccDigits, ReadOnlySpan<char> nsn)
    {
        Span<char> e164 = stackalloc char[1 + ccDigits + nsn.Length];
        e164[0] = '+';
        countryCode.TryFormat(e164[1..], out _, default, CultureInfo.InvariantCulture);
        nsn.CopyTo(e164[(1 + ccDigits)..]);
        return new string(e164);
    }

    private static PhoneParseError ExtractDigits(ReadOnlySpan<char> text, Span<char> buffer, out int count, out bool plus)
    {
        count = 0;
        plus = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var digit = DigitValue(c);
            if (digit >= 0)
            {
                buffer[count++] = (char)('0' + digit);
                continue;
            }
            if (c is '+' or '＋')
            {
                if (count > 0 || plus)
                {
                    return PhoneParseError.InvalidCharacters;
                }
                plus = true;
                continue;
            }
            if (c is '(' or '（')
            {
                // "+81 (0)90 …": a bracketed 0 after the country code is the trunk prefix, not a digit.
                var close = TrunkZeroGroupEnd(text, i);
                if (close > 0 && count > 0)
                {
                    i = close;
                }
                continue;
            }
            if (IsSeparator(c))
            {
                continue;
            }
            return count > 0 && IsExtension(text[i..]) ? PhoneParseError.Extension : PhoneParseError.InvalidCharacters;
        }
        return PhoneParseError.None;
    }

    private static int TrunkZeroGroupEnd(ReadOnlySpan<char> text, int open)
    {
        var i = open + 1;
        while (i < text.Length && IsSpace(text[i]))
        {
            i++;
        }
        if (i >= text.Length || DigitValue(text[i]) != 0)
        {
            return -1;
        }
        i++;
        while (i < text.Length && IsSpace(text[i]))
        {
            i++;
        }
        return i < text.Length && text[i] is ')' or '）' ? i : -1;
    }

    internal static int DigitValue(char c)
    {
        var d = (uint)(c - '0');
        if (d <= 9)
        {
            return (int)d;
        }
        d = (uint)(c - '０');
        if (d <= 9)
        {
            return (int)d;
        }
        // Other decimal digits (Arabic-Indic, Devanagari …) mean the same numbers.
        return c >= 0x80 && char.IsDigit(c) ? (int)char.GetNumericValue(c) : -1;
    }

    private static bool IsSpace(char c) =>
        c == ' ' || (c >= 0x80 && char.GetUnicodeCategory(c) == UnicodeCategory.SpaceSeparator);

    private static bool IsSeparator(char c) => c switch
    {
        '-' or '.' or '/' or ')' or '）' => true,
        // Dashes and the long-vowel marks Japanese keyboards produce for a hyphen.
        '‐' or '‑' or '‒' or '–' or '—' or '―' or '−' or 'ー' or '－' or 'ｰ' or '﹣' => true,
        '．' or '／' or '・' or '･' => true,
        _ => IsSpace(c),
    };

    // An extension marker followed (after separators) by at least one digit.
    private static bool IsExtension(ReadOnlySpan<char> rest)
    {
        ReadOnlySpan<string> markers = ["extension", "extn", "ext", "x", "#", ",", ";ext=", ";", "内線", "p", "w"];
        Span<char> folded = stackalloc char[Math.Min(rest.Length, 12)];
        for (var i = 0; i < folded.Length; i++)
        {
            var c = rest[i];
            if (c is >= 'Ａ' and <= 'Ｚ' or >= 'ａ' and <= 'ｚ' or '＃' or '，' or '；' or '＝')
            {
                c = (char)(c - 0xFEE0);
            }
            folded[i] = char.ToLowerInvariant(c);
        }
        foreach (var marker in markers)
        {
            if (!((ReadOnlySpan<char>)folded).StartsWith(marker))
            {
                continue;
            }
            var tail = rest[marker.Length..];
            var j = 0;
            while (j < tail.Length && (IsSeparator(tail[j]) || tail[j] is ':' or '.' or '='))
            {
                j++;
            }
            if (j < tail.Length && DigitValue(tail[j]) >= 0)
            {
                return true;
            }
        }
        return false;
    }
}
