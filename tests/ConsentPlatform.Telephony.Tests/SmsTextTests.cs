using ConsentPlatform.Telephony;

namespace ConsentPlatform.Telephony.Tests;

/// <summary>3GPP TS 23.038 alphabet, TS 23.040 concatenation (153 septets / 67 UCS-2 units per part).</summary>
public class SmsTextTests
{
    [Theory]
    [InlineData(1, 1, 159)]
    [InlineData(160, 1, 0)]
    [InlineData(161, 2, 145)]
    [InlineData(306, 2, 0)]
    [InlineData(307, 3, 152)]
    [InlineData(459, 3, 0)]
    [InlineData(460, 4, 152)]
    public void Gsm7_text_fills_160_septets_then_153_per_part(int length, int segments, int remaining)
    {
        var info = SmsText.Analyze(new string('a', length));

        Assert.Equal(SmsEncoding.Gsm7, info.Encoding);
        Assert.Equal(length, info.CodeUnits);
        Assert.Equal(segments, info.Segments);
        Assert.Equal(remaining, info.Remaining);
        Assert.Equal(segments == 1 ? 160 : 153, info.PerSegment);
    }

    [Theory]
    [InlineData(70, 1, 0)]
    [InlineData(71, 2, 63)]
    [InlineData(134, 2, 0)]
    [InlineData(135, 3, 66)]
    public void Japanese_text_is_ucs2_with_70_units_then_67_per_part(int length, int segments, int remaining)
    {
        var info = SmsText.Analyze(new string('あ', length));

        Assert.Equal(SmsEncoding.Ucs2, info.Encoding);
        Assert.Equal(length, info.CodeUnits);
        Assert.Equal(segments, info.Segments);
        Assert.Equal(remaining, info.Remaining);
    }

    [Fact]
    public void Typical_japanese_notice_is_one_ucs2_segment()
    {
        var info = SmsText.Analyze("【サンプル社】明日10時にお電話します。今後の連絡が不要な方は STOP と返信してください。");

        Assert.Equal(SmsEncoding.Ucs2, info.Encoding);
        Assert.Equal(1, info.Segments);
        Assert.Equal(47, info.CodeUnits);
    }

    [Fact]
    public void Gsm_extension_characters_count_as_two_septets()
    {
        var info = SmsText.Analyze("Price: 10€ [approx] {ok} ~|^\\");

        Assert.Equal(SmsEncoding.Gsm7, info.Encoding);
        // 29 characters, 9 of them from the extension table.
        Assert.Equal(29 + 9, info.CodeUnits);
    }

    [Fact]
    public void Eighty_extension_characters_fill_one_segment_and_eighty_one_need_two()
    {
        Assert.Equal(1, SmsText.Analyze(new string('{', 80)).Segments);
        Assert.Equal(2, SmsText.Analyze(new string('{', 81)).Segments);
        Assert.Equal(2, SmsText.Analyze(new string('a', 159) + "€").Segments);
    }

    [Fact]
    public void Escape_pair_is_never_split_across_parts()
    {
        // 306 septets would fit two parts, but '[' would straddle the first boundary.
        var text = new string('a', 152) + "[" + new string('a', 152);

        var info = SmsText.Analyze(text);

        Assert.Equal(306, info.CodeUnits);
        Assert.Equal(3, info.Segments);
    }

    [Fact]
    public void Emoji_are_two_ucs2_units_and_never_split()
    {
        Assert.Equal(new SmsTextInfo(SmsEncoding.Ucs2, 70, 1, 70, 0), SmsText.Analyze(string.Concat(Enumerable.Repeat("😀", 35))));

        // 134 units would fit two parts of 67, but the emoji would straddle the boundary.
        var straddling = SmsText.Analyze(new string('あ', 66) + "😀" + new string('あ', 66));
        Assert.Equal(134, straddling.CodeUnits);
        Assert.Equal(3, straddling.Segments);
        Assert.Equal(66, straddling.Remaining);

        var many = SmsText.Analyze(string.Concat(Enumerable.Repeat("👍", 67)));
        Assert.Equal(134, many.CodeUnits);
        // 33 emoji (66 units) per part because the 34th would be split.
        Assert.Equal(3, many.Segments);
    }

    [Fact]
    public void One_character_outside_gsm7_switches_the_whole_text_to_ucs2()
    {
        Assert.Equal(SmsEncoding.Gsm7, SmsText.Analyze("Ça va? 5£ à Zürich! ¿Qué? Øre Δ").Encoding);
        Assert.Equal(SmsEncoding.Gsm7, SmsText.Analyze("Hello @ £5 €2 ÄÖÜäöü ß é è ΔΩ").Encoding);
        Assert.Equal(SmsEncoding.Ucs2, SmsText.Analyze("façade").Encoding);
        Assert.Equal(SmsEncoding.Ucs2, SmsText.Analyze(new string('a', 160) + "😀").Encoding);
    }

    [Fact]
    public void Empty_text_costs_nothing()
    {
        Assert.Equal(0, SmsText.Analyze("").Segments);
        Assert.Equal(0, SmsText.Analyze(null).Segments);
    }

    [Fact]
    public void Lone_surrogate_counts_as_one_unit()
    {
        Assert.Equal(1, SmsText.Analyze("\uD83D").CodeUnits);
    }
}
