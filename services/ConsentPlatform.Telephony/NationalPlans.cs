namespace ConsentPlatform.Telephony;

/// <summary>
/// Validation and grouping per country. Sources, by country code:
/// +1 NANPA NANP Administration Guidelines (NPA/NXX = [2-9]XX, N11 reserved);
/// +44 Ofcom National Telephone Numbering Plan; +82 KCC/MSIT 전기통신번호관리세칙;
/// +86 MIIT 电信网编号计划; +886 NCC 電信網路編碼計畫; +65 IMDA National Numbering Plan;
/// +61 ACMA Telecommunications Numbering Plan 2015; +49 BNetzA Nummernplan;
/// +33 ARCEP plan national de numérotation; +81 see <see cref="JapanNumberingPlan"/>.
/// NSNs are without the trunk prefix.
/// </summary>
internal static class NationalPlans
{
    internal static PhoneParseError Classify(in CountryCallingCodes.Entry entry, ReadOnlySpan<char> nsn,
        out PhoneNumberType type, out string region, out string? message)
    {
        region = entry.Region;
        message = null;
        type = PhoneNumberType.Unknown;
        if (nsn.IsEmpty)
        {
            return PhoneParseError.TooShort;
        }
        switch (entry.Code)
        {
            case 81:
                return JapanNumberingPlan.Classify(nsn, out type, out message);
            case 1:
                return Nanp.Classify(nsn, out type, out region, out message);
            case 44:
                return GreatBritain(nsn, out type, out message);
            case 82:
                return Korea(nsn, out type, out message);
            case 86:
                return China(nsn, out type, out message);
            case 886:
                return Taiwan(nsn, out type, out message);
            case 65:
                return Singapore(nsn, out type, out message);
            case 61:
                return Australia(nsn, out type, out message);
            case 49:
                return Germany(nsn, out type, out message);
            case 33:
                return France(nsn, out type, out message);
            case 7:
                // +7 is shared; Kazakhstan holds the 6xx and 7xx ranges.
                region = nsn[0] is '6' or '7' ? "KZ" : "RU";
                return Len(nsn, entry.MinLength, entry.MaxLength, PhoneNumberType.Unknown, out type);
            default:
                return Len(nsn, entry.MinLength, entry.MaxLength, PhoneNumberType.Unknown, out type);
        }
    }

    /// <summary>Mobile lines take SMS; NANP geographic lines may be mobile and carriers route SMS to them.</summary>
    internal static bool CanReceiveSms(PhoneNumberType type) => type is PhoneNumberType.Mobile or PhoneNumberType.FixedOrMobile;

    /// <summary>Countries whose numbers are written with a trunk 0 that is dropped after the country code
    /// ("+81 (0)90 …", "+44 020 …"). Not Italy, where the 0 belongs to the number.</summary>
    internal static bool HasTrunkZero(int countryCode) => countryCode is 81 or 44 or 82 or 86 or 886 or 61 or 49 or 33;

    private static PhoneParseError Len(ReadOnlySpan<char> nsn, int min, int max, PhoneNumberType kind, out PhoneNumberType type)
    {
        type = PhoneNumberType.Unknown;
        if (nsn.Length < min)
        {
            return PhoneParseError.TooShort;
        }
        if (nsn.Length > max)
        {
            return PhoneParseError.TooLongForRegion;
        }
        type = kind;
        return PhoneParseError.None;
    }

    private static PhoneParseError Invalid(out PhoneNumberType type, out string? message, string text)
    {
        type = PhoneNumberType.Unknown;
        message = text;
        return PhoneParseError.InvalidNumber;
    }

    private static bool At(ReadOnlySpan<char> s, int i, char c) => s.Length > i && s[i] == c;

    private static PhoneParseError GreatBritain(ReadOnlySpan<char> n, out PhoneNumberType type, out string? message)
    {
        message = null;
        switch (n[0])
        {
            case '7':
                if (At(n, 1, '0'))
                {
                    return Len(n, 10, 10, PhoneNumberType.PersonalNumber, out type);
                }
                if (At(n, 1, '6'))
                {
                    // 07624 is Isle of Man mobile; the rest of 076 is radiopaging.
                    var manx = n.StartsWith("7624");
                    return Len(n, 10, 10, manx ? PhoneNumberType.Mobile : PhoneNumberType.Pager, out type);
                }
                return Len(n, 10, 10, PhoneNumberType.Mobile, out type);
            case '1':
                return Len(n, 9, 10, PhoneNumberType.Fixed, out type);
            case '2':
                return Len(n, 10, 10, PhoneNumberType.Fixed, out type);
            case '3':
                return Len(n, 10, 10, PhoneNumberType.Uan, out type);
            case '5' when At(n, 1, '5') || At(n, 1, '6'):
                return Len(n, 10, 10, PhoneNumberType.Voip, out type);
            case '8' when n.StartsWith("800"):
                return Len(n, 9, 10, PhoneNumberType.TollFree, out type);
            case '8' when n.StartsWith("808"):
                return Len(n, 10, 10, PhoneNumberType.TollFree, out type);
            case '8' when At(n, 1, '4') || At(n, 1, '7'):
                return Len(n, 10, 10, PhoneNumberType.SharedCost, out type);
            case '9':
                return Len(n, 10, 10, PhoneNumberType.Premium, out type);
            default:
                return Invalid(out type, out message, "That UK number range is not allocated.");
        }
    }

    private static PhoneParseError Korea(ReadOnlySpan<char> n, out PhoneNumberType type, out string? message)
    {
        message = null;
        char a = n[0], b = n.Length > 1 ? n[1] : '\0';
        switch (a)
        {
            case '1' when b == '0':
                return Len(n, 10, 10, PhoneNumberType.Mobile, out type);
            case '1' when b is '5' or '6' or '8' && n.Length == 8:
                return Len(n, 8, 8, PhoneNumberType.Uan, out type);
            case '1' when b is '1' or '6' or '7' or '8' or '9':
                // Legacy 011/016/017/018/019 mobile ranges still in use.
                return Len(n, 9, 10, PhoneNumberType.Mobile, out type);
            case '2':
                return Len(n, 8, 9, PhoneNumberType.Fixed, out type);
            case '3' when b is >= '1' and <= '3':
            case '4' when b is >= '1' and <= '4':
            case '5' when b is >= '1' and <= '5':
            case '6' when b is >= '1' and <= '4':
                return Len(n, 9, 10, PhoneNumberType.Fixed, out type);
            case '6' when b == '0':
                return Len(n, 9, 10, PhoneNumberType.Premium, out type);
            case '7' when b == '0':
                return Len(n, 10, 10, PhoneNumberType.Voip, out type);
            case '8' when b == '0':
                return Len(n, 9, 9, PhoneNumberType.TollFree, out type);
            default:
                return Invalid(out type, out message, "That Korean number range is not allocated.");
        }
    }

    private static PhoneParseError China(ReadOnlySpan<char> n, out PhoneNumberType type, out string? message)
    {
        message = null;
        if (n[0] == '1')
        {
            if (At(n, 1, '0'))
            {
                return Len(n, 10, 10, PhoneNumberType.Fixed, out type);
            }
            if (n.Length > 1 && n[1] is >= '3' and <= '9')
            {
                return Len(n, 11, 11, PhoneNumberType.Mobile, out type);
            }
            return Invalid(out type, out message, "Chinese mobile numbers start with 13–19.");
        }
        if (n.StartsWith("400"))
        {
            return Len(n, 10, 10, PhoneNumberType.SharedCost, out type);
        }
        if (n.StartsWith("800"))
        {
            return Len(n, 10, 10, PhoneNumberType.TollFree, out type);
        }
        if (n[0] == '2')
        {
            return Len(n, 10, 10, PhoneNumberType.Fixed, out type);
        }
        if (n[0] is >= '3' and <= '9')
        {
            return Len(n, 10, 11, PhoneNumberType.Fixed, out type);
        }
        return Invalid(out type, out message, "That Chinese number range is not allocated.");
    }

    private static PhoneParseError Taiwan(ReadOnlySpan<char> n, out PhoneNumberType type, out string? message)
    {
        message = null;
        if (n[0] == '9')
        {
            return Len(n, 9, 9, PhoneNumberType.Mobile, out type);
        }
        if (n.StartsWith("800"))
        {
            return Len(n, 9, 9, PhoneNumberType.TollFree, out type);
        }
        if (n[0] == '2')
        {
            return Len(n, 9, 9, PhoneNumberType.Fixed, out type);
        }
        if (n[0] is >= '3' and <= '8')
        {
            return Len(n, 8, 9, PhoneNumberType.Fixed, out type);
        }
        return Invalid(out type, out message, "That Taiwanese number range is not allocated.");
    }

    private static PhoneParseError Singapore(ReadOnlySpan<char> n, out PhoneNumberType type, out string? message)
    {
        message = null;
        char b = n.Length > 1 ? n[1] : '\0';
        switch (n[0])
        {
            case '8' when b != '0':
            case '9' when b != '9':
                return Len(n, 8, 8, PhoneNumberType.Mobile, out type);
            case '6' when b != '0':
                return Len(n, 8, 8, PhoneNumberType.Fixed, out type);
            case '3':
                return Len(n, 8, 8, PhoneNumberType.Voip, out type);
            case '1' when n.StartsWith("1800"):
                return Len(n, 11, 11, PhoneNumberType.TollFree, out type);
            case '1' when n.StartsWith("1900"):
                return Len(n, 11, 11, PhoneNumberType.Premium, out type);
            default:
                return Invalid(out type, out message, "That Singapore number range is not allocated.");
        }
    }

    private static PhoneParseError Australia(ReadOnlySpan<char> n, out PhoneNumberType type, out string? message)
    {
        message = null;
        switch (n[0])
        {
            case '4':
                return Len(n, 9, 9, PhoneNumberType.Mobile, out type);
            case '2' or '3' or '7' or '8':
                return Len(n, 9, 9, PhoneNumberType.Fixed, out type);
            case '1' when n.StartsWith("1800"):
                return Len(n, 10, 10, PhoneNumberType.TollFree, out type);
            case '1' when n.StartsWith("1300"):
                return Len(n, 10, 10, PhoneNumberType.SharedCost, out type);
            case '1' when n.StartsWith("13"):
                return Len(n, 6, 6, PhoneNumberType.SharedCost, out type);
            case '1' when n.StartsWith("190"):
                return Len(n, 10, 10, PhoneNumberType.Premium, out type);
            default:
                return Invalid(out type, out message, "That Australian number range is not allocated.");
        }
    }

    private static PhoneParseError Germany(ReadOnlySpan<char> n, out PhoneNumberType type, out string? message)
    {
        message = null;
        if (n[0] == '1')
        {
            char b = n.Length > 1 ? n[1] : '\0';
            return b switch
            {
                '5' => Len(n, 11, 11, PhoneNumberType.Mobile, out type),
                '6' or '7' => Len(n, 10, 11, PhoneNumberType.Mobile, out type),
                '8' when n.StartsWith("180") => Len(n, 10, 11, PhoneNumberType.SharedCost, out type),
                _ => Invalid(out type, out message, "That German 01 range is not a subscriber range."),
            };
        }
        if (n.StartsWith("800"))
        {
            return Len(n, 10, 10, PhoneNumberType.TollFree, out type);
        }
        if (n.StartsWith("900"))
        {
            return Len(n, 10, 10, PhoneNumberType.Premium, out type);
        }
        if (n.StartsWith("700"))
        {
            return Len(n, 11, 11, PhoneNumberType.PersonalNumber, out type);
        }
        if (n.StartsWith("32"))
        {
            return Len(n, 10, 11, PhoneNumberType.Voip, out type);
        }
        if (n[0] is >= '2' and <= '9')
        {
            // Area codes are 2–5 digits and subscriber numbers fill up to 11 digits in total.
            return Len(n, 6, 11, PhoneNumberType.Fixed, out type);
        }
        return Invalid(out type, out message, "That German number range is not allocated.");
    }

    private static PhoneParseError France(ReadOnlySpan<char> n, out PhoneNumberType type, out string? message)
    {
        message = null;
        char a = n[0], b = n.Length > 1 ? n[1] : '\0';
        var kind = a switch
        {
            >= '1' and <= '5' => PhoneNumberType.Fixed,
            '6' => PhoneNumberType.Mobile,
            '7' when b is >= '3' and <= '9' => PhoneNumberType.Mobile,
            '9' => PhoneNumberType.Voip,
            '8' when b == '0' && n.Length > 2 && n[2] is >= '0' and <= '5' => PhoneNumberType.TollFree,
            '8' when b is '1' or '2' => PhoneNumberType.SharedCost,
            '8' when b == '9' => PhoneNumberType.Premium,
            _ => PhoneNumberType.Unknown,
        };
        if (kind == PhoneNumberType.Unknown)
        {
            return n.Length < 2 ? Len(n, 9, 9, kind, out type) : Invalid(out type, out message, "That French number range is not allocated.");
        }
        return Len(n, 9, 9, kind, out type);
    }

    /// <summary>Digits written before the NSN in national format ("0" for 090…, nothing for AU 1800).</summary>
    internal static string NationalPrefix(int countryCode, ReadOnlySpan<char> nsn, PhoneNumberType type) => countryCode switch
    {
        81 or 44 or 886 or 49 or 33 => "0",
        82 => type == PhoneNumberType.Uan ? "" : "0",
        // Chinese mobiles and 400/800 numbers are dialled without the trunk 0.
        86 => type is PhoneNumberType.Mobile or PhoneNumberType.TollFree or PhoneNumberType.SharedCost ? "" : "0",
        61 => nsn[0] == '1' ? "" : "0",
        _ => "",
    };

    internal static char Separator(int countryCode) => countryCode is 81 or 82 or 1 ? '-' : ' ';

    internal static int[] Groups(int countryCode, ReadOnlySpan<char> n, PhoneNumberType type)
    {
        var len = n.Length;
        switch (countryCode)
        {
            case 81:
                return JapanNumberingPlan.Groups(n, type);
            case 1:
                return [3, 3, 4];
            case 44:
                if (n[0] == '7')
                {
                    return [4, 6];
                }
                if (n[0] == '2')
                {
                    return [2, 4, 4];
                }
                if (n[0] == '1')
                {
                    // 0113, 0121 …: three-digit area codes; 01xxx elsewhere.
                    return n[1] == '1' || n[2] == '1' ? [3, 3, 4] : [4, len - 4];
                }
                return len == 9 ? [3, 6] : [3, 3, 4];
            case 82:
                return type switch
                {
                    PhoneNumberType.Uan => [4, 4],
                    _ when n[0] == '2' => [1, len - 5, 4],
                    _ => [2, len - 6, 4],
                };
            case 86:
                return type switch
                {
                    PhoneNumberType.Mobile => [3, 4, 4],
                    PhoneNumberType.TollFree or PhoneNumberType.SharedCost => [3, 3, 4],
                    _ when n[0] is '1' or '2' => [2, 4, 4],
                    _ => [3, len - 7, 4],
                };
            case 886:
                if (type is PhoneNumberType.Mobile or PhoneNumberType.TollFree)
                {
                    return [3, 3, 3];
                }
                return [1, len - 5, 4];
            case 65:
                return len == 11 ? [4, 3, 4] : [4, 4];
            case 61:
                if (type == PhoneNumberType.Mobile)
                {
                    return [3, 3, 3];
                }
                if (n[0] == '1')
                {
                    return len == 6 ? [2, 4] : [4, 3, 3];
                }
                return [1, 4, 4];
            case 49:
                if (n[0] == '1' || n.StartsWith("800") || n.StartsWith("900") || n.StartsWith("700"))
                {
                    return [3, len - 3];
                }
                return [GermanAreaCodeLength(n), len - GermanAreaCodeLength(n)];
            case 33:
                return [1, 2, 2, 2, 2];
            default:
                return [len];
        }
    }

    // Berlin, Hamburg, Frankfurt and Munich have 2-digit codes; codes ending in 1 (221 Köln, 711
    // Stuttgart …) have 3; most others 4. Only the space position depends on this.
    private static int GermanAreaCodeLength(ReadOnlySpan<char> n) =>
        n.StartsWith("30") || n.StartsWith("40") || n.StartsWith("69") || n.StartsWith("89") || n.StartsWith("32") ? 2
        : n[2] == '1' ? 3
        : 4;
}
