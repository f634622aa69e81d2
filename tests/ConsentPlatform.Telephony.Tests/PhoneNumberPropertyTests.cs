using System.Text.RegularExpressions;
using ConsentPlatform.Telephony;
using FsCheck;
using FsCheck.Fluent;

namespace ConsentPlatform.Telephony.Tests;

public partial class PhoneNumberPropertyTests
{
    /// <summary>A number built from a plan's rules, before any formatting.</summary>
    public sealed record Generated(string Region, int CountryCode, string TrunkPrefix, string Nsn)
    {
        public string E164 => $"+{CountryCode}{Nsn}";
        public override string ToString() => E164;
    }

    private static Gen<string> Digits(int count) =>
        Gen.Choose(0, 9).ArrayOf(count).Select(d => string.Concat(d));

    private static Gen<string> DigitFrom(int min, int max) => Gen.Choose(min, max).Select(d => d.ToString());

    private static Gen<Generated> Number(string region, int cc, string trunk, params Gen<string>[] parts) =>
        parts.Aggregate(Gen.Constant(""), (acc, part) => acc.SelectMany(a => part.Select(p => a + p)))
            .Select(nsn => new Generated(region, cc, trunk, nsn));

    private static Gen<string> Lit(params string[] values) => Gen.Elements(values);

    // Rules: MIC 電気通信番号計画 (JP), NANPA (US/CA), Ofcom (GB), MSIT (KR), MIIT (CN), NCC (TW),
    // IMDA (SG), ACMA (AU), BNetzA (DE), ARCEP (FR). Local exchange codes start 2-9.
    private static readonly Gen<Generated> ValidNumbers = Gen.OneOf(
        Number("JP", 81, "0", Lit("70", "90"), Digits(8)),
        Number("JP", 81, "0", Lit("60", "80"), DigitFrom(1, 9), Digits(7)),
        Number("JP", 81, "0", Lit("60"), Digits(7)),
        Number("JP", 81, "0", Lit("50", "20"), Digits(8)),
        Number("JP", 81, "0", Lit("120", "570"), Digits(6)),
        Number("JP", 81, "0", Lit("800"), Digits(7)),
        Number("JP", 81, "0", Lit("3", "6"), DigitFrom(2, 9), Digits(7)),
        Number("JP", 81, "0", Lit("11", "22", "45", "52", "75", "78", "92", "98"), DigitFrom(2, 9), Digits(6)),
        Number("JP", 81, "0", Lit("123", "422", "463", "532", "836", "993"), DigitFrom(2, 9), Digits(5)),
        Number("JP", 81, "0", Lit("1267", "4992", "5769", "9802"), DigitFrom(2, 9), Digits(4)),
        Number("US", 1, "", DigitFrom(2, 9), Gen.Choose(0, 99).Where(n => n != 11).Select(n => n.ToString("00")), DigitFrom(2, 9), Digits(6)),
        Number("CA", 1, "", Lit("416", "604", "514", "403"), DigitFrom(2, 9), Digits(6)),
        Number("GB", 44, "0", Lit("7"), Lit("1", "2", "3", "4", "5", "7", "8", "9"), Digits(8)),
        Number("GB", 44, "0", Lit("20"), DigitFrom(3, 8), Digits(7)),
        Number("KR", 82, "0", Lit("10"), DigitFrom(2, 9), Digits(7)),
        Number("KR", 82, "0", Lit("2"), DigitFrom(2, 9), Digits(7)),
        Number("CN", 86, "", Lit("1"), DigitFrom(3, 9), Digits(9)),
        Number("CN", 86, "0", Lit("10", "21"), DigitFrom(2, 9), Digits(7)),
        Number("TW", 886, "0", Lit("9"), Digits(8)),
        Number("TW", 886, "0", Lit("2"), DigitFrom(2, 9), Digits(7)),
        Number("SG", 65, "", Lit("8"), DigitFrom(1, 9), Digits(6)),
        Number("SG", 65, "", Lit("9"), DigitFrom(0, 8), Digits(6)),
        Number("SG", 65, "", Lit("6"), DigitFrom(1, 9), Digits(6)),
        Number("AU", 61, "0", Lit("4"), Digits(8)),
        Number("AU", 61, "0", Lit("2", "3", "7", "8"), Digits(8)),
        Number("DE", 49, "0", Lit("15"), DigitFrom(0, 9), Digits(8)),
        Number("DE", 49, "0", Lit("30"), DigitFrom(2, 9), Digits(7)),
        Number("FR", 33, "0", Lit("6", "1", "9"), Digits(8)))
        // The shapes above outside Japan include ranges no one has allocated (+1 444 …); whether a
        // range is in service there is libphonenumber's to say (ADR 0019).
        .Where(n => n.CountryCode == 81 || InService(n.E164));

    private static readonly global::PhoneNumbers.PhoneNumberUtil Oracle = global::PhoneNumbers.PhoneNumberUtil.GetInstance();

    private static bool InService(string e164) => Oracle.IsValidNumber(Oracle.Parse(e164, "ZZ"));

    private static readonly string[] Separators = ["", "", "-", " ", ".", "ー", "－", "‐", "−", "\u3000"];

    /// <summary>Digits with a random separator (often none) after each one.</summary>
    private static Gen<string> Spaced(string digits) =>
        Gen.Elements(Separators).ArrayOf(digits.Length)
            .Select(seps => string.Concat(digits.Select((d, i) => i == digits.Length - 1 ? d.ToString() : d + seps[i])));

    private static readonly Gen<(Generated Number, string National, string International, string FullWidth)> Forms =
        ValidNumbers.SelectMany(n =>
            Spaced(n.TrunkPrefix + n.Nsn).SelectMany(national =>
                Spaced(n.Nsn).Select(nsn => (n, national, $"+{n.CountryCode} {nsn}", NumberingPlanTableTests.ToFullWidth(national)))));

    [Fact]
    public void Every_valid_number_parses_to_the_same_e164_from_national_international_and_full_width_forms()
    {
        var property = Prop.ForAll(Arb.From(Forms), forms =>
        {
            var (number, national, international, fullWidth) = forms;
            return Same(number, PhoneNumbers.Parse(national, number.Region))
                && Same(number, PhoneNumbers.Parse(international, "JP"))
                && Same(number, PhoneNumbers.Parse(fullWidth, number.Region))
                && Same(number, PhoneNumbers.Parse(number.E164, "US"));
        });

        Check.One(Config.QuickThrowOnFailure.WithMaxTest(3000), property);
    }

    private static bool Same(Generated expected, PhoneParseResult actual) =>
        actual.IsValid && actual.Number.E164 == expected.E164
        // Random +1 area codes land in Canada or the Caribbean as well as the US, random +44 mobiles
        // in the Isle of Man and the Channel Islands.
        && (expected.CountryCode is 1 or 44 || actual.Number.RegionCode == expected.Region);

    // Anything a hostile or careless client could send: digits, separators, '+', letters, control
    // characters, lone surrogates, emoji, arbitrary BMP code points; sometimes 10,000 characters.
    private static readonly Gen<char> AnyChar = Gen.Frequency(
        (6, Gen.Elements("0123456789０１２３４５６７８９".ToCharArray())),
        (3, Gen.Elements("+-. ()（）ー－#x,;\u3000".ToCharArray())),
        (1, Gen.Choose(0, 31).Select(i => (char)i)),
        (1, Gen.Choose(0xD800, 0xDFFF).Select(i => (char)i)),
        (2, Gen.Choose(0, 0xFFFF).Select(i => (char)i)),
        (1, Gen.Elements("extn内線ABCzｘ".ToCharArray())));

    private static readonly Gen<string> AnyString = Gen.Frequency(
        (20, Gen.Choose(0, 80).SelectMany(len => AnyChar.ArrayOf(len)).Select(cs => new string(cs))),
        (1, Gen.Choose(9_000, 10_000).SelectMany(len => AnyChar.ArrayOf(len)).Select(cs => new string(cs))),
        (1, Gen.Constant<string>(null!)));

    [GeneratedRegex(@"^\+[1-9][0-9]{6,14}$")]
    private static partial Regex E164Shape();

    [Fact]
    public void No_input_throws_and_every_failure_is_the_librarys_own_result()
    {
        var property = Prop.ForAll(Arb.From(AnyString), input =>
        {
            foreach (var region in new[] { "JP", "US", "GB", "CN", "??" })
            {
                var result = PhoneNumbers.Parse(input, region);
                if (result.IsValid)
                {
                    if (!E164Shape().IsMatch(result.Number.E164))
                    {
                        return false;
                    }
                    // Parsing E.164 output again is stable.
                    if (PhoneNumbers.Parse(result.Number.E164).Number != result.Number)
                    {
                        return false;
                    }
                    _ = result.Number.FormatMasked();
                }
                else if (result.Error == PhoneParseError.None || !result.Number.IsEmpty || result.ErrorMessage is null)
                {
                    return false;
                }
            }
            return true;
        });

        Check.One(Config.QuickThrowOnFailure.WithMaxTest(2000), property);
    }

    [Fact]
    public void Sms_analysis_and_opt_out_detection_accept_any_text()
    {
        var property = Prop.ForAll(Arb.From(AnyString), text =>
        {
            var info = SmsText.Analyze(text);
            var detection = OptOutDetector.Detect(text);
            return info.CodeUnits >= 0
                && (info.Segments == 0 ? info.CodeUnits == 0 : info.CodeUnits <= info.Segments * info.PerSegment)
                && (detection.Intent == OptOutIntent.None) == (detection.Confidence == OptOutConfidence.None);
        });

        Check.One(Config.QuickThrowOnFailure.WithMaxTest(1000), property);
    }
}
