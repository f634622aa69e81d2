using ConsentPlatform.Telephony;
using E = ConsentPlatform.Telephony.PhoneParseError;
using T = ConsentPlatform.Telephony.PhoneNumberType;

namespace ConsentPlatform.Telephony.Tests;

/// <summary>Issue 15: numbers outside Japan, where libphonenumber's plans decide.</summary>
public class WorldNumbersTests
{
    [Theory]
    [InlineData("+31 06 12345678", "+31612345678")]
    [InlineData("+44 (0)20 7946 0000", "+442079460000")]
    [InlineData("+44 020 7946 0000", "+442079460000")]
    [InlineData("+43 01 234567890", "+431234567890")]
    [InlineData("0031 06 12345678", "+31612345678")]
    public void National_trunk_prefix_written_after_the_country_code_is_dropped(string input, string e164)
    {
        var result = PhoneNumbers.Parse(input);

        Assert.True(result.IsValid, $"{input}: {result.Error}");
        Assert.Equal(e164, result.Number.E164);
    }

    [Theory]
    [InlineData("+39 06 1234 5678", "+390612345678")]
    [InlineData("+39 (0)6 1234 5678", "+390612345678")]
    public void Leading_zero_stays_where_the_plan_has_no_trunk_prefix(string input, string e164)
    {
        Assert.Equal(e164, PhoneNumbers.Parse(input).Number.E164);
    }

    [Theory]
    [InlineData("+1 444 339 8019")]
    [InlineData("+44 36 1234 5678")]
    public void Unallocated_range_is_refused_as_not_in_use(string input)
    {
        var result = PhoneNumbers.Parse(input);

        Assert.Equal(E.InvalidNumber, result.Error);
    }

    [Theory]
    [InlineData("+65 6097 1234", "+6560971234", T.Fixed, false)]
    [InlineData("+33 8 06 12 34 56", "+33806123456", T.Uan, false)]
    [InlineData("+33 8 10 12 34 56", "+33810123456", T.SharedCost, false)]
    [InlineData("+82 50 1234 5678", "+825012345678", T.PersonalNumber, false)]
    [InlineData("+886 990 123 456", "+886990123456", T.PersonalNumber, false)]
    public void Allocated_range_our_own_tables_refused_or_mistyped_is_read(string input, string e164, T type, bool sms)
    {
        var result = PhoneNumbers.Parse(input);

        Assert.True(result.IsValid, $"{input}: {result.Error}");
        Assert.Equal(e164, result.Number.E164);
        Assert.Equal(type, result.Number.Type);
        Assert.Equal(sms, result.Number.CanReceiveSms);
    }

    [Theory]
    [InlineData("06 12345678", "NL", "+31612345678")]
    [InlineData("06 1234 5678", "IT", "+390612345678")]
    [InlineData("(11) 91234-5678", "BR", "+5511912345678")]
    [InlineData("01 234567890", "AT", "+431234567890")]
    [InlineData("020 7946 0000", "gb", "+442079460000")]
    [InlineData("8 (912) 345-67-89", "RU", "+79123456789")]
    [InlineData("00 81 90 1234 5678", "NL", "+819012345678")]
    public void National_input_is_read_for_any_region_libphonenumber_knows(string input, string region, string e164)
    {
        var result = PhoneNumbers.Parse(input, region);

        Assert.True(result.IsValid, $"{input} ({region}): {result.Error}");
        Assert.Equal(e164, result.Number.E164);
    }

    [Theory]
    [InlineData("+44 20 7946 0000 ext. 12", E.Extension)]
    [InlineData("+31 6 1234 5678;ext=1", E.Extension)]
    [InlineData("+1-800-FLOWERS", E.InvalidCharacters)]
    [InlineData("+31 6 1234 5678 *", E.InvalidCharacters)]
    [InlineData("tel:+31612345678", E.InvalidCharacters)]
    public void Extensions_letters_and_stray_characters_stay_refused_though_libphonenumber_reads_them(string input, E error)
    {
        Assert.Equal(error, PhoneNumbers.Parse(input).Error);
    }

    [Theory]
    [InlineData("+31 6 1234 567", E.TooShort)]
    [InlineData("+31 6 1234 56789", E.TooLongForRegion)]
    [InlineData("+999 1234 5678", E.UnknownCountryCode)]
    public void Wrong_length_and_unknown_country_code_keep_their_precise_reason(string input, E error)
    {
        Assert.Equal(error, PhoneNumbers.Parse(input).Error);
    }
}
