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

    /// <summary>True when national input can be read for this ISO 3166-1 region (any case): every region libphonenumber has a plan for.</summary>
    public static bool IsSupportedRegion(string? region) => WorldNumbers.TryGetRegion(region, out _);

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
        if (!WorldNumbers.TryGetRegion(defaultRegion, out var region))
        {
            return PhoneParseResult.Fail(PhoneParseError.UnsupportedRegion);
        }
        if (region != "JP")
        {
            return WorldNumbers.Parse(digits, region);
        }
        // 010 is Japan's international prefix; "0081 …" is how many people write +81, so 00 is read too.
        foreach (var prefix in JapanInternationalPrefixes)
        {
            if (digits.Length > prefix.Length && digits.StartsWith(prefix) && WorldNumbers.StartsWithCountryCode(digits[prefix.Length..]))
            {
                return International(digits[prefix.Length..], null);
            }
        }
        if (digits[0] == '0')
        {
            return Japanese(digits[1..], null);
        }
        // The country code typed without '+' ("81 90 …").
        if (digits.StartsWith("81"))
        {
            var asInternational = International(digits, null);
            if (asInternational.IsValid)
            {
                return asInternational;
            }
        }
        return PhoneParseResult.Fail(PhoneParseError.InvalidNumber, "National numbers are written with a leading 0 (or the +country code form).");
    }

    private static readonly string[] JapanInternationalPrefixes = ["010", "00"];

    /// <summary>digits start with the country code.</summary>
    private static PhoneParseResult International(ReadOnlySpan<char> digits, string? original)
    {
        if (!digits.StartsWith("81"))
        {
            return WorldNumbers.Parse(digits, null);
        }
        var nsn = digits[2..];
        if (!nsn.IsEmpty && nsn[0] == '0')
        {
            // "+81 090 …", "+81 (0)90 …": the trunk 0 is not part of the international number.
            return Japanese(nsn[1..], null);
        }
        return Japanese(nsn, original);
    }

    /// <summary>A Japanese national significant number (no trunk 0); <paramref name="original"/> is
    /// the caller's E.164 string when it can be handed back as is.</summary>
    internal static PhoneParseResult Japanese(ReadOnlySpan<char> nsn, string? original)
    {
        var error = JapanNumberingPlan.Classify(nsn, out var type, out var message);
        if (error != PhoneParseError.None)
        {
            return PhoneParseResult.Fail(error, message);
        }
        var e164 = original ?? string.Create(3 + nsn.Length, nsn, static (span, digits) =>
        {
            "+81".CopyTo(span);
            digits.CopyTo(span[3..]);
        });
        return PhoneParseResult.Ok(new PhoneNumber(e164, 81, "JP", type, CanReceiveSms(type)));
    }

    /// <summary>Mobile lines take SMS; lines the plan cannot tell from mobile ones (NANP geographic
    /// numbers) may be mobile and carriers route SMS to them. Nothing else is texted.</summary>
    internal static bool CanReceiveSms(PhoneNumberType type) => type is PhoneNumberType.Mobile or PhoneNumberType.FixedOrMobile;

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
            if (IsSeparator(c))
            {
                continue;
            }
            return count > 0 && IsExtension(text[i..]) ? PhoneParseError.Extension : PhoneParseError.InvalidCharacters;
        }
        return PhoneParseError.None;
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
        // "(0)" after a country code is read as a 0: the plan then drops it where it is a trunk prefix.
        '-' or '.' or '/' or '(' or '（' or ')' or '）' => true,
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
