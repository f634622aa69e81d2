using ConsentPlatform.Telephony;
using T = ConsentPlatform.Telephony.PhoneNumberType;

namespace ConsentPlatform.Telephony.Tests;

/// <summary>MIC's prefix families, each with the type it is and whether we text it.</summary>
public class JapaneseSmsCapabilityTests
{
    [Theory]
    [InlineData("090-1234-5678", T.Mobile, true)]
    [InlineData("080-1234-5678", T.Mobile, true)]
    [InlineData("070-1234-5678", T.Mobile, true)]
    [InlineData("060-1234-5678", T.Mobile, true)]
    [InlineData("060-123-4567", T.PersonalNumber, false)]
    [InlineData("050-1234-5678", T.Voip, false)]
    [InlineData("020-1234-5678", T.M2M, false)]
    [InlineData("020-4123-4567", T.Pager, false)]
    [InlineData("0120-123-456", T.TollFree, false)]
    [InlineData("0800-123-4567", T.TollFree, false)]
    [InlineData("0570-123-456", T.Uan, false)]
    [InlineData("0990-123-456", T.Premium, false)]
    [InlineData("03-1234-5678", T.Fixed, false)]
    [InlineData("0463-21-1511", T.Fixed, false)]
    public void Prefix_family_decides_the_type_and_whether_the_number_can_receive_sms(string national, T type, bool sms)
    {
        var result = PhoneNumbers.Parse(national);

        Assert.True(result.IsValid, $"{national}: {result.Error}");
        Assert.Equal(type, result.Number.Type);
        Assert.Equal(sms, result.Number.CanReceiveSms);
        Assert.Equal(national, result.Number.FormatNational());
    }
}
