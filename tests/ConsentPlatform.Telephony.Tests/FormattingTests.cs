using ConsentPlatform.Telephony;

namespace ConsentPlatform.Telephony.Tests;

public class FormattingTests
{
    [Theory]
    [InlineData("09012345678", "JP", "090-1234-5678", "+81 90-1234-5678", "090-****-5678")]
    [InlineData("+815012345678", "JP", "050-1234-5678", "+81 50-1234-5678", "050-****-5678")]
    [InlineData("0312345678", "JP", "03-1234-5678", "+81 3-1234-5678", "03-****-5678")]
    [InlineData("0661234567", "JP", "06-6123-4567", "+81 6-6123-4567", "06-****-4567")]
    [InlineData("0471234567", "JP", "04-7123-4567", "+81 4-7123-4567", "04-****-4567")]
    [InlineData("0456712121", "JP", "045-671-2121", "+81 45-671-2121", "***-***-2121")]
    [InlineData("0112345678", "JP", "011-234-5678", "+81 11-234-5678", "***-***-5678")]
    [InlineData("0463211511", "JP", "0463-21-1511", "+81 463-21-1511", "****-**-1511")]
    [InlineData("0126723456", "JP", "01267-2-3456", "+81 1267-2-3456", "*****-*-3456")]
    [InlineData("0120123456", "JP", "0120-123-456", "+81 120-123-456", "****-**3-456")]
    [InlineData("08001234567", "JP", "0800-123-4567", "+81 800-123-4567", "****-***-4567")]
    [InlineData("+12125550123", "JP", "(212) 555-0123", "+1 212-555-0123", "(***) ***-0123")]
    [InlineData("+442079460018", "JP", "020 7946 0018", "+44 20 7946 0018", "020 **** 0018")]
    [InlineData("+447400123456", "JP", "07400 123456", "+44 7400 123456", "***** **3456")]
    [InlineData("+821012345678", "JP", "010-1234-5678", "+82 10-1234-5678", "010-****-5678")]
    [InlineData("+8613800138000", "JP", "138 0013 8000", "+86 138 0013 8000", "138 **** 8000")]
    [InlineData("+886912345678", "JP", "0912 345 678", "+886 912 345 678", "**** **5 678")]
    [InlineData("+6591234567", "JP", "9123 4567", "+65 9123 4567", "**** 4567")]
    [InlineData("+61412345678", "JP", "0412 345 678", "+61 412 345 678", "**** **5 678")]
    [InlineData("+4915123456789", "JP", "01512 3456789", "+49 1512 3456789", "***** ***6789")]
    [InlineData("+33612345678", "JP", "06 12 34 56 78", "+33 6 12 34 56 78", "06 ** ** 56 78")]
    [InlineData("+919876543210", "JP", "098765 43210", "+91 98765 43210", "****** *3210")]
    public void Number_formats_nationally_internationally_and_masked(string input, string region, string national, string international, string masked)
    {
        var number = PhoneNumbers.Parse(input, region).Number;

        Assert.Equal(national, number.FormatNational());
        Assert.Equal(international, number.FormatInternational());
        Assert.Equal(masked, number.FormatMasked());
    }

    [Fact]
    public void Masked_format_always_hides_at_least_four_digits()
    {
        foreach (var (national, _, _, _) in NumberingPlanTableTests.Japan)
        {
            var masked = PhoneNumbers.Parse(national).Number.FormatMasked();
            Assert.True(masked.Count(c => c == '*') >= 4, masked);
        }
    }

    [Fact]
    public void National_format_parses_back_to_the_same_number()
    {
        foreach (var (national, e164, _, _) in NumberingPlanTableTests.Japan)
        {
            var number = PhoneNumbers.Parse(national).Number;
            Assert.Equal(e164, PhoneNumbers.Parse(number.FormatNational()).Number.E164);
            Assert.Equal(e164, PhoneNumbers.Parse(number.FormatInternational()).Number.E164);
        }
    }
}
