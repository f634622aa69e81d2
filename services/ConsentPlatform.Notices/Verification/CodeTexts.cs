using ConsentPlatform.Notices.Sending;

namespace ConsentPlatform.Notices.Verification;

/// <summary>
/// The words of a one-time code by SMS, email or voice, in Japanese or English. Each names who sends
/// it (the organization verifying its own number, otherwise the platform) and what the code is for,
/// so a person who did not ask can tell at once and ignore it.
/// </summary>
public static class CodeTexts
{
    /// <summary>The sender a person sees when the code is theirs, not an organization's.</summary>
    public const string Platform = VoiceScript.Platform;

    /// <summary>What the code confirms; <paramref name="company"/> is the organization the purpose concerns, when known.</summary>
    private static string Why(string purpose, string? company, bool ja) => (purpose, ja) switch
    {
        ("dsr", true) => "個人データのご請求（削除・利用停止など）の確認コード",
        ("dsr", false) => "code to confirm your request about your personal data (erasure, stop of use and the like)",
        ("directory_verification", true) => "電話番号の確認コード",
        ("directory_verification", false) => "code to verify this phone number",
        ("directory_opt_out", true) => company is null ? "連絡停止の確認コード" : $"{company}からの連絡停止の確認コード",
        ("directory_opt_out", false) => company is null ? "code to confirm that calls to you stop" : $"code to confirm that {company} stops calling you",
        (_, true) => "連絡停止の確認コード",
        (_, false) => "code to confirm that contact to this number stops",
    };

    /// <summary>An organization verifying its own number sends in its own name; a person's code comes from the platform.</summary>
    private static string Sender(string purpose, string? company) =>
        purpose == CodeAudience.DirectoryVerification && company is not null ? company : Platform;

    /// <summary>「【アクメ株式会社】電話番号の確認コード 123456（10分間有効）。お心当たりがなければ破棄してください」</summary>
    public static string Sms(string code, string purpose, string? company, int? validMinutes, string language)
    {
        var ja = VoiceScript.Normalize(language) == VoiceScript.Japanese;
        var sender = Sender(purpose, company);
        return ja
            ? $"【{sender}】{Why(purpose, company, true)} {code}{(validMinutes is { } m ? $"（{m}分間有効）" : "")}。お心当たりがなければ破棄してください"
            : $"[{sender}] Your {Why(purpose, company, false)}: {code}{(validMinutes is { } n ? $" (valid {n} minutes)" : "")}. If you did not ask for it, ignore this message.";
    }

    public static string EmailSubject(string purpose, string? company, string language) =>
        VoiceScript.Normalize(language) == VoiceScript.Japanese
            ? $"【{Sender(purpose, company)}】{Why(purpose, company, true)}"
            : $"[{Sender(purpose, company)}] Your {Why(purpose, company, false)}";

    public static string EmailBody(string code, string purpose, string? company, int? validMinutes, string language) =>
        VoiceScript.Normalize(language) == VoiceScript.Japanese
            ? $"""
              {Sender(purpose, company)}からのお知らせです。
              {Why(purpose, company, true)}: {code}{(validMinutes is { } m ? $"（{m}分間有効）" : "")}
              お心当たりがなければ、このメールは破棄してください。
              """
            : $"""
              This message is from {Sender(purpose, company)}.
              Your {Why(purpose, company, false)}: {code}{(validMinutes is { } n ? $" (valid {n} minutes)" : "")}
              If you did not ask for it, ignore this email.
              """;
}
