using System.Text;
using System.Text.RegularExpressions;

namespace ConsentPlatform.Telephony;

public enum OptOutIntent
{
    None,
    OptOut,
    OptIn,
    Help,
}

public enum OptOutConfidence
{
    None,
    /// <summary>The whole reply is a keyword (STOP, ＳＴＯＰ, 停止, 配信停止 …): act on it automatically (R20).</summary>
    Keyword,
    /// <summary>A clear phrase inside longer text ("please stop texting me", もう連絡しないで): flag for review (R26).</summary>
    Phrase,
}

/// <param name="Matched">The keyword or phrase that decided it, as normalized (upper-case for keywords).</param>
public readonly record struct OptOutDetection(OptOutIntent Intent, OptOutConfidence Confidence, string? Matched)
{
    public static OptOutDetection None { get; } = new(OptOutIntent.None, OptOutConfidence.None, null);
    public bool IsOptOut => Intent == OptOutIntent.OptOut;
}

/// <summary>
/// Reads inbound SMS replies and free-text comments for opt-out, opt-in and help intent.
/// Keywords follow R20 (the CTIA / carrier set); phrases follow R26. Text is NFKC-normalized first,
/// so full-width ＳＴＯＰ and half-width ｽﾄｯﾌﾟ read like STOP and ストップ.
/// </summary>
public static partial class OptOutDetector
{
    /// <summary>Only this much of a long comment is read; an opt-out buried past it is not "clear".</summary>
    public const int MaxScannedLength = 4000;

    private static readonly Dictionary<string, OptOutIntent> Keywords = new(StringComparer.Ordinal)
    {
        ["STOP"] = OptOutIntent.OptOut,
        ["STOPALL"] = OptOutIntent.OptOut,
        ["UNSUBSCRIBE"] = OptOutIntent.OptOut,
        ["END"] = OptOutIntent.OptOut,
        ["QUIT"] = OptOutIntent.OptOut,
        ["CANCEL"] = OptOutIntent.OptOut,
        ["REVOKE"] = OptOutIntent.OptOut,
        ["OPTOUT"] = OptOutIntent.OptOut,
        ["START"] = OptOutIntent.OptIn,
        ["UNSTOP"] = OptOutIntent.OptIn,
        ["HELP"] = OptOutIntent.Help,
        // Japanese replies that are complete answers on their own.
        ["停止"] = OptOutIntent.OptOut,
        ["配信停止"] = OptOutIntent.OptOut,
        ["送信停止"] = OptOutIntent.OptOut,
        ["停止希望"] = OptOutIntent.OptOut,
        ["停止して"] = OptOutIntent.OptOut,
        ["停止してください"] = OptOutIntent.OptOut,
        ["停止します"] = OptOutIntent.OptOut,
        ["不要"] = OptOutIntent.OptOut,
        ["不要です"] = OptOutIntent.OptOut,
        ["解除"] = OptOutIntent.OptOut,
        ["配信解除"] = OptOutIntent.OptOut,
        ["登録解除"] = OptOutIntent.OptOut,
        ["解除希望"] = OptOutIntent.OptOut,
        ["ストップ"] = OptOutIntent.OptOut,
        ["拒否"] = OptOutIntent.OptOut,
        ["受信拒否"] = OptOutIntent.OptOut,
        ["結構です"] = OptOutIntent.OptOut,
        ["けっこうです"] = OptOutIntent.OptOut,
        ["いりません"] = OptOutIntent.OptOut,
        ["要りません"] = OptOutIntent.OptOut,
        ["いらない"] = OptOutIntent.OptOut,
        ["いらないです"] = OptOutIntent.OptOut,
        ["やめて"] = OptOutIntent.OptOut,
        ["やめてください"] = OptOutIntent.OptOut,
        ["止めて"] = OptOutIntent.OptOut,
        ["止めてください"] = OptOutIntent.OptOut,
        ["退会"] = OptOutIntent.OptOut,
        ["配信再開"] = OptOutIntent.OptIn,
        ["再開"] = OptOutIntent.OptIn,
        ["スタート"] = OptOutIntent.OptIn,
        ["ヘルプ"] = OptOutIntent.Help,
    };

    // Phrases that say "stop contacting me" however they sit in a sentence. Bare 停止/不要/解除 are
    // not here: 停止線, 一時停止, 予約不要, ロック解除 say nothing about contact.
    private static readonly string[] JapanesePhrases =
    [
        "配信停止", "送信停止", "連絡停止", "停止希望", "停止してください", "停止して下さい", "停止してほしい", "停止をお願い", "停止お願い",
        "配信解除", "登録解除", "解除希望", "解除してください", "解除をお願い", "解除お願い",
        "連絡不要", "連絡は不要", "電話不要", "電話は不要", "配信不要", "メール不要", "案内不要", "今後は不要", "今後不要", "もう不要",
        "連絡しないで", "連絡してこないで", "連絡しないでください", "電話しないで", "電話してこないで", "かけてこないで",
        "送らないで", "送ってこないで", "メールしないで", "連絡はいりません", "連絡は要りません", "連絡いりません", "電話はいりません",
        "連絡をやめて", "連絡やめて", "電話をやめて", "電話やめて", "送信をやめて", "配信をやめて", "二度と連絡", "二度と電話",
        "受信拒否", "連絡を拒否", "電話を拒否", "退会したい", "退会希望", "迷惑です", "迷惑なので", "迷惑電話",
    ];

    public static OptOutDetection Detect(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return OptOutDetection.None;
        }
        var normalized = Normalize(text.Length > MaxScannedLength ? text[..MaxScannedLength] : text);
        var core = CoreOf(normalized);
        if (core.Length == 0)
        {
            return OptOutDetection.None;
        }

        var keyword = KeywordOf(core);
        if (keyword is not null)
        {
            return new OptOutDetection(Keywords[keyword], OptOutConfidence.Keyword, keyword);
        }

        string? phrase;
        try
        {
            phrase = EnglishPhrase(normalized.ToLowerInvariant(), core.ToLowerInvariant()) ?? JapanesePhrase(normalized);
        }
        catch (RegexMatchTimeoutException)
        {
            // Only pathological input gets here; it is not a clear request either way.
            return OptOutDetection.None;
        }
        return phrase is null ? OptOutDetection.None : new OptOutDetection(OptOutIntent.OptOut, OptOutConfidence.Phrase, phrase);
    }

    private static string? KeywordOf(string core)
    {
        var compact = new StringBuilder(core.Length);
        foreach (var c in core)
        {
            if (!char.IsWhiteSpace(c) && c is not ('-' or '_' or '.' or '・'))
            {
                compact.Append(char.ToUpperInvariant(c));
            }
        }
        var key = compact.ToString();
        if (Keywords.ContainsKey(key))
        {
            return key;
        }

        // "STOP STOP", "stop, stop!" — every word an opt-out keyword.
        var words = WordSplit().Split(core.ToUpperInvariant());
        string? first = null;
        foreach (var word in words)
        {
            if (word.Length == 0)
            {
                continue;
            }
            if (!Keywords.TryGetValue(word, out var intent) || intent != OptOutIntent.OptOut)
            {
                return null;
            }
            first ??= word;
        }
        return first;
    }

    private static string? EnglishPhrase(string lower, string core)
    {
        if (StopAlone().IsMatch(core))
        {
            return core;
        }
        // "STOP. I never signed up": the first sentence is the keyword itself.
        var firstSentence = FirstSentence().Match(core);
        if (firstSentence.Success && Keywords.TryGetValue(firstSentence.Groups[1].Value.ToUpperInvariant(), out var intent)
            && intent == OptOutIntent.OptOut)
        {
            return firstSentence.Groups[1].Value;
        }
        foreach (Match match in DoNotContact().Matches(lower))
        {
            if (!TimingFollows().IsMatch(lower.AsSpan(match.Index + match.Length)))
            {
                return match.Value;
            }
        }
        var other = OtherEnglish().Match(lower);
        return other.Success ? other.Value : null;
    }

    private static string? JapanesePhrase(string text)
    {
        foreach (var phrase in JapanesePhrases)
        {
            var at = text.IndexOf(phrase, StringComparison.Ordinal);
            if (at >= 0 && !(phrase.StartsWith("迷惑", StringComparison.Ordinal) && at > 0 && text[at - 1] == 'ご'))
            {
                return phrase;
            }
        }
        // 結構です is "no thanks" only when it answers on its own: "いえ、結構です", "連絡は結構です";
        // "それで結構です" / "どちらでも結構です" / "結構ですね" are agreement.
        for (var at = text.IndexOf("結構です", StringComparison.Ordinal); at >= 0; at = text.IndexOf("結構です", at + 1, StringComparison.Ordinal))
        {
            var before = at == 0 ? ' ' : text[at - 1];
            var after = at + 4 < text.Length ? text[at + 4] : ' ';
            var answers = before is 'は' or 'う' || !char.IsLetterOrDigit(before);
            if (answers && after is not ('ね' or 'よ' or 'な' or 'し' or 'か'))
            {
                return "結構です";
            }
        }
        return null;
    }

    private static string Normalize(string text)
    {
        // Lone surrogates make Normalize throw; they carry no meaning here.
        Span<char> buffer = text.Length <= 512 ? stackalloc char[text.Length] : new char[text.Length];
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                buffer[i] = c;
                buffer[i + 1] = text[i + 1];
                i++;
                continue;
            }
            buffer[i] = char.IsSurrogate(c) || char.IsControl(c) && c is not ('\n' or '\r' or '\t') ? ' ' : c switch
            {
                '\u2019' or '\u2018' or '\u02BC' => '\'',
                _ => c,
            };
        }
        var cleaned = new string(buffer);
        try
        {
            return cleaned.Normalize(NormalizationForm.FormKC);
        }
        catch (ArgumentException)
        {
            // Noncharacters (U+FFFE …) also make Normalize throw; read such text as it is.
            return cleaned;
        }
    }

    // Strips what surrounds the words: spaces, punctuation, quotes, emoji.
    private static string CoreOf(string text)
    {
        int start = 0, end = text.Length;
        while (start < end && !char.IsLetterOrDigit(text[start]))
        {
            start++;
        }
        while (end > start && !char.IsLetterOrDigit(text[end - 1]))
        {
            end--;
        }
        return text[start..end];
    }

    [GeneratedRegex(@"[^\p{L}\p{N}]+", RegexOptions.CultureInvariant, 200)]
    private static partial Regex WordSplit();

    [GeneratedRegex(@"^(?:please |pls |plz )?stop(?: (?:it|now|please|this|these|them|that|already|immediately|thanks|thank you))*$", RegexOptions.CultureInvariant, 200)]
    private static partial Regex StopAlone();

    [GeneratedRegex(@"^([a-z]+)\s*[.!。！]+\s", RegexOptions.CultureInvariant, 200)]
    private static partial Regex FirstSentence();

    [GeneratedRegex(@"(?<!\b(?:don't|dont|do not|never)\s+)\bstop\s+(?:calling|texting|messaging|contacting|emailing|e-mailing|sending|bothering|spamming|harassing|phoning|ringing)\b|\b(?:do not|don't|dont|never)\s+(?:ever\s+)?(?:call|text|message|contact|email|e-mail|phone|ring|sms|bother|send)(?:\s+(?:me|us|my number|this number|again|anymore|any more)\b|\s*(?:$|[.!,;]))", RegexOptions.CultureInvariant, 200)]
    private static partial Regex DoNotContact();

    // "don't call me before 9", "don't text me at work": a timing preference, not an opt-out.
    [GeneratedRegex(@"^\s+(?:again\s+)?(?:before|after|until|till|at (?!all)|on |during|between|tomorrow|today|tonight|this (?:week|morning|afternoon|evening)|next|in the|unless|except|yet|while|if|when)", RegexOptions.CultureInvariant, 200)]
    private static partial Regex TimingFollows();

    [GeneratedRegex(@"\bunsubscribe\b|\bopt(?:ing)?[\s-]?out\b|\b(?:remove|delete|take)\s+(?:me|my (?:number|details|data|info|information|name|email|phone number))\s+(?:from|off)\b|\bremove my (?:number|phone number|details|email)\b|\bno (?:more|further) (?:calls|texts|messages|contact|emails|sms)\b|\bleave me alone\b|\bi (?:do not|don't|dont) want (?:any )?(?:more )?(?:calls|texts|messages|to be contacted|to hear from you)\b|\blose my number\b", RegexOptions.CultureInvariant, 200)]
    private static partial Regex OtherEnglish();
}
