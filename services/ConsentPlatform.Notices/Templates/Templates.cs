using System.Globalization;
using System.Text.RegularExpressions;
using ConsentPlatform.Telephony;

namespace ConsentPlatform.Notices.Templates;

public static class NoticeKinds
{
    public const string PreCall = "pre_call";
    public const string PostCallAnswered = "post_call_answered";
    public const string PostCallMissed = "post_call_missed";
    public static readonly IReadOnlyList<string> All = [PreCall, PostCallAnswered, PostCallMissed];
}

public static class Languages
{
    public const string Japanese = "ja";
    public const string English = "en";
    public static readonly IReadOnlyList<string> All = [Japanese, English];

    /// <summary>Japanese for Japanese numbers, English otherwise.</summary>
    public static string For(PhoneNumber number) => number.RegionCode == "JP" ? Japanese : English;
}

/// <summary>What a template's placeholders are filled with.</summary>
public sealed record TemplateValues(string Company, string Caller, string Topic, string CallbackNumber, string Link, string When);

/// <summary>Fills placeholders; unknown braces are left as typed (the linter rejects them at save).</summary>
public static partial class TemplateRenderer
{
    public const int MaxBodyLength = 1000;
    public static readonly IReadOnlyList<string> Placeholders = ["company", "caller", "topic", "callback_number", "link", "when"];

    [GeneratedRegex(@"\{([a-z_]+)\}")]
    internal static partial Regex Placeholder();

    public static string Render(string body, TemplateValues values) =>
        Placeholder().Replace(body, m => m.Groups[1].Value switch
        {
            "company" => values.Company,
            "caller" => values.Caller,
            "topic" => values.Topic,
            "callback_number" => values.CallbackNumber,
            "link" => values.Link,
            "when" => values.When,
            _ => m.Value,
        });

    /// <summary>The call time in the recipient's local time (the first of its zones), as people write it.</summary>
    public static string FormatWhen(DateTimeOffset at, PhoneNumber number, string language)
    {
        var zones = ContactWindow.TimeZonesFor(number);
        var local = zones.Length > 0 ? TimeZoneInfo.ConvertTime(at, zones[0]) : at;
        return language == Languages.Japanese
            ? local.ToString("M月d日 H:mm", CultureInfo.InvariantCulture)
            : local.ToString("MMM d, h:mm tt", CultureInfo.InvariantCulture);
    }

    /// <summary>Realistic values for preview and for checking the segment limit at save time.</summary>
    public static TemplateValues Sample(string language, string company, string link) => language == Languages.Japanese
        ? new(company, "山田 太郎", "新サービスのご案内", "03-1234-5678", link, "7月16日 14:00")
        : new(company, "Taro Yamada", "our new service", "+81 3-1234-5678", link, "Jul 16, 2:00 PM");
}

/// <summary>
/// R15 at save time: a notice must name the sender's legal name, the caller and the topic, carry
/// the opt-out link with words saying the recipient can stop further contact, and give a contact
/// point. Each missing item is its own message, naming it.
/// </summary>
public static class TemplateLinter
{
    // Words that tell the recipient they can stop further contact (Japanese and English).
    private static readonly string[] StopWording =
        ["停止", "不要", "解除", "お断り", "拒否", "stop", "opt out", "opt-out", "optout", "unsubscribe", "no more", "no further"];

    public static List<string> Lint(string? body)
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(body))
        {
            problems.Add("The text is empty.");
            return problems;
        }
        if (body.Length > TemplateRenderer.MaxBodyLength) problems.Add($"The text is {body.Length} characters; at most {TemplateRenderer.MaxBodyLength} are allowed.");

        void Require(string placeholder, string what)
        {
            if (!body.Contains("{" + placeholder + "}", StringComparison.Ordinal))
                problems.Add($"The {what} is missing: add {{{placeholder}}}.");
        }
        Require("company", "sender's legal name (company)");
        Require("caller", "caller's name");
        Require("topic", "topic of the call");
        Require("link", "opt-out link");
        var withoutPlaceholders = TemplateRenderer.Placeholder().Replace(body, " ");
        if (!StopWording.Any(w => withoutPlaceholders.Contains(w, StringComparison.OrdinalIgnoreCase)))
            problems.Add("The opt-out wording is missing: say that the recipient can stop further contact next to the link (e.g. 「今後の連絡が不要な方はこちらで停止できます」 or \"To stop further contact:\").");
        Require("callback_number", "contact point (callback number)");

        foreach (var unknown in TemplateRenderer.Placeholder().Matches(body).Select(m => m.Groups[1].Value).Distinct()
                     .Where(p => !TemplateRenderer.Placeholders.Contains(p)))
            problems.Add($"{{{unknown}}} is not a known placeholder; use {string.Join(", ", TemplateRenderer.Placeholders.Select(p => "{" + p + "}"))}.");
        return problems;
    }
}

/// <summary>R16: encoding, segments and cost of a rendered text, straight from Telephony's SmsText.</summary>
public sealed record SmsPreview(string Text, string Encoding, int CodeUnits, int Segments, int PerSegment, int Remaining,
    decimal Cost, string Currency, int MaxSegments, bool WithinLimit)
{
    public static SmsPreview Of(string text, int maxSegments, NoticesOptions options)
    {
        var info = SmsText.Analyze(text);
        return new SmsPreview(text, info.Encoding == SmsEncoding.Gsm7 ? "GSM-7" : "UCS-2", info.CodeUnits, info.Segments, info.PerSegment,
            info.Remaining, info.Segments * options.CostPerSegment, options.CostCurrency, maxSegments, info.Segments <= maxSegments);
    }
}

public static class DefaultTemplates
{
    public static string For(string kind, string language) => (kind, language) switch
    {
        (NoticeKinds.PreCall, Languages.Japanese) =>
            "{company}の{caller}です。{when}頃、{topic}の件で{callback_number}からお電話します。今後の連絡が不要な方はこちらで停止できます: {link}",
        (NoticeKinds.PostCallAnswered, Languages.Japanese) =>
            "{company}の{caller}です。{topic}の件でお時間をいただきありがとうございました。お問合せ: {callback_number} 今後の連絡が不要な方はこちらで停止できます: {link}",
        (NoticeKinds.PostCallMissed, Languages.Japanese) =>
            "{company}の{caller}です。{topic}の件で{callback_number}からお電話しました。今後の連絡が不要な方はこちらで停止できます: {link}",
        (NoticeKinds.PreCall, _) =>
            "{company}: {caller} will call you about {topic} around {when} from {callback_number}. To stop further contact: {link}",
        (NoticeKinds.PostCallAnswered, _) =>
            "{company}: thank you for talking with {caller} about {topic}. Questions: {callback_number}. To stop further contact: {link}",
        _ =>
            "{company}: {caller} tried to call you about {topic} from {callback_number}. To stop further contact: {link}",
    };
}
