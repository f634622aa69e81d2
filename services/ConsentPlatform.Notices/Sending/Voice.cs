using System.Security;
using System.Text;

namespace ConsentPlatform.Notices.Sending;

/// <summary>
/// One automated call that reads a one-time code out, as the provider sees it. RequestId is the
/// command's (Directory's challenge id), so a log line can always be tied back to the request.
/// </summary>
public sealed record VoiceCall(Guid RequestId, string? OrganizationId, string ContactHash, string To, string MaskedTo, string Code, string Language);

/// <summary>
/// Places automated calls: Twilio's Calls API, or the dev call log of the embedded default. The
/// outcome uses the SMS sender's classification, because the same rule holds: only a request that
/// certainly did not reach the provider may be made again.
/// </summary>
public interface IVoiceCaller
{
    Task<SendOutcome> PlaceAsync(VoiceCall call, CancellationToken cancellationToken);
}

/// <summary>What the call says: the code digit by digit with a pause after each, then the same again.</summary>
public static class VoiceScript
{
    /// <summary>Who the call says is calling: the code is the person's own, not an organization's.</summary>
    public const string Platform = "ConsentPlatform";

    public const string Japanese = "ja";
    public const string English = "en";

    /// <summary>"en" is read in English; anything else in Japanese, the platform's default.</summary>
    public static string Normalize(string? language) => string.Equals(language?.Trim(), English, StringComparison.OrdinalIgnoreCase) ? English : Japanese;

    /// <summary>The locale Twilio's &lt;Say&gt; takes.</summary>
    public static string Locale(string language) => Normalize(language) == English ? "en-US" : "ja-JP";

    /// <summary>The two sentences read out, the second one repeating the code.</summary>
    public static IReadOnlyList<string> Sentences(string code, string language)
    {
        if (Normalize(language) == English)
        {
            var digits = Digits(code, ", ");
            return [$"This is an automated call from {Platform} with the code that verifies this phone number. Your code is: {digits}.",
                $"Once more, your code is: {digits}. If you did not ask for this code, please hang up."];
        }
        // The ideographic comma makes the text-to-speech voice pause after each digit.
        var spoken = Digits(code, "、 ");
        return [$"{Platform}から、電話番号の確認コードを自動音声でお知らせします。確認コードは、 {spoken}、 です。",
            $"もう一度繰り返します。確認コードは、 {spoken}、 です。お心当たりがない場合は、このままお切りください。"];
    }

    /// <summary>The words as one text: what the dev call log shows.</summary>
    public static string Spoken(string code, string language) => string.Join(" ", Sentences(code, language));

    /// <summary>
    /// Inline TwiML for the Calls API (well under its 4,000-character limit). Every piece of text is
    /// XML-escaped even though the code is digits only: the builder must not depend on its caller's checks.
    /// </summary>
    public static string Twiml(string code, string language)
    {
        var locale = SecurityElement.Escape(Locale(language));
        var sentences = Sentences(code, language);
        var xml = new StringBuilder("<Response>");
        for (var i = 0; i < sentences.Count; i++)
        {
            if (i > 0) xml.Append("<Pause length=\"1\"/>");
            xml.Append("<Say language=\"").Append(locale).Append("\">").Append(SecurityElement.Escape(sentences[i])).Append("</Say>");
        }
        return xml.Append("</Response>").ToString();
    }

    private static string Digits(string code, string separator) => string.Join(separator, code.Select(c => c.ToString()));
}
