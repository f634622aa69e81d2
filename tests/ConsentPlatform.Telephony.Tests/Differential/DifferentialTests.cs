using System.Globalization;
using Xunit.Abstractions;
using Lib = PhoneNumbers;

namespace ConsentPlatform.Telephony.Tests.Differential;

/// <summary>
/// Issue 15: our parser against libphonenumber on every region and non-geographic code. Inputs are
/// libphonenumber's example number of every type plus seeded random numbers it calls valid, each
/// written in national, international and E.164 form. The E.164 and the SMS capability must agree;
/// every difference that remains is listed in allow-list.txt with its reason.
/// </summary>
public class DifferentialTests(ITestOutputHelper output)
{
    private static readonly Lib.PhoneNumberUtil Util = Lib.PhoneNumberUtil.GetInstance();

    internal sealed record Sample(string Region, Lib.PhoneNumber Number);

    internal sealed record Difference(string Form, string Region, string Input, string Expected, string Actual)
    {
        public override string ToString() => $"{Region} {Form} {Input} → libphonenumber {Expected}, ours {Actual}";
    }

    private const int RandomAttemptsPerExample = 40;

    internal static List<Sample> Samples()
    {
        var random = new Random(15);
        var samples = new List<Sample>();
        var metadata = Util.GetSupportedRegions().Order(StringComparer.Ordinal)
            .Select(region => (Region: region, Metadata: Util.GetMetadataForRegion(region)))
            .Concat(Util.GetSupportedGlobalNetworkCallingCodes().Order()
                .Select(code => (Region: "001", Metadata: Util.GetMetadataForNonGeographicalRegion(code))));
        foreach (var (region, md) in metadata)
        {
            foreach (var desc in PhoneNumberDescs(md))
            {
                if (desc is null || !desc.HasExampleNumber)
                {
                    continue;
                }
                var example = Util.Parse("+" + md.CountryCode.ToString(CultureInfo.InvariantCulture) + desc.ExampleNumber, "ZZ");
                if (!Util.IsValidNumber(example))
                {
                    continue;
                }
                samples.Add(new Sample(region, example));
                var nsn = Util.GetNationalSignificantNumber(example);
                for (var i = 0; i < RandomAttemptsPerExample; i++)
                {
                    // Keep a random part of the example's prefix, so neighbouring ranges are tried too.
                    var keep = random.Next(1, nsn.Length);
                    var digits = nsn[..keep] + string.Concat(Enumerable.Range(0, nsn.Length - keep).Select(_ => (char)('0' + random.Next(10))));
                    var candidate = Util.Parse("+" + md.CountryCode.ToString(CultureInfo.InvariantCulture) + digits, "ZZ");
                    if (Util.IsValidNumber(candidate))
                    {
                        samples.Add(new Sample(region, candidate));
                    }
                }
            }
        }
        return samples;
    }

    private static IEnumerable<Lib.PhoneNumberDesc?> PhoneNumberDescs(Lib.PhoneMetadata md) =>
        [md.FixedLine, md.Mobile, md.TollFree, md.PremiumRate, md.SharedCost, md.Voip, md.PersonalNumber, md.Pager, md.Uan, md.Voicemail];

    /// <summary>The form's text and the default region a person in that region would parse it with.</summary>
    internal static IEnumerable<(string Form, string Input, string DefaultRegion)> Forms(Sample sample)
    {
        if (sample.Region != "001")
        {
            yield return ("national", Util.Format(sample.Number, Lib.PhoneNumberFormat.NATIONAL), sample.Region);
        }
        yield return ("international", Util.Format(sample.Number, Lib.PhoneNumberFormat.INTERNATIONAL), "JP");
        yield return ("e164", Util.Format(sample.Number, Lib.PhoneNumberFormat.E164), "JP");
    }

    private static string Describe(string e164, bool sms) => $"{e164} sms={(sms ? "yes" : "no")}";

    [Fact]
    public void Our_e164_and_sms_capability_agree_with_libphonenumber_on_every_region_apart_from_the_allow_list()
    {
        var allowList = AllowList.Load();
        var totals = new SortedDictionary<string, (int Agree, int All)>(StringComparer.Ordinal);
        var unlisted = new List<Difference>();
        var used = new HashSet<AllowList.Entry>();
        foreach (var sample in Samples())
        {
            var e164 = Util.Format(sample.Number, Lib.PhoneNumberFormat.E164);
            // The project's SMS rule applied to libphonenumber's type: mobile, or a line its plan cannot tell from one.
            var sms = Util.GetNumberType(sample.Number) is Lib.PhoneNumberType.MOBILE or Lib.PhoneNumberType.FIXED_LINE_OR_MOBILE;
            foreach (var (form, input, defaultRegion) in Forms(sample))
            {
                var ours = PhoneNumbers.Parse(input, defaultRegion);
                var agree = ours.IsValid && ours.Number.E164 == e164 && ours.Number.CanReceiveSms == sms;
                var (agreed, all) = totals.GetValueOrDefault(form);
                totals[form] = (agreed + (agree ? 1 : 0), all + 1);
                if (agree)
                {
                    continue;
                }
                var difference = new Difference(form, sample.Region, input, Describe(e164, sms),
                    ours.IsValid ? Describe(ours.Number.E164, ours.Number.CanReceiveSms) : ours.Error.ToString());
                if (allowList.Match(difference, e164) is { } entry)
                {
                    used.Add(entry);
                }
                else
                {
                    unlisted.Add(difference);
                }
            }
        }

        foreach (var (form, (agreed, all)) in totals)
        {
            output.WriteLine($"{form}: {agreed} of {all} agree ({100.0 * agreed / all:F2} %)");
        }
        foreach (var difference in unlisted.Take(200))
        {
            output.WriteLine("not in the allow-list: " + difference);
        }
        var stale = allowList.Entries.Where(e => !used.Contains(e)).ToList();
        foreach (var entry in stale)
        {
            output.WriteLine("allow-list line matches nothing: " + entry.Line);
        }

        Assert.Equal(3, totals.Count);
        Assert.All(totals, t => Assert.True(t.Value.Agree >= 0.995 * t.Value.All, $"{t.Key}: {t.Value.Agree} of {t.Value.All}"));
        Assert.Empty(unlisted);
        Assert.Empty(stale);
    }

    [Fact]
    public void Random_garbage_in_every_region_throws_in_neither_parser()
    {
        var random = new Random(1515);
        const string alphabet = "0123456789０１２３４５６７８９+-. ()（）ー－#x,;\u3000aZ内線*/\t";
        var regions = Util.GetSupportedRegions().Order(StringComparer.Ordinal).Append("ZZ").Append("").ToArray();
        var parsed = 0;
        for (var i = 0; i < 20_000; i++)
        {
            var length = random.Next(0, 30);
            var chars = new char[length];
            for (var j = 0; j < length; j++)
            {
                chars[j] = random.Next(8) == 0 ? (char)random.Next(0, 0xFFFF) : alphabet[random.Next(alphabet.Length)];
            }
            var input = new string(chars);
            var region = regions[random.Next(regions.Length)];

            var ours = PhoneNumbers.Parse(input, region);
            Assert.True(ours.IsValid || ours.ErrorMessage is not null);
            try
            {
                Util.Parse(input, region);
            }
            catch (Lib.NumberParseException)
            {
                // libphonenumber's way of saying no; anything else would fail the test.
            }
            parsed++;
        }
        Assert.Equal(20_000, parsed);
    }
}
