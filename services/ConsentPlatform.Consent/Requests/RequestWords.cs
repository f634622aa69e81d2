using System.Globalization;

namespace ConsentPlatform.Consent.Requests;

/// <summary>The data-subject request pages' words in Japanese and English.</summary>
public sealed record RequestWords
{
    public required string Lang { get; init; }
    public required string OtherLanguage { get; init; }
    public required string Title { get; init; }
    public required string Intro { get; init; }
    public required string ChooseKind { get; init; }
    public required IReadOnlyList<(string Kind, string Label, string Explanation)> Kinds { get; init; }
    public required string Contact { get; init; }
    public required string ContactHint { get; init; }
    public required string SendCode { get; init; }
    public required string FixErrors { get; init; }
    public required string CodeTitle { get; init; }
    public required string CodeSent { get; init; }
    public required string Code { get; init; }
    public required string Confirm { get; init; }
    public required string DoneTitle { get; init; }
    public required string RequestId { get; init; }
    public required string Kind { get; init; }
    public required string Status { get; init; }
    public required string Received { get; init; }
    public required string Deadline { get; init; }
    public required string CompletedAt { get; init; }
    public required IReadOnlyDictionary<string, string> Statuses { get; init; }
    public required IReadOnlyDictionary<string, string> Outcomes { get; init; }
    public required string StartOver { get; init; }
    public required string TooManyCodes { get; init; }
    public required IReadOnlyDictionary<RequestProblem, string> Problems { get; init; }
    public required IReadOnlyDictionary<DataSubjectRequests.Refusal, string> Refusals { get; init; }
    public required string EnterCode { get; init; }
    public required string Expired { get; init; }
    public required string Link { get; init; }
    public required string DateFormat { get; init; }

    public string KindLabel(string kind) => Kinds.FirstOrDefault(k => k.Kind == kind).Label ?? kind;

    /// <summary>Japan time: the people who receive the calls are in Japan.</summary>
    public string Date(DateTimeOffset at) => at.ToOffset(TimeSpan.FromHours(9)).ToString(DateFormat, CultureInfo.InvariantCulture);

    public static readonly RequestWords Japanese = new()
    {
        Lang = "ja",
        OtherLanguage = "English",
        Title = "個人情報の消去・利用停止の請求",
        Intro = "あなたの電話番号またはメールアドレスについて、このサービスが保存している情報の扱いを請求できます。本人確認のため、その番号またはアドレスに確認コードを送ります。",
        ChooseKind = "請求の種類",
        Kinds =
        [
            (DataSubjectRequests.Erasure, "消去", "同意の記録を消去し、このサービスを使うすべての会社に消去を求めます。再び連絡が来ないよう、番号やアドレスそのものではなく照合用の値だけを残します。"),
            (DataSubjectRequests.StopUse, "利用停止", "同意をすべて取り消し、今後の連絡を止めます。同意と取消しの記録は証拠として残ります。"),
            (DataSubjectRequests.StopThirdParty, "第三者提供の停止", "ほかの会社への提供についての同意を取り消します。連絡についての同意はそのままです。"),
        ],
        Contact = "電話番号またはメールアドレス",
        ContactHint = "どの形式でもかまいません（090-1234-5678、＋81 90…、name@example.jp）。",
        SendCode = "確認コードを送る",
        FixErrors = "入力内容を確認してください",
        CodeTitle = "確認コードの入力",
        CodeSent = "ご入力の番号またはアドレスに6桁の確認コードを送りました。30分以内に入力してください。",
        Code = "確認コード",
        Confirm = "請求する",
        DoneTitle = "請求の状況",
        RequestId = "受付番号",
        Kind = "種類",
        Status = "状況",
        Received = "受付日時",
        Deadline = "対応期限",
        CompletedAt = "完了日時",
        Statuses = new Dictionary<string, string>
        {
            [DataSubjectRequests.Pending] = "本人確認待ち",
            [DataSubjectRequests.Completed] = "完了",
            [DataSubjectRequests.Failed] = "無効（確認できませんでした）",
        },
        Outcomes = new Dictionary<string, string>
        {
            [DataSubjectRequests.Erasure] = "消去しました。このサービスを使う各社にも消去を求めました。今後この番号・アドレスに連絡することはありません。",
            [DataSubjectRequests.StopUse] = "利用を停止しました。今後この番号・アドレスに連絡することはありません。",
            [DataSubjectRequests.StopThirdParty] = "第三者への提供を停止しました。",
        },
        StartOver = "新しく請求する",
        TooManyCodes = "この番号・アドレスには確認コードをすでに何度もお送りしています。時間をおいてもう一度お試しください。",
        Problems = new Dictionary<RequestProblem, string>
        {
            [RequestProblem.Kind] = "請求の種類を選んでください。",
            [RequestProblem.NoContact] = "電話番号またはメールアドレスを入力してください。",
            [RequestProblem.BothContacts] = "電話番号またはメールアドレスのどちらか一つを入力してください。",
            [RequestProblem.Email] = "メールアドレスの形式が正しくありません。",
            [RequestProblem.Phone] = "電話番号として認識できません。",
            [RequestProblem.NoSms] = "この番号はSMSを受け取れないため、確認コードを送れません。",
        },
        Refusals = new Dictionary<DataSubjectRequests.Refusal, string>
        {
            [DataSubjectRequests.Refusal.WrongCode] = "確認コードが一致しません。",
            [DataSubjectRequests.Refusal.ExpiredOrTooManyAttempts] = "確認コードの有効期限が切れたか、入力の回数が多すぎます。新しく請求してください。",
            [DataSubjectRequests.Refusal.NotPending] = "この請求はもう確認できません。新しく請求してください。",
        },
        EnterCode = "届いた確認コードを入力してください。",
        Expired = "入力フォームの有効期限が切れました。ページを読み込み直してください。",
        Link = "個人情報の消去・利用停止・第三者提供の停止を請求する",
        DateFormat = "yyyy年M月d日 H:mm",
    };

    public static readonly RequestWords English = new()
    {
        Lang = "en",
        OtherLanguage = "日本語",
        Title = "Ask us to erase or stop using your data",
        Intro = "You can ask what happens to the data this service holds about your phone number or email address. To check that it is yours, we send a code to that number or address.",
        ChooseKind = "What you ask for",
        Kinds =
        [
            (DataSubjectRequests.Erasure, "Erasure", "Your consent records are deleted and every company using this service is told to delete what it holds. So that you are never contacted again, only a matching value is kept, never the number or address itself."),
            (DataSubjectRequests.StopUse, "Stop use", "Every consent is withdrawn and contact stops. The record of the consent and of its withdrawal is kept as evidence."),
            (DataSubjectRequests.StopThirdParty, "Stop giving it to third parties", "Your consents to be shared with other companies are withdrawn. Your choices about being contacted stay as they are."),
        ],
        Contact = "Phone number or email address",
        ContactHint = "Any format (090-1234-5678, +81 90…, name@example.jp).",
        SendCode = "Send me a code",
        FixErrors = "Please check your entries",
        CodeTitle = "Enter your code",
        CodeSent = "We sent a 6-digit code to the number or address you gave. Enter it within 30 minutes.",
        Code = "Code",
        Confirm = "Send the request",
        DoneTitle = "Your request",
        RequestId = "Request",
        Kind = "Kind",
        Status = "Status",
        Received = "Received",
        Deadline = "Deadline",
        CompletedAt = "Completed",
        Statuses = new Dictionary<string, string>
        {
            [DataSubjectRequests.Pending] = "waiting for your code",
            [DataSubjectRequests.Completed] = "completed",
            [DataSubjectRequests.Failed] = "void (not confirmed)",
        },
        Outcomes = new Dictionary<string, string>
        {
            [DataSubjectRequests.Erasure] = "Erased. Every company using this service has been told to erase it too. This number or address will not be contacted again.",
            [DataSubjectRequests.StopUse] = "Use stopped. This number or address will not be contacted again.",
            [DataSubjectRequests.StopThirdParty] = "Provision to third parties stopped.",
        },
        StartOver = "Make a new request",
        TooManyCodes = "This number or address has already been sent several codes. Please try again later.",
        Problems = new Dictionary<RequestProblem, string>
        {
            [RequestProblem.Kind] = "Choose what you ask for.",
            [RequestProblem.NoContact] = "Enter your phone number or email address.",
            [RequestProblem.BothContacts] = "Enter either a phone number or an email address.",
            [RequestProblem.Email] = "The email address is not valid.",
            [RequestProblem.Phone] = "This is not a phone number we can read.",
            [RequestProblem.NoSms] = "This number cannot receive SMS, so we cannot send it a code.",
        },
        Refusals = new Dictionary<DataSubjectRequests.Refusal, string>
        {
            [DataSubjectRequests.Refusal.WrongCode] = "The code does not match.",
            [DataSubjectRequests.Refusal.ExpiredOrTooManyAttempts] = "The code has expired or too many attempts were made. Please make a new request.",
            [DataSubjectRequests.Refusal.NotPending] = "This request can no longer be confirmed. Please make a new request.",
        },
        EnterCode = "Enter the code you received.",
        Expired = "The form has expired. Please reload the page.",
        Link = "Ask for erasure, stop of use or stop of provision to third parties",
        DateFormat = "d MMMM yyyy, HH:mm 'JST'",
    };

    public static RequestWords For(string language) => language == "ja" ? Japanese : English;
}
