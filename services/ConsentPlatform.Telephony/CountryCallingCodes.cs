namespace ConsentPlatform.Telephony;

/// <summary>
/// ITU-T E.164 country calling codes (List of ITU-T Recommendation E.164 assigned country codes,
/// complement to ITU-T E.164, status as of 2024) with the range of national significant number
/// lengths each national plan uses. Countries without a detailed plan here are validated by these
/// lengths only and come back as <see cref="PhoneNumberType.Unknown"/>.
/// </summary>
internal static class CountryCallingCodes
{
    internal readonly record struct Entry(int Code, string Region, int MinLength, int MaxLength);

    // Where a code is shared (+1, +7, +44, +262 …) the region listed is the main one; detailed
    // rules refine it (NANP by area code, +7 by leading digit).
    private static readonly Entry[] Entries =
    [
        new(1, "US", 10, 10), new(7, "RU", 10, 10),
        new(20, "EG", 8, 10), new(27, "ZA", 9, 9), new(30, "GR", 10, 10), new(31, "NL", 9, 11),
        new(32, "BE", 8, 9), new(33, "FR", 9, 9), new(34, "ES", 9, 9), new(36, "HU", 8, 9),
        new(39, "IT", 6, 11), new(40, "RO", 9, 9), new(41, "CH", 9, 9), new(43, "AT", 4, 13),
        new(44, "GB", 9, 10), new(45, "DK", 8, 8), new(46, "SE", 7, 10), new(47, "NO", 5, 8),
        new(48, "PL", 9, 9), new(49, "DE", 6, 11), new(51, "PE", 8, 9), new(52, "MX", 10, 10),
        new(53, "CU", 6, 8), new(54, "AR", 10, 11), new(55, "BR", 10, 11), new(56, "CL", 9, 9),
        new(57, "CO", 8, 10), new(58, "VE", 10, 10), new(60, "MY", 8, 10), new(61, "AU", 6, 10),
        new(62, "ID", 8, 12), new(63, "PH", 8, 10), new(64, "NZ", 8, 10), new(65, "SG", 8, 11),
        new(66, "TH", 8, 9), new(81, "JP", 9, 10), new(82, "KR", 8, 10), new(84, "VN", 9, 10),
        new(86, "CN", 10, 11), new(90, "TR", 10, 10), new(91, "IN", 10, 10), new(92, "PK", 9, 10),
        new(93, "AF", 9, 9), new(94, "LK", 9, 9), new(95, "MM", 7, 10), new(98, "IR", 10, 10),
        new(211, "SS", 9, 9), new(212, "MA", 9, 9), new(213, "DZ", 8, 9), new(216, "TN", 8, 8),
        new(218, "LY", 8, 9), new(220, "GM", 7, 7), new(221, "SN", 9, 9), new(222, "MR", 8, 8),
        new(223, "ML", 8, 8), new(224, "GN", 8, 9), new(225, "CI", 8, 10), new(226, "BF", 8, 8),
        new(227, "NE", 8, 8), new(228, "TG", 8, 8), new(229, "BJ", 8, 10), new(230, "MU", 7, 8),
        new(231, "LR", 7, 9), new(232, "SL", 8, 8), new(233, "GH", 9, 9), new(234, "NG", 8, 10),
        new(235, "TD", 8, 8), new(236, "CF", 8, 8), new(237, "CM", 8, 9), new(238, "CV", 7, 7),
        new(239, "ST", 7, 7), new(240, "GQ", 9, 9), new(241, "GA", 7, 8), new(242, "CG", 9, 9),
        new(243, "CD", 7, 9), new(244, "AO", 9, 9), new(245, "GW", 7, 9), new(246, "IO", 7, 7),
        new(247, "AC", 5, 6), new(248, "SC", 7, 7), new(249, "SD", 9, 9), new(250, "RW", 9, 9),
        new(251, "ET", 9, 9), new(252, "SO", 7, 9), new(253, "DJ", 8, 8), new(254, "KE", 9, 10),
        new(255, "TZ", 9, 9), new(256, "UG", 9, 9), new(257, "BI", 8, 8), new(258, "MZ", 8, 9),
        new(260, "ZM", 9, 9), new(261, "MG", 9, 9), new(262, "RE", 9, 9), new(263, "ZW", 8, 10),
        new(264, "NA", 8, 10), new(265, "MW", 7, 9), new(266, "LS", 8, 8), new(267, "BW", 7, 8),
        new(268, "SZ", 8, 8), new(269, "KM", 7, 7), new(290, "SH", 4, 5), new(291, "ER", 7, 7),
        new(297, "AW", 7, 7), new(298, "FO", 6, 6), new(299, "GL", 6, 6),
        new(350, "GI", 8, 8), new(351, "PT", 9, 9), new(352, "LU", 4, 11), new(353, "IE", 7, 9),
        new(354, "IS", 7, 9), new(355, "AL", 8, 9), new(356, "MT", 8, 8), new(357, "CY", 8, 8),
        new(358, "FI", 5, 12), new(359, "BG", 7, 9), new(370, "LT", 8, 8), new(371, "LV", 8, 8),
        new(372, "EE", 7, 8), new(373, "MD", 8, 8), new(374, "AM", 8, 8), new(375, "BY", 9, 10),
        new(376, "AD", 6, 8), new(377, "MC", 8, 9), new(378, "SM", 6, 10), new(380, "UA", 9, 9),
        new(381, "RS", 7, 10), new(382, "ME", 8, 8), new(383, "XK", 8, 8), new(385, "HR", 8, 9),
        new(386, "SI", 8, 8), new(387, "BA", 8, 9), new(389, "MK", 8, 8),
        new(420, "CZ", 9, 9), new(421, "SK", 9, 9), new(423, "LI", 7, 9),
        new(500, "FK", 5, 5), new(501, "BZ", 7, 7), new(502, "GT", 8, 8), new(503, "SV", 7, 8),
        new(504, "HN", 8, 8), new(505, "NI", 8, 8), new(506, "CR", 8, 8), new(507, "PA", 7, 8),
        new(508, "PM", 6, 6), new(509, "HT", 8, 8), new(590, "GP", 9, 9), new(591, "BO", 8, 8),
        new(592, "GY", 7, 7), new(593, "EC", 8, 9), new(594, "GF", 9, 9), new(595, "PY", 9, 9),
        new(596, "MQ", 9, 9), new(597, "SR", 6, 7), new(598, "UY", 8, 8), new(599, "CW", 7, 8),
        new(670, "TL", 7, 8), new(672, "NF", 6, 6), new(673, "BN", 7, 7), new(674, "NR", 7, 7),
        new(675, "PG", 7, 8), new(676, "TO", 5, 7), new(677, "SB", 5, 7), new(678, "VU", 5, 7),
        new(679, "FJ", 7, 7), new(680, "PW", 7, 7), new(681, "WF", 6, 6), new(682, "CK", 5, 5),
        new(683, "NU", 4, 7), new(685, "WS", 5, 10), new(686, "KI", 5, 8), new(687, "NC", 6, 6),
        new(688, "TV", 5, 7), new(689, "PF", 6, 8), new(690, "TK", 4, 7), new(691, "FM", 7, 7),
        new(692, "MH", 7, 7),
        new(800, "001", 8, 8), new(808, "001", 8, 8),
        new(850, "KP", 8, 10), new(852, "HK", 8, 8), new(853, "MO", 8, 8), new(855, "KH", 8, 9),
        new(856, "LA", 8, 10), new(870, "001", 9, 9), new(878, "001", 10, 12), new(880, "BD", 10, 10),
        new(881, "001", 9, 10), new(882, "001", 8, 12), new(883, "001", 9, 12), new(886, "TW", 8, 9),
        new(888, "001", 11, 11),
        new(960, "MV", 7, 7), new(961, "LB", 7, 8), new(962, "JO", 8, 9), new(963, "SY", 8, 9),
        new(964, "IQ", 8, 10), new(965, "KW", 7, 8), new(966, "SA", 9, 9), new(967, "YE", 7, 9),
        new(968, "OM", 8, 8), new(970, "PS", 9, 9), new(971, "AE", 8, 9), new(972, "IL", 8, 9),
        new(973, "BH", 8, 8), new(974, "QA", 8, 8), new(975, "BT", 7, 8), new(976, "MN", 8, 8),
        new(977, "NP", 8, 10), new(979, "001", 9, 9),
        new(992, "TJ", 9, 9), new(993, "TM", 8, 8), new(994, "AZ", 9, 9), new(995, "GE", 9, 9),
        new(996, "KG", 9, 9), new(998, "UZ", 9, 9),
    ];

    private static readonly short[] IndexByCode = BuildIndex();

    private static short[] BuildIndex()
    {
        var index = new short[1000];
        Array.Fill(index, (short)-1);
        for (var i = 0; i < Entries.Length; i++)
        {
            index[Entries[i].Code] = (short)i;
        }
        return index;
    }

    internal static IReadOnlyList<Entry> All => Entries;

    internal static bool TryGet(int code, out Entry entry)
    {
        if ((uint)code < 1000 && IndexByCode[code] >= 0)
        {
            entry = Entries[IndexByCode[code]];
            return true;
        }
        entry = default;
        return false;
    }

    /// <summary>Country codes are prefix-free, so the first 1–3 digits that name one are the code.</summary>
    internal static bool TryMatch(ReadOnlySpan<char> digits, out Entry entry, out int consumed)
    {
        var code = 0;
        // No code starts with 0; without this "01…" would read as +1.
        if (digits.IsEmpty || digits[0] == '0')
        {
            entry = default;
            consumed = 0;
            return false;
        }
        for (var i = 0; i < 3 && i < digits.Length; i++)
        {
            code = code * 10 + (digits[i] - '0');
            if (TryGet(code, out entry))
            {
                consumed = i + 1;
                return true;
            }
        }
        entry = default;
        consumed = 0;
        return false;
    }

    internal static int DigitCount(int code) => code < 10 ? 1 : code < 100 ? 2 : 3;

    /// <summary>Default regions we can read national (non-+) input for.</summary>
    internal static bool TryGetRegionCode(string region, out int code)
    {
        code = region.Length != 2 ? 0 : (char.ToUpperInvariant(region[0]), char.ToUpperInvariant(region[1])) switch
        {
            ('J', 'P') => 81,
            ('U', 'S') or ('C', 'A') => 1,
            ('G', 'B') => 44,
            ('K', 'R') => 82,
            ('C', 'N') => 86,
            ('T', 'W') => 886,
            ('S', 'G') => 65,
            ('A', 'U') => 61,
            ('D', 'E') => 49,
            ('F', 'R') => 33,
            _ => 0,
        };
        return code != 0;
    }
}
