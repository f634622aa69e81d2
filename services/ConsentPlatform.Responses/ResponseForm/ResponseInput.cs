using ConsentPlatform.ServiceDefaults.Web;
using System.Globalization;
using System.Net.Mail;

namespace ConsentPlatform.Responses.ResponseForm;

/// <summary>The response form (R23; the seed proposal's table). The phone is never a field: it is known from the code.</summary>
public sealed record ResponseInput
{
    public const int MaxComments = 1000;
    public const int MaxReasonText = 200;
    public const int MaxEmail = 254;

    public static readonly IReadOnlyList<string> Statuses = ["no_further_contact", "email_only", "sms_only", "phone_ok", "not_now"];
    public static readonly IReadOnlyList<string> Reasons = ["not_interested", "changed_jobs", "wrong_person", "already_customer", "too_frequent", "other"];

    public string? Email { get; init; }
    public string? PreferredContact { get; init; }
    public string? ContactAfter { get; init; }
    public string? Reason { get; init; }
    public string? ReasonText { get; init; }
    [MultilineText]
    public string? Comments { get; init; }
    public string? Lang { get; init; }

    public string? CleanEmail => string.IsNullOrWhiteSpace(Email) ? null : Email.Trim();
    public string? CleanReasonText => string.IsNullOrWhiteSpace(ReasonText) ? null : ReasonText.Trim();
    public string? CleanComments => string.IsNullOrWhiteSpace(Comments) ? null : Comments.Trim();
    public string? CleanReason => string.IsNullOrWhiteSpace(Reason) ? null : Reason.Trim();

    public DateOnly? ContactAfterDate =>
        DateOnly.TryParseExact(ContactAfter?.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null;

    /// <summary>Errors keyed by the camelCase field name, in the recipient's language.</summary>
    public Dictionary<string, string[]> Validate(DateOnly today, bool japanese)
    {
        var errors = new Dictionary<string, string[]>();
        void Fail(string field, string ja, string en) => errors[field] = [japanese ? ja : en];

        if (string.IsNullOrWhiteSpace(PreferredContact))
            Fail("preferredContact", "今後の連絡方法のご希望を選んでください。", "Choose how (or whether) you want to be contacted.");
        else if (!Statuses.Contains(PreferredContact))
            Fail("preferredContact", "連絡方法のご希望が選択肢にありません。", $"'{Trim(PreferredContact)}' is not one of the choices: {string.Join(", ", Statuses)}.");

        if (CleanEmail is { } email && (email.Length > MaxEmail || !MailAddress.TryCreate(email, out var address) || address.Address != email || !email.Contains('.', StringComparison.Ordinal)))
            Fail("email", "メールアドレスの形式が正しくありません。", "The email address is not valid.");

        if (PreferredContact == "not_now")
        {
            if (ContactAfterDate is not { } after)
                Fail("contactAfter", "連絡を再開してよい日付を入力してください。", "Give the first day we may contact you again (YYYY-MM-DD).");
            else if (after <= today || after > today.AddYears(2))
                Fail("contactAfter", "日付は明日から2年以内で指定してください。", "The date must be between tomorrow and two years from now.");
        }
        else if (!string.IsNullOrWhiteSpace(ContactAfter) && ContactAfterDate is null)
        {
            Fail("contactAfter", "日付の形式が正しくありません。", "The date is not valid (YYYY-MM-DD).");
        }

        if (CleanReason is { } reason && !Reasons.Contains(reason))
            Fail("reason", "理由が選択肢にありません。", $"'{Trim(reason)}' is not one of the reasons: {string.Join(", ", Reasons)}.");
        if (CleanReasonText is { Length: > MaxReasonText })
            Fail("reasonText", $"理由は{MaxReasonText}文字以内でお書きください。", $"The reason must be at most {MaxReasonText} characters.");
        if (CleanComments is { Length: > MaxComments })
            Fail("comments", $"コメントは{MaxComments}文字以内でお書きください。", $"Comments must be at most {MaxComments} characters.");
        return errors;
    }

    private static string Trim(string value) => value.Length > 40 ? value[..40] + "…" : value;
}
