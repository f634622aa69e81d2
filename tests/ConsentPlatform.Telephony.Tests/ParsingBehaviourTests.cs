using ConsentPlatform.Telephony;

namespace ConsentPlatform.Telephony.Tests;

public class ParsingBehaviourTests
{
    [Fact]
    public void Full_width_mobile_number_parses_to_e164()
    {
        Assert.Equal("+819012345678", PhoneNumbers.Parse("０９０－１２３４－５６７８").Number.E164);
    }

    [Fact]
    public void Input_already_in_e164_is_returned_as_the_same_string_instance()
    {
        var input = string.Concat("+8190", "12345678");

        var result = PhoneNumbers.Parse(input);

        Assert.Same(input, result.Number.E164);
    }

    [Fact]
    public void E164_input_with_a_trunk_zero_is_normalized_rather_than_echoed()
    {
        Assert.Equal("+819012345678", PhoneNumbers.Parse("+8109012345678").Number.E164);
    }

    [Fact]
    public void Country_code_typed_without_plus_is_understood_in_japan()
    {
        Assert.Equal("+819012345678", PhoneNumbers.Parse("81-90-1234-5678").Number.E164);
    }

    [Fact]
    public void Bracketed_zero_is_a_trunk_prefix_only_after_the_country_code()
    {
        Assert.Equal("+81312345678", PhoneNumbers.Parse("+81(0)3-1234-5678").Number.E164);
        Assert.Equal("+81312345678", PhoneNumbers.Parse("(03) 1234-5678").Number.E164);
        Assert.Equal("+81312345678", PhoneNumbers.Parse("(0)3-1234-5678").Number.E164);
    }

    [Fact]
    public void Default_region_defaults_to_japan_and_is_case_insensitive()
    {
        Assert.Equal("+819012345678", PhoneNumbers.Parse("09012345678").Number.E164);
        Assert.Equal("+12125550123", PhoneNumbers.Parse("2125550123", "us").Number.E164);
    }

    [Fact]
    public void Other_unicode_decimal_digits_read_as_their_values()
    {
        // Arabic-Indic digits ٠١٢…
        Assert.Equal("+819012345678", PhoneNumbers.Parse("+٨١ ٩٠ ١٢٣٤ ٥٦٧٨").Number.E164);
    }

    [Fact]
    public void International_input_ignores_an_unsupported_default_region()
    {
        Assert.True(PhoneNumbers.Parse("+81 90 1234 5678", "ZZ").IsValid);
    }

    [Fact]
    public void Italian_leading_zero_stays_part_of_the_number()
    {
        Assert.Equal("+390612345678", PhoneNumbers.Parse("+39 06 1234 5678").Number.E164);
    }

    [Fact]
    public void Error_message_never_echoes_the_input()
    {
        var result = PhoneNumbers.Parse("090-1234-567");

        Assert.DoesNotContain("1234", result.ErrorMessage);
    }

    [Fact]
    public void Default_phone_number_is_empty_and_formats_to_empty_strings()
    {
        var number = default(PhoneNumber);

        Assert.True(number.IsEmpty);
        Assert.Equal("", number.FormatNational());
        Assert.Equal("", number.FormatMasked());
        Assert.Equal("", number.ToString());
    }

    [Fact]
    public void National_significant_number_is_the_digits_after_the_country_code()
    {
        Assert.Equal("9012345678", PhoneNumbers.Parse("090-1234-5678").Number.NationalSignificantNumber);
        Assert.Equal("2125550123", PhoneNumbers.Parse("+1 212 555 0123").Number.NationalSignificantNumber);
    }

    [Fact]
    public void Ten_thousand_character_input_is_rejected_as_too_long()
    {
        Assert.Equal(PhoneParseError.TooLong, PhoneNumbers.Parse(new string('9', 10_000)).Error);
    }
}
