using ConsentPlatform.Telephony;

namespace ConsentPlatform.Telephony.Tests;

/// <summary>R20 (reply keywords) and R26 (free-text opt-out intent).</summary>
public class OptOutDetectorTests
{
    public static TheoryData<string, OptOutIntent, string> Keywords()
    {
        var data = new TheoryData<string, OptOutIntent, string>();
        var keywords = new (string Word, OptOutIntent Intent)[]
        {
            ("STOP", OptOutIntent.OptOut), ("STOPALL", OptOutIntent.OptOut), ("UNSUBSCRIBE", OptOutIntent.OptOut),
            ("END", OptOutIntent.OptOut), ("QUIT", OptOutIntent.OptOut), ("CANCEL", OptOutIntent.OptOut),
            ("REVOKE", OptOutIntent.OptOut), ("OPTOUT", OptOutIntent.OptOut), ("START", OptOutIntent.OptIn),
            ("UNSTOP", OptOutIntent.OptIn), ("HELP", OptOutIntent.Help),
        };
        foreach (var (word, intent) in keywords)
        {
            var fullWidth = new string(word.Select(c => (char)(c + 0xFEE0)).ToArray());
            var title = word[0] + word[1..].ToLowerInvariant();
            foreach (var form in new[] { word, word.ToLowerInvariant(), title, $"  {word}  ", $"{word}.", $"{title}!", $"\"{word}\"", $"「{word}」", fullWidth, $"\u3000{fullWidth}。", $"{word}\n" })
            {
                data.Add(form, intent, word);
            }
        }
        data.Add("Stop All", OptOutIntent.OptOut, "STOPALL");
        data.Add("opt-out", OptOutIntent.OptOut, "OPTOUT");
        data.Add("Opt out", OptOutIntent.OptOut, "OPTOUT");
        data.Add("STOP STOP", OptOutIntent.OptOut, "STOP");
        data.Add("stop 🙏", OptOutIntent.OptOut, "STOP");
        return data;
    }

    [Theory]
    [MemberData(nameof(Keywords))]
    public void R20_keyword_reply_is_detected_exactly_whatever_its_case_width_and_punctuation(string text, OptOutIntent intent, string matched)
    {
        var detection = OptOutDetector.Detect(text);

        Assert.Equal(intent, detection.Intent);
        Assert.Equal(OptOutConfidence.Keyword, detection.Confidence);
        Assert.Equal(matched, detection.Matched);
    }

    [Theory]
    [InlineData("停止", "停止")]
    [InlineData("配信停止", "配信停止")]
    [InlineData("「停止」", "停止")]
    [InlineData("停止。", "停止")]
    [InlineData("不要", "不要")]
    [InlineData("不要です", "不要です")]
    [InlineData("解除", "解除")]
    [InlineData("配信解除", "配信解除")]
    [InlineData("ストップ", "ストップ")]
    [InlineData("ｽﾄｯﾌﾟ", "ストップ")]
    [InlineData("結構です", "結構です")]
    [InlineData("いりません", "いりません")]
    [InlineData("受信拒否", "受信拒否")]
    [InlineData("やめてください", "やめてください")]
    [InlineData(" 停止してください ", "停止してください")]
    public void Japanese_reply_that_is_only_an_opt_out_word_is_a_keyword(string text, string matched)
    {
        var detection = OptOutDetector.Detect(text);

        Assert.Equal(OptOutIntent.OptOut, detection.Intent);
        Assert.Equal(OptOutConfidence.Keyword, detection.Confidence);
        Assert.Equal(matched, detection.Matched);
    }

    [Theory]
    [InlineData("もう連絡しないでください")]
    [InlineData("もう連絡しないで")]
    [InlineData("電話しないでください。迷惑です")]
    [InlineData("いえ、結構です。")]
    [InlineData("連絡は結構です")]
    [InlineData("今後の連絡は不要です")]
    [InlineData("配信停止をお願いします")]
    [InlineData("メールの配信解除を希望します")]
    [InlineData("二度と電話してこないで")]
    [InlineData("こういうメッセージは送らないでください")]
    [InlineData("営業の電話はいりません")]
    [InlineData("ＳＭＳの配信を停止してください")]
    [InlineData("会員を退会したいです")]
    public void Japanese_free_text_asking_to_stop_contact_is_a_phrase(string text)
    {
        var detection = OptOutDetector.Detect(text);

        Assert.Equal(OptOutIntent.OptOut, detection.Intent);
        Assert.Equal(OptOutConfidence.Phrase, detection.Confidence);
    }

    [Theory]
    [InlineData("Please don't call me again", "don't call me")]
    [InlineData("Don’t call me", "don't call me")]
    [InlineData("stop contacting me", "stop contacting")]
    [InlineData("Please stop texting me.", "stop texting")]
    [InlineData("Remove me from your list", "remove me from")]
    [InlineData("take me off your list please", "take me off")]
    [InlineData("How do I unsubscribe?", "unsubscribe")]
    [InlineData("I want to opt out", "opt out")]
    [InlineData("no more texts please", "no more texts")]
    [InlineData("Leave me alone", "leave me alone")]
    [InlineData("Do not contact me", "do not contact me")]
    [InlineData("DO NOT CALL", "do not call")]
    [InlineData("Please stop.", "please stop")]
    [InlineData("stop it", "stop it")]
    [InlineData("STOP. I never signed up for this", "stop")]
    [InlineData("I don't want any more calls", "i don't want any more calls")]
    [InlineData("don't call me at all", "don't call me")]
    public void English_free_text_asking_to_stop_contact_is_a_phrase(string text, string matched)
    {
        var detection = OptOutDetector.Detect(text);

        Assert.Equal(OptOutIntent.OptOut, detection.Intent);
        Assert.Equal(OptOutConfidence.Phrase, detection.Confidence);
        Assert.Equal(matched, detection.Matched);
    }

    [Theory]
    [InlineData("stop by our booth")]
    [InlineData("Please stop by our booth at 3pm")]
    [InlineData("I'll stop by tomorrow")]
    [InlineData("non-stop")]
    [InlineData("Non-stop flights to Osaka")]
    [InlineData("bus stop")]
    [InlineData("Where is the bus stop?")]
    [InlineData("stop sign")]
    [InlineData("Don't stop me now")]
    [InlineData("don't stop calling me, I love these updates")]
    [InlineData("STOPPED")]
    [InlineData("unstoppable")]
    [InlineData("stopwatch")]
    [InlineData("Stop & Shop")]
    [InlineData("the end of the road")]
    [InlineData("weekend")]
    [InlineData("endless")]
    [InlineData("I can't quit now")]
    [InlineData("cancel my 3pm appointment")]
    [InlineData("What is the start time?")]
    [InlineData("Let's start")]
    [InlineData("Can you help me find the venue?")]
    [InlineData("HELPFUL")]
    [InlineData("Don't call me before 9am")]
    [InlineData("please don't call me after 8pm")]
    [InlineData("don't text me at work, email is fine")]
    [InlineData("I never call anyone")]
    [InlineData("call me")]
    [InlineData("Thanks!")]
    [InlineData("OK")]
    [InlineData("停止線で止まってください")]
    [InlineData("一時停止の標識があります")]
    [InlineData("心肺停止")]
    [InlineData("予約不要です")]
    [InlineData("登録不要のイベントです")]
    [InlineData("不要不急の外出")]
    [InlineData("ロック解除の方法を教えて")]
    [InlineData("それで結構です")]
    [InlineData("明日で結構です")]
    [InlineData("結構ですね、楽しみです")]
    [InlineData("ご迷惑をおかけしました")]
    [InlineData("ありがとうございます")]
    [InlineData("")]
    [InlineData("   ")]
    public void Text_that_only_mentions_stopping_is_not_an_opt_out(string text)
    {
        var detection = OptOutDetector.Detect(text);

        Assert.NotEqual(OptOutIntent.OptOut, detection.Intent);
    }

    [Fact]
    public void Null_text_has_no_intent()
    {
        Assert.Equal(OptOutDetection.None, OptOutDetector.Detect(null));
    }

    [Fact]
    public void Noncharacters_and_lone_surrogates_do_not_break_detection()
    {
        Assert.Equal(OptOutIntent.OptOut, OptOutDetector.Detect("\uFFFE stop \uD800").Intent);
    }

    [Fact]
    public void Opt_out_buried_past_the_scanned_length_is_not_read()
    {
        var text = new string('a', OptOutDetector.MaxScannedLength) + " unsubscribe";

        Assert.Equal(OptOutIntent.None, OptOutDetector.Detect(text).Intent);
    }
}
