namespace ConsentPlatform.Telephony.Tests.Differential;

/// <summary>
/// japanese-held-out.tsv: 3,180 Japanese inputs in the forms people type (full-width digits,
/// long-vowel marks and other dashes as hyphens, ideographic spaces, "(0)", 0081-, 010-81-, "81-")
/// with what the parser produced for each before libphonenumber came in (issue 15, commit dfaf181).
/// The Japanese fast path must keep producing exactly that.
/// </summary>
public class JapaneseHeldOutFormatsTests
{
    [Fact]
    public void Japanese_held_out_formats_produce_exactly_what_they_did_before()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Differential", "japanese-held-out.tsv");
        var changed = new List<string>();
        var count = 0;
        foreach (var line in File.ReadLines(path))
        {
            var tab = line.LastIndexOf('\t');
            var (input, expected) = (line[..tab], line[(tab + 1)..]);
            var result = PhoneNumbers.Parse(input);
            var actual = result.IsValid
                ? result.Number.E164 + (result.Number.CanReceiveSms ? " sms" : " no-sms")
                : result.Error.ToString();
            if (actual != expected)
            {
                changed.Add($"{input}: was {expected}, now {actual}");
            }
            count++;
        }

        Assert.Equal(3180, count);
        Assert.Empty(changed);
    }
}
