namespace ConsentPlatform.Telephony;

/// <summary>
/// 総務省 電気通信番号計画 (MIC Telecommunications Numbering Plan, 令和元年総務省告示第6号 and
/// later amendments). National significant numbers here are without the trunk prefix 0.
/// </summary>
internal static class JapanNumberingPlan
{
    internal static PhoneParseError Classify(ReadOnlySpan<char> nsn, out PhoneNumberType type, out string? message)
    {
        type = PhoneNumberType.Unknown;
        message = null;
        if (nsn.Length < 2)
        {
            return PhoneParseError.TooShort;
        }

        char a = nsn[0], b = nsn[1];
        char c = nsn.Length > 2 ? nsn[2] : '\0';

        // 0AB0 service numbers come first because they overlap the fixed-line shape.
        if (a == '1' && b == '2' && c == '0')
        {
            return Length(nsn, 9, PhoneNumberType.TollFree, "0120 numbers have 10 digits.", out type, out message);
        }
        if (a == '8' && b == '0' && c == '0')
        {
            return Length(nsn, 10, PhoneNumberType.TollFree, "0800 numbers have 11 digits.", out type, out message);
        }
        if (a == '5' && b == '7' && c == '0')
        {
            // ナビダイヤル: one number routed to many lines, the caller pays; nothing there reads SMS.
            return Length(nsn, 9, PhoneNumberType.Uan, "0570 numbers have 10 digits.", out type, out message);
        }
        if (a == '6' && b == '0' && nsn.Length == 9)
        {
            // 060 is shared: personal (UPT) numbers 060-XXX-XXXX, mobile numbers 060-XXXX-XXXX.
            type = PhoneNumberType.PersonalNumber;
            return PhoneParseError.None;
        }
        if (a == '9' && b == '9' && c == '0')
        {
            return Length(nsn, 9, PhoneNumberType.Premium, "0990 numbers have 10 digits.", out type, out message);
        }
        if (b == '0')
        {
            switch (a)
            {
                case '6' or '7' or '8' or '9':
                    return Length(nsn, 10, PhoneNumberType.Mobile, "Mobile numbers (060/070/080/090) have 11 digits.", out type, out message);
                case '5':
                    return Length(nsn, 10, PhoneNumberType.Voip, "IP phone numbers (050) have 11 digits.", out type, out message);
                case '2':
                    // 0204 stays with radio paging (無線呼出し); the rest of 020 is M2M.
                    return Length(nsn, 10, c == '4' ? PhoneNumberType.Pager : PhoneNumberType.M2M, "020 numbers have 11 digits.", out type, out message);
                default:
                    // 010 is the international prefix, 030/040 are not allocated.
                    message = "Japanese numbers do not start with 010, 030 or 040 (010 is the international prefix).";
                    return PhoneParseError.InvalidNumber;
            }
        }
        if ((a == '1' && b == '7' && c == '0') || (a == '1' && b == '8' && c == '0'))
        {
            // 0170 (伝言ダイヤル) and 0180 (テレドーム) reach services, never a person.
            message = "0170 and 0180 numbers are services, not subscriber lines.";
            return PhoneParseError.InvalidNumber;
        }
        if (a is < '1' or > '9' || !IsAllocatedAreaStart(a, b))
        {
            message = "That area code is not allocated.";
            return PhoneParseError.InvalidNumber;
        }
        return Length(nsn, 9, PhoneNumberType.Fixed, "Fixed-line numbers have 10 digits including the area code.", out type, out message);
    }

    // Second digit of the area code: 0A1 is unallocated outside 01x (Hokkaido/Tohoku), 03 and 06.
    private static bool IsAllocatedAreaStart(char a, char b) => b != '1' || a is '1' or '3' or '6';

    private static PhoneParseError Length(ReadOnlySpan<char> nsn, int expected, PhoneNumberType kind, string lengthMessage,
        out PhoneNumberType type, out string? message)
    {
        if (nsn.Length == expected)
        {
            type = kind;
            message = null;
            return PhoneParseError.None;
        }
        type = PhoneNumberType.Unknown;
        message = lengthMessage;
        return nsn.Length < expected ? PhoneParseError.TooShort : PhoneParseError.TooLongForRegion;
    }

    /// <summary>Group sizes of the national significant number: 90|1234|5678, 3|1234|5678, 120|123|456.</summary>
    internal static int[] Groups(ReadOnlySpan<char> nsn, PhoneNumberType type) => type switch
    {
        PhoneNumberType.Mobile or PhoneNumberType.Voip or PhoneNumberType.M2M or PhoneNumberType.Pager => [2, 4, 4],
        PhoneNumberType.TollFree when nsn.Length == 10 => [3, 3, 4],
        PhoneNumberType.TollFree or PhoneNumberType.Uan or PhoneNumberType.Premium => [3, 3, 3],
        PhoneNumberType.PersonalNumber => [2, 3, 4],
        _ => AreaCodeLength(nsn) switch
        {
            1 => [1, 4, 4],
            2 => [2, 3, 4],
            4 => [4, 1, 4],
            _ => [3, 2, 4],
        },
    };

    // Area codes (市外局番) without the 0: 1 to 4 digits, local exchange (市内局番) fills up to 5,
    // subscriber number is always 4. The MIC list of 4-digit codes is complete; 1- and 2-digit codes
    // are listed for the metropolitan areas with the 3-digit codes carved out of them; everything
    // else is a 3-digit code. Only hyphen placement depends on this, never the digits.
    private static readonly string[] FourDigitAreaCodes =
    [
        "1267", "1372", "1374", "1377", "1392", "1397", "1398", "1456", "1457", "1466", "1547", "1558",
        "1564", "1586", "1587", "1632", "1634", "1635", "1648", "1654", "1655", "1656", "1658", "4992",
        "4994", "4996", "4998", "5769", "5979", "7468", "8387", "8388", "8396", "8477", "8512", "8514",
        "9496", "9802", "9912", "9913", "9969",
    ];

    // Two-digit area code → the third digits that instead start a three-digit code (or a 1-digit 04 code).
    private static readonly (string Code, string Carved)[] TwoDigitAreaCodes =
    [
        ("11", ""), ("17", "2345689"), ("18", "234567"), ("19", "12345678"), ("22", "03456789"),
        ("23", "345678"), ("24", "012345678"), ("25", "0456789"), ("26", "013456789"), ("27", "046789"),
        ("28", "02345789"), ("29", "1345679"), ("42", "0289"), ("43", "689"), ("44", ""), ("45", ""),
        ("46", "03567"), ("47", "015689"), ("48", "0"), ("49", "345"), ("52", ""), ("53", "1236789"),
        ("54", "4578"), ("55", "0134568"), ("58", "14567"), ("59", "456789"), ("72", "15"),
        ("73", "56789"), ("75", ""), ("76", "135678"), ("77", "01234689"), ("78", ""), ("79", "0145679"),
        ("82", "034679"), ("83", "345678"), ("84", "5678"), ("86", "356789"), ("87", "579"),
        ("88", "034579"), ("89", "2345678"), ("92", "0"), ("93", "0"), ("95", "05679"), ("96", "456789"),
        ("97", "23456789"), ("98", "0"), ("99", "34567"),
    ];

    internal static int AreaCodeLength(ReadOnlySpan<char> nsn)
    {
        if (nsn.Length >= 4)
        {
            foreach (var code in FourDigitAreaCodes)
            {
                if (nsn.StartsWith(code))
                {
                    return 4;
                }
            }
        }
        if (nsn[0] is '3' or '6')
        {
            return 1;
        }
        // 04-20xx, 04-29xx (所沢・入間), 04-70xx, 04-71xx (柏・鴨川): the 04 one-digit code.
        if (nsn.Length >= 3 && nsn[0] == '4' && ((nsn[1] == '2' && nsn[2] is '0' or '9') || (nsn[1] == '7' && nsn[2] is '0' or '1')))
        {
            return 1;
        }
        if (nsn.Length >= 3)
        {
            foreach (var (code, carved) in TwoDigitAreaCodes)
            {
                if (nsn[0] == code[0] && nsn[1] == code[1])
                {
                    return carved.Contains(nsn[2]) ? 3 : 2;
                }
            }
        }
        return 3;
    }
}
