using System.Text;

namespace ConsentPlatform.Telephony;

internal static class NumberFormatter
{
    internal static string National(PhoneNumber number)
    {
        if (number.CountryCode != 81)
        {
            return WorldNumbers.FormatNational(number);
        }
        var nsn = number.NationalSpan;
        var builder = new StringBuilder(16).Append('0');
        AppendGroups(builder, nsn, JapanNumberingPlan.Groups(nsn, number.Type));
        return builder.ToString();
    }

    internal static string International(PhoneNumber number)
    {
        if (number.CountryCode != 81)
        {
            return WorldNumbers.FormatInternational(number);
        }
        var nsn = number.NationalSpan;
        var builder = new StringBuilder(20).Append("+81 ");
        AppendGroups(builder, nsn, JapanNumberingPlan.Groups(nsn, number.Type));
        return builder.ToString();
    }

    /// <summary>
    /// Keeps the leading group (trunk + area/mobile prefix) and the last four digits; everything
    /// between becomes '*'. When that would leave fewer than four hidden digits the leading group is
    /// hidden too, so a short number is never shown whole.
    /// </summary>
    internal static string Masked(PhoneNumber number)
    {
        var national = National(number);
        var chars = national.ToCharArray();
        var digitCount = 0;
        var firstGroupDigits = 0;
        var inFirstGroup = true;
        foreach (var c in chars)
        {
            if (char.IsAsciiDigit(c))
            {
                digitCount++;
                if (inFirstGroup)
                {
                    firstGroupDigits++;
                }
            }
            else if (digitCount > 0)
            {
                inFirstGroup = false;
            }
        }
        var keepFront = digitCount - 4 - firstGroupDigits >= 4 ? firstGroupDigits : 0;
        var seen = 0;
        for (var i = 0; i < chars.Length; i++)
        {
            if (!char.IsAsciiDigit(chars[i]))
            {
                continue;
            }
            seen++;
            if (seen > keepFront && seen <= digitCount - 4)
            {
                chars[i] = '*';
            }
        }
        return new string(chars);
    }

    private static void AppendGroups(StringBuilder builder, ReadOnlySpan<char> nsn, int[] groups)
    {
        var at = 0;
        for (var g = 0; g < groups.Length && at < nsn.Length; g++)
        {
            if (g > 0)
            {
                builder.Append('-');
            }
            var take = g == groups.Length - 1 ? nsn.Length - at : Math.Min(groups[g], nsn.Length - at);
            builder.Append(nsn.Slice(at, take));
            at += take;
        }
    }
}
