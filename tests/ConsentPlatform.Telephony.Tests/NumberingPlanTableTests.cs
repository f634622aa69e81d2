using ConsentPlatform.Telephony;
using T = ConsentPlatform.Telephony.PhoneNumberType;
using E = ConsentPlatform.Telephony.PhoneParseError;

namespace ConsentPlatform.Telephony.Tests;

/// <summary>
/// Cases taken from the published numbering plans:
/// - Japan: 総務省 電気通信番号計画 (MIC Telecommunications Numbering Plan) and its 市外局番の一覧
///   (area code list): 0A0 non-geographic ranges (020 M2M, 050 IP, 060/070/080/090 mobile),
///   0120/0800 free dial, 0570 navi-dial, 0990, fixed lines of 10 digits with 1–4 digit area codes.
/// - +1: NANPA, NANP Administration Guidelines (NPA and NXX of the form [2-9]XX, N11 service codes),
///   NPA assignments for Canada and the Caribbean.
/// - +44: Ofcom National Telephone Numbering Plan (drama ranges 020 7946 0xxx, 07700 900xxx, 01632 960xxx).
/// - +82 MSIT 전기통신번호관리세칙, +86 MIIT 电信网编号计划, +886 NCC 電信網路編碼計畫,
///   +65 IMDA National Numbering Plan, +61 ACMA Telecommunications Numbering Plan 2015,
///   +49 BNetzA Nummernplan, +33 ARCEP plan national de numérotation.
/// - Country codes: ITU-T E.164 "List of ITU-T Recommendation E.164 assigned country codes".
/// </summary>
public class NumberingPlanTableTests
{
    // Japanese numbers as written nationally, with their E.164 form, type and SMS capability.
    public static readonly (string National, string E164, T Type, bool Sms)[] Japan =
    [
        ("090-1234-5678", "+819012345678", T.Mobile, true),
        ("080-9876-5432", "+818098765432", T.Mobile, true),
        ("070-1111-2222", "+817011112222", T.Mobile, true),
        ("060-1234-5678", "+816012345678", T.Mobile, true),
        ("080-1000-0001", "+818010000001", T.Mobile, true),
        ("090-0000-9999", "+819000009999", T.Mobile, true),
        ("050-1234-5678", "+815012345678", T.Voip, false),
        ("050-3000-0000", "+815030000000", T.Voip, false),
        ("020-1234-5678", "+812012345678", T.M2M, false),
        ("0120-123-456", "+81120123456", T.TollFree, false),
        ("0120-444-444", "+81120444444", T.TollFree, false),
        ("0800-123-4567", "+818001234567", T.TollFree, false),
        ("0800-555-0000", "+818005550000", T.TollFree, false),
        ("0570-123-456", "+81570123456", T.Uan, false),
        ("0570-064-000", "+81570064000", T.Uan, false),
        ("0990-123-456", "+81990123456", T.Premium, false),
        // One-digit area codes: 03 東京, 06 大阪, 04 所沢/柏.
        ("03-1234-5678", "+81312345678", T.Fixed, false),
        ("03-5253-2111", "+81352532111", T.Fixed, false),
        ("06-6123-4567", "+81661234567", T.Fixed, false),
        ("04-2912-3456", "+81429123456", T.Fixed, false),
        ("04-7123-4567", "+81471234567", T.Fixed, false),
        // Two-digit area codes.
        ("011-234-5678", "+81112345678", T.Fixed, false),
        ("022-212-3456", "+81222123456", T.Fixed, false),
        ("045-671-2121", "+81456712121", T.Fixed, false),
        ("052-961-1111", "+81529611111", T.Fixed, false),
        ("075-222-3111", "+81752223111", T.Fixed, false),
        ("078-331-8181", "+81783318181", T.Fixed, false),
        ("092-711-4111", "+81927114111", T.Fixed, false),
        ("082-245-2111", "+81822452111", T.Fixed, false),
        ("044-200-2111", "+81442002111", T.Fixed, false),
        ("043-245-5111", "+81432455111", T.Fixed, false),
        ("048-829-1111", "+81488291111", T.Fixed, false),
        ("098-866-2333", "+81988662333", T.Fixed, false),
        ("099-224-1111", "+81992241111", T.Fixed, false),
        ("096-328-2111", "+81963282111", T.Fixed, false),
        // Three-digit area codes.
        ("0123-45-6789", "+81123456789", T.Fixed, false),
        ("0422-12-3456", "+81422123456", T.Fixed, false),
        ("0463-21-1511", "+81463211511", T.Fixed, false),
        ("0466-25-1111", "+81466251111", T.Fixed, false),
        ("0172-35-1111", "+81172351111", T.Fixed, false),
        ("0258-35-1122", "+81258351122", T.Fixed, false),
        ("0532-51-2111", "+81532512111", T.Fixed, false),
        ("0836-31-1111", "+81836311111", T.Fixed, false),
        ("0993-53-2111", "+81993532111", T.Fixed, false),
        // Four-digit area codes.
        ("01267-2-3456", "+81126723456", T.Fixed, false),
        ("01372-2-1111", "+81137221111", T.Fixed, false),
        ("01456-2-1111", "+81145621111", T.Fixed, false),
        ("04992-2-1111", "+81499221111", T.Fixed, false),
        ("05769-2-1111", "+81576921111", T.Fixed, false),
        ("08388-2-1111", "+81838821111", T.Fixed, false),
        ("09802-2-1111", "+81980221111", T.Fixed, false),
        ("09969-2-1111", "+81996921111", T.Fixed, false),
    ];

    /// <summary>Every way people type the same Japanese number.</summary>
    public static IEnumerable<string> JapaneseVariants(string national)
    {
        var withoutTrunk = national[1..];
        yield return national;
        yield return national.Replace("-", "");
        yield return ToFullWidth(national);
        yield return ToFullWidth(national).Replace('－', 'ー');
        yield return national.Replace('-', '‐');
        yield return national.Replace('-', '−');
        yield return national.Replace('-', '―');
        yield return national.Replace('-', ' ');
        yield return national.Replace('-', '.');
        yield return " " + national.Replace('-', '\u3000') + " ";
        yield return "+81 " + withoutTrunk;
        yield return "+81 (0)" + withoutTrunk;
        yield return "+81 " + national;
        yield return "0081-" + withoutTrunk;
        yield return "010-81-" + withoutTrunk;
        yield return "＋８１－" + ToFullWidth(withoutTrunk);
    }

    internal static string ToFullWidth(string s) =>
        new(s.Select(c => c is >= '0' and <= '9' ? (char)(c - '0' + '０') : c == '-' ? '－' : c == '+' ? '＋' : c).ToArray());

    public static TheoryData<string, string, T, bool> JapaneseCases()
    {
        var data = new TheoryData<string, string, T, bool>();
        foreach (var (national, e164, type, sms) in Japan)
        {
            foreach (var input in JapaneseVariants(national).Distinct())
            {
                data.Add(input, e164, type, sms);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(JapaneseCases))]
    public void Japanese_number_in_any_typed_form_parses_to_its_e164_type_and_sms_capability(string input, string e164, T type, bool sms)
    {
        var result = PhoneNumbers.Parse(input);

        Assert.True(result.IsValid, $"{input}: {result.Error}");
        Assert.Equal(e164, result.Number.E164);
        Assert.Equal(81, result.Number.CountryCode);
        Assert.Equal("JP", result.Number.RegionCode);
        Assert.Equal(type, result.Number.Type);
        Assert.Equal(sms, result.Number.CanReceiveSms);
    }

    public static TheoryData<string, string, string, string, T, bool> InternationalCases() => new()
    {
        // NANP (NANPA). National input in the number's own region, then E.164 from elsewhere.
        { "(212) 555-0123", "US", "+12125550123", "US", T.FixedOrMobile, true },
        { "212-555-0123", "US", "+12125550123", "US", T.FixedOrMobile, true },
        { "1 (415) 555-2671", "US", "+14155552671", "US", T.FixedOrMobile, true },
        { "+1 650 253 0000", "JP", "+16502530000", "US", T.FixedOrMobile, true },
        { "+1-907-555-0100", "JP", "+19075550100", "US", T.FixedOrMobile, true },
        { "808.555.0199", "US", "+18085550199", "US", T.FixedOrMobile, true },
        { "+1 800 555 0199", "JP", "+18005550199", "US", T.TollFree, false },
        { "1-888-555-0100", "US", "+18885550100", "US", T.TollFree, false },
        { "+1 900 555 0100", "JP", "+19005550100", "US", T.Premium, false },
        { "(416) 555-0123", "CA", "+14165550123", "CA", T.FixedOrMobile, true },
        { "604-555-0199", "US", "+16045550199", "CA", T.FixedOrMobile, true },
        { "+1 514 555 0100", "JP", "+15145550100", "CA", T.FixedOrMobile, true },
        { "+1 867 555 0100", "JP", "+18675550100", "CA", T.FixedOrMobile, true },
        { "+1 876 555 0123", "JP", "+18765550123", "JM", T.Mobile, true },
        { "+1 787 555 0123", "JP", "+17875550123", "PR", T.FixedOrMobile, true },
        { "010-1-212-555-0123", "JP", "+12125550123", "US", T.FixedOrMobile, true },
        { "011 81 90 1234 5678", "US", "+819012345678", "JP", T.Mobile, true },
        { "011-44-20-7946-0018", "CA", "+442079460018", "GB", T.Fixed, false },
        // United Kingdom (Ofcom).
        { "020 7946 0018", "GB", "+442079460018", "GB", T.Fixed, false },
        { "+44 20 7946 0018", "JP", "+442079460018", "GB", T.Fixed, false },
        { "+44 (0)20 7946 0018", "JP", "+442079460018", "GB", T.Fixed, false },
        { "0044 20 7946 0018", "GB", "+442079460018", "GB", T.Fixed, false },
        { "0113 496 0000", "GB", "+441134960000", "GB", T.Fixed, false },
        { "0121 234 5678", "GB", "+441212345678", "GB", T.Fixed, false },
        { "07400 123456", "GB", "+447400123456", "GB", T.Mobile, true },
        { "+44 7400 123456", "JP", "+447400123456", "GB", T.Mobile, true },
        { "07624 123456", "GB", "+447624123456", "IM", T.Mobile, true },
        { "0800 123 4567", "GB", "+448001234567", "GB", T.TollFree, false },
        { "0800 123 456", "GB", "+44800123456", "GB", T.TollFree, false },
        { "0808 157 0000", "GB", "+448081570000", "GB", T.TollFree, false },
        { "0845 123 4567", "GB", "+448451234567", "GB", T.Premium, false },
        { "0909 876 5432", "GB", "+449098765432", "GB", T.Premium, false },
        { "0303 123 4567", "GB", "+443031234567", "GB", T.Uan, false },
        { "070 1234 5678", "GB", "+447012345678", "GB", T.PersonalNumber, false },
        { "0561 234 5678", "GB", "+445612345678", "GB", T.Voip, false },
        // South Korea.
        { "010-1234-5678", "KR", "+821012345678", "KR", T.Mobile, true },
        { "+82 10-1234-5678", "JP", "+821012345678", "KR", T.Mobile, true },
        { "011-123-4567", "KR", "+82111234567", "KR", T.Mobile, true },
        { "02-123-4567", "KR", "+8221234567", "KR", T.Fixed, false },
        { "02-1234-5678", "KR", "+82212345678", "KR", T.Fixed, false },
        { "031-123-4567", "KR", "+82311234567", "KR", T.Fixed, false },
        { "051-1234-5678", "KR", "+825112345678", "KR", T.Fixed, false },
        { "070-1234-5678", "KR", "+827012345678", "KR", T.Voip, false },
        { "080-123-4567", "KR", "+82801234567", "KR", T.TollFree, false },
        { "1588-1234", "KR", "+8215881234", "KR", T.Uan, false },
        { "001-82-10-1234-5678", "KR", "+821012345678", "KR", T.Mobile, true },
        // China.
        { "13800138000", "CN", "+8613800138000", "CN", T.Mobile, true },
        { "138 0013 8000", "CN", "+8613800138000", "CN", T.Mobile, true },
        { "+86 138 0013 8000", "JP", "+8613800138000", "CN", T.Mobile, true },
        { "199 1234 5678", "CN", "+8619912345678", "CN", T.Mobile, true },
        { "010-1234-5678", "CN", "+861012345678", "CN", T.Fixed, false },
        { "021 1234 5678", "CN", "+862112345678", "CN", T.Fixed, false },
        { "0571 8888 8888", "CN", "+8657188888888", "CN", T.Fixed, false },
        { "0755-2345-6789", "CN", "+8675523456789", "CN", T.Fixed, false },
        { "400 123 4567", "CN", "+864001234567", "CN", T.SharedCost, false },
        { "800 123 4567", "CN", "+868001234567", "CN", T.TollFree, false },
        // Taiwan.
        { "0912-345-678", "TW", "+886912345678", "TW", T.Mobile, true },
        { "+886 912 345 678", "JP", "+886912345678", "TW", T.Mobile, true },
        { "02-2345-6789", "TW", "+886223456789", "TW", T.Fixed, false },
        { "07-123-4567", "TW", "+88671234567", "TW", T.Fixed, false },
        { "04-2345-6789", "TW", "+886423456789", "TW", T.Fixed, false },
        { "0800-123-456", "TW", "+886800123456", "TW", T.TollFree, false },
        { "002-81-90-1234-5678", "TW", "+819012345678", "JP", T.Mobile, true },
        // Singapore.
        { "9123 4567", "SG", "+6591234567", "SG", T.Mobile, true },
        { "+65 8123 4567", "JP", "+6581234567", "SG", T.Mobile, true },
        { "6123 4567", "SG", "+6561234567", "SG", T.Fixed, false },
        { "3123 4567", "SG", "+6531234567", "SG", T.Voip, false },
        { "1800 123 4567", "SG", "+6518001234567", "SG", T.TollFree, false },
        { "1900 123 4567", "SG", "+6519001234567", "SG", T.Premium, false },
        // Australia.
        { "0412 345 678", "AU", "+61412345678", "AU", T.Mobile, true },
        { "+61 412 345 678", "JP", "+61412345678", "AU", T.Mobile, true },
        { "02 9374 4000", "AU", "+61293744000", "AU", T.Fixed, false },
        { "(03) 9123 4567", "AU", "+61391234567", "AU", T.Fixed, false },
        { "07 3123 4567", "AU", "+61731234567", "AU", T.Fixed, false },
        { "08 9123 4567", "AU", "+61891234567", "AU", T.Fixed, false },
        { "1800 123 456", "AU", "+611800123456", "AU", T.TollFree, false },
        { "1300 123 456", "AU", "+611300123456", "AU", T.SharedCost, false },
        { "13 12 34", "AU", "+61131234", "AU", T.SharedCost, false },
        { "0011 81 90 1234 5678", "AU", "+819012345678", "JP", T.Mobile, true },
        // Germany.
        { "030 12345678", "DE", "+493012345678", "DE", T.Fixed, false },
        { "+49 30 12345678", "JP", "+493012345678", "DE", T.Fixed, false },
        { "089 1234567", "DE", "+49891234567", "DE", T.Fixed, false },
        { "0221 1234567", "DE", "+492211234567", "DE", T.Fixed, false },
        { "0151 23456789", "DE", "+4915123456789", "DE", T.Mobile, true },
        { "0171 1234567", "DE", "+491711234567", "DE", T.Mobile, true },
        { "0176 12345678", "DE", "+4917612345678", "DE", T.Mobile, true },
        { "0800 1234567", "DE", "+498001234567", "DE", T.TollFree, false },
        { "0900 1234567", "DE", "+499001234567", "DE", T.Premium, false },
        { "0180 5123456", "DE", "+491805123456", "DE", T.SharedCost, false },
        // France.
        { "01 23 45 67 89", "FR", "+33123456789", "FR", T.Fixed, false },
        { "+33 1 23 45 67 89", "JP", "+33123456789", "FR", T.Fixed, false },
        { "06 12 34 56 78", "FR", "+33612345678", "FR", T.Mobile, true },
        { "+33 (0)6 12 34 56 78", "JP", "+33612345678", "FR", T.Mobile, true },
        { "07 81 23 45 67", "FR", "+33781234567", "FR", T.Mobile, true },
        { "09 12 34 56 78", "FR", "+33912345678", "FR", T.Voip, false },
        { "0800 12 34 56", "FR", "+33800123456", "FR", T.TollFree, false },
        { "0810 12 34 56", "FR", "+33810123456", "FR", T.SharedCost, false },
        { "0891 12 34 56", "FR", "+33891123456", "FR", T.Premium, false },
        // Countries without a plan of our own: typed by libphonenumber.
        { "+39 06 1234 5678", "JP", "+390612345678", "IT", T.Fixed, false },
        { "+7 912 345 67 89", "JP", "+79123456789", "RU", T.Mobile, true },
        { "+7 701 234 5678", "JP", "+77012345678", "KZ", T.Mobile, true },
        { "+91 98765 43210", "JP", "+919876543210", "IN", T.Mobile, true },
        { "+852 2123 4567", "JP", "+85221234567", "HK", T.Fixed, false },
        { "+55 11 91234 5678", "JP", "+5511912345678", "BR", T.Mobile, true },
        { "+971 50 123 4567", "JP", "+971501234567", "AE", T.Mobile, true },
        { "+800 1234 5678", "JP", "+80012345678", "001", T.TollFree, false },
        { "0033 6 12 34 56 78", "JP", "+33612345678", "FR", T.Mobile, true },
    };

    [Theory]
    [MemberData(nameof(InternationalCases))]
    public void Number_from_a_published_plan_parses_to_its_e164_region_type_and_sms_capability(
        string input, string defaultRegion, string e164, string region, T type, bool sms)
    {
        var result = PhoneNumbers.Parse(input, defaultRegion);

        Assert.True(result.IsValid, $"{input}: {result.Error} {result.ErrorMessage}");
        Assert.Equal(e164, result.Number.E164);
        Assert.Equal(region, result.Number.RegionCode);
        Assert.Equal(type, result.Number.Type);
        Assert.Equal(sms, result.Number.CanReceiveSms);
    }

    public static TheoryData<string?, string, E> Rejections() => new()
    {
        { null, "JP", E.Empty },
        { "", "JP", E.Empty },
        { "   ", "JP", E.Empty },
        { "\u3000\t\n", "JP", E.Empty },
        { new string('1', 65), "JP", E.TooLong },
        { "090-1234-5678" + new string(' ', 10) + new string('0', 55), "JP", E.TooLong },
        // Japan: wrong lengths per type.
        { "090-1234-567", "JP", E.TooShort },
        { "090-1234-56789", "JP", E.TooLongForRegion },
        { "０９０－１２３４－５６７", "JP", E.TooShort },
        { "080-1234-567", "JP", E.TooShort },
        { "070-123-4567", "JP", E.TooShort },
        { "060-1234-56789", "JP", E.TooLongForRegion },
        { "050-1234-567", "JP", E.TooShort },
        { "020-1234-56789", "JP", E.TooLongForRegion },
        { "0120-123-45", "JP", E.TooShort },
        { "0120-123-4567", "JP", E.TooLongForRegion },
        { "0800-123-456", "JP", E.TooShort },
        { "0800-123-45678", "JP", E.TooLongForRegion },
        { "0570-123-45", "JP", E.TooShort },
        { "0570-123-4567", "JP", E.TooLongForRegion },
        { "03-1234-567", "JP", E.TooShort },
        { "03-1234-56789", "JP", E.TooLongForRegion },
        { "011-234-567", "JP", E.TooShort },
        { "0123-45-67890", "JP", E.TooLongForRegion },
        { "01267-2-345", "JP", E.TooShort },
        { "+81 90 1234 567", "JP", E.TooShort },
        { "+81 3 1234 56789", "US", E.TooLongForRegion },
        { "0", "JP", E.TooShort },
        { "090", "JP", E.TooShort },
        { "110", "JP", E.InvalidNumber },
        // Japan: ranges not allocated to subscribers.
        { "030-1234-5678", "JP", E.InvalidNumber },
        { "040-1234-5678", "JP", E.InvalidNumber },
        { "021-234-5678", "JP", E.InvalidNumber },
        { "051-234-5678", "JP", E.InvalidNumber },
        { "0170-123-456", "JP", E.InvalidNumber },
        { "0180-123-456", "JP", E.InvalidNumber },
        { "+81 10 1234 5678", "JP", E.InvalidNumber },
        { "9012345678", "JP", E.InvalidNumber },
        { "3-1234-5678", "JP", E.InvalidNumber },
        // Extensions and characters that are not part of a number.
        { "090-1234-5678 ext. 12", "JP", E.Extension },
        { "03-1234-5678 内線 123", "JP", E.Extension },
        { "03-1234-5678#123", "JP", E.Extension },
        { "03-1234-5678 x 45", "JP", E.Extension },
        { "+1 212 555 0123 x45", "US", E.Extension },
        { "+44 20 7946 0018 extension 2", "GB", E.Extension },
        { "03-1234-5678,123", "JP", E.Extension },
        { "090-ABCD-5678", "JP", E.InvalidCharacters },
        { "090*1234*5678", "JP", E.InvalidCharacters },
        { "090-1234-5678\0", "JP", E.InvalidCharacters },
        { "09+012345678", "JP", E.InvalidCharacters },
        { "++81 90 1234 5678", "JP", E.InvalidCharacters },
        { "090-1234-5678 ext", "JP", E.InvalidCharacters },
        { "tel:090-1234-5678", "JP", E.InvalidCharacters },
        { "1-800-FLOWERS", "US", E.InvalidCharacters },
        { "090\u200B1234\u200B5678", "JP", E.InvalidCharacters },
        { "09012345678", "XX", E.UnsupportedRegion },
        { "09012345678", "ZZ", E.UnsupportedRegion },
        { "---", "JP", E.TooShort },
        // Country codes (ITU-T E.164 list).
        { "+999 1234 5678", "JP", E.UnknownCountryCode },
        { "+28 1234 5678", "JP", E.UnknownCountryCode },
        { "+0 1234 5678", "JP", E.UnknownCountryCode },
        { "+", "JP", E.TooShort },
        { "+91 12345", "JP", E.TooShort },
        { "+39 12", "JP", E.TooShort },
        { "+852 2123 45678", "JP", E.TooLongForRegion },
        // NANP: NPA and NXX are [2-9]XX; N11 are service codes.
        { "+1 012 555 0123", "JP", E.InvalidNumber },
        { "+1 112 555 0123", "JP", E.InvalidNumber },
        { "+1 212 055 0123", "JP", E.InvalidNumber },
        { "+1 212 155 0123", "JP", E.InvalidNumber },
        { "+1 911 555 0123", "JP", E.InvalidNumber },
        { "(411) 555-0123", "US", E.InvalidNumber },
        { "+1 212 555 012", "JP", E.TooShort },
        { "+1 212 555 01234", "JP", E.TooLongForRegion },
        { "212-555-012", "US", E.TooShort },
        { "2-212-555-0123", "US", E.TooLongForRegion },
        // GB, KR, CN, TW, SG, AU, DE, FR.
        { "07400 12345", "GB", E.TooShort },
        { "07700 9001234", "GB", E.TooLongForRegion },
        { "0400 123 4567", "GB", E.InvalidNumber },
        { "010-1234-56", "KR", E.TooShort },
        { "099-123-4567", "KR", E.InvalidNumber },
        { "1380013800", "CN", E.TooShort },
        { "12000138000", "CN", E.InvalidNumber },
        { "0912-345-67", "TW", E.TooShort },
        { "01-234-5678", "TW", E.InvalidNumber },
        { "9123 456", "SG", E.TooShort },
        { "5123 4567", "SG", E.InvalidNumber },
        { "9912 3456", "SG", E.InvalidNumber },
        { "0412 345 67", "AU", E.TooShort },
        { "06 1234 5678", "AU", E.InvalidNumber },
        { "0151 2345678", "DE", E.TooShort },
        { "0100 1234567", "DE", E.InvalidNumber },
        { "030 1234567890123", "DE", E.TooLongForRegion },
        { "06 12 34 56 7", "FR", E.TooShort },
        { "06 12 34 56 789", "FR", E.TooLongForRegion },
        { "07 01 23 45 67", "FR", E.InvalidNumber },
    };

    [Theory]
    [MemberData(nameof(Rejections))]
    public void Input_outside_the_numbering_plan_is_rejected_with_its_reason(string? input, string defaultRegion, E error)
    {
        var result = PhoneNumbers.Parse(input, defaultRegion);

        Assert.False(result.IsValid);
        Assert.Equal(error, result.Error);
        Assert.False(string.IsNullOrEmpty(result.ErrorMessage));
        Assert.True(result.Number.IsEmpty);
        Assert.False(PhoneNumbers.TryParse(input, out _, defaultRegion));
    }
}
