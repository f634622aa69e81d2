using ConsentPlatform.Directory.OptOut;
using ConsentPlatform.ServiceDefaults.Recipients;

namespace ConsentPlatform.Directory.Lookup;

/// <summary>The words of the public lookup and entry opt-out pages in Japanese and English (the organization's own words come from its profile).</summary>
public sealed record Texts
{
    public required string Lang { get; init; }
    public required string LookupTitle { get; init; }
    public required string LookupIntro { get; init; }
    public required string PhoneNumber { get; init; }
    public required string LookUp { get; init; }
    public required string NotRegistered { get; init; }
    public required string NotRegisteredDetail { get; init; }
    public required string Company { get; init; }
    public required string TradeNames { get; init; }
    public required string Department { get; init; }
    public required string Purposes { get; init; }
    public required string CallingHours { get; init; }
    public required string VerifiedSince { get; init; }
    public required string Contact { get; init; }
    public required string Email { get; init; }
    public required string Website { get; init; }
    public required string PrivacyPolicy { get; init; }
    public required string AddToContacts { get; init; }
    public required string DataSubjectRequests { get; init; }
    public required string StopTitle { get; init; }
    public required Func<string, string> StopIntro { get; init; }
    public required string YourNumber { get; init; }
    public required string SendCode { get; init; }
    public required string Feeds { get; init; }
    public required string OptOutTitle { get; init; }
    public required Func<string?, string> OptedOut { get; init; }
    public required string CodeSentBySms { get; init; }
    public required string CodeSentByCall { get; init; }
    public required string Code { get; init; }
    public required string StopCalls { get; init; }
    public required string Back { get; init; }
    public required string CallerNotValid { get; init; }
    public required string CallerNotRegistered { get; init; }
    public required Func<string, string> LockedUntil { get; init; }
    public required string SendCapReached { get; init; }
    public required string NoPendingCode { get; init; }
    public required Func<int, string> WrongCode { get; init; }

    public static readonly Texts Japanese = new()
    {
        Lang = RecipientLanguage.Japanese,
        LookupTitle = "この電話番号はどこから？",
        LookupIntro = "電話番号をどの形式でも入力できます（03-1234-5678、０３…、+81 3…）。掲載されているのは、番号の持ち主であることを確認できた企業の番号だけです。",
        PhoneNumber = "電話番号",
        LookUp = "検索する",
        NotRegistered = "登録なし",
        NotRegisteredDetail = "この番号を掲載している企業はありません。発信者が良い・悪いということではなく、ここで確認された番号ではないというだけです。",
        Company = "会社",
        TradeNames = "屋号",
        Department = "部署",
        Purposes = "用件",
        CallingHours = "発信時間",
        VerifiedSince = "確認日",
        Contact = "連絡先",
        Email = "メールアドレス",
        Website = "ウェブサイト",
        PrivacyPolicy = "プライバシーポリシー",
        AddToContacts = "この会社の番号を連絡先や着信拒否リストに追加する（vCard）",
        DataSubjectRequests = "個人情報の消去・利用停止・第三者提供の停止を請求する",
        StopTitle = "この会社からの連絡を停止",
        StopIntro = company => $"ご本人の番号であることを確かめるため、あなたの電話番号に確認コードをお送りします。そのあと {company} に、電話・SMS・メールでの連絡を停止するよう伝えます。",
        YourNumber = "あなたの電話番号",
        SendCode = "確認コードを送る",
        Feeds = "掲載中の全番号のデータ",
        OptOutTitle = "連絡の停止",
        OptedOut = company => $"受け付けました。{company ?? "この会社"} に、あなたの番号へのすべての方法での連絡を停止するよう伝えました。",
        CodeSentBySms = "あなたの番号にSMSで6桁の確認コードを送りました。",
        CodeSentByCall = "あなたの番号に自動音声の電話がかかり、6桁の確認コードを読み上げます。",
        Code = "確認コード",
        StopCalls = "停止する",
        Back = "掲載情報に戻る",
        CallerNotValid = "発信元の番号が正しくありません。",
        CallerNotRegistered = "この番号はディレクトリに登録されていません。",
        LockedUntil = until => $"この番号では確認コードの誤りが続いたため、{until} まで受け付けられません。",
        SendCapReached = "この番号には確認コードを送りすぎました。しばらくしてからお試しください。",
        NoPendingCode = "この確認は見つからないか、有効期限が切れたか、すでに使われています。掲載情報からもう一度お試しください。",
        WrongCode = left => $"確認コードが違います。あと {left} 回入力できます。",
    };

    public static readonly Texts English = new()
    {
        Lang = RecipientLanguage.English,
        LookupTitle = "Who is calling?",
        LookupIntro = "Look a number up in any format (03-1234-5678, ０３…, +81 3…). Only numbers a company has proved it holds are listed.",
        PhoneNumber = "Phone number",
        LookUp = "Look up",
        NotRegistered = "Not registered",
        NotRegisteredDetail = "No company has published this number in the directory. That says nothing good or bad about the caller — only that nobody has verified it here.",
        Company = "Company",
        TradeNames = "Also known as",
        Department = "Department",
        Purposes = "Calls about",
        CallingHours = "Calling hours",
        VerifiedSince = "Verified since",
        Contact = "Contact",
        Email = "Email",
        Website = "Website",
        PrivacyPolicy = "Privacy policy",
        AddToContacts = "Add this company's numbers to your contacts or block list (vCard)",
        DataSubjectRequests = "Ask for erasure, stop of use or stop of provision to third parties",
        StopTitle = "Stop calls from this company",
        StopIntro = company => $"We send a one-time code to your number to make sure it is yours; then {company} is told to stop contacting it by phone, SMS and email.",
        YourNumber = "Your phone number",
        SendCode = "Send me a code",
        Feeds = "Every published number as data",
        OptOutTitle = "Stop calls",
        OptedOut = company => $"Done. {company ?? "The company"} is told to stop contacting your number on every channel.",
        CodeSentBySms = "We sent a 6-digit code by SMS to your number.",
        CodeSentByCall = "Your number will receive an automated call that reads a 6-digit code out.",
        Code = "Code",
        StopCalls = "Stop calls",
        Back = "Back to the entry",
        CallerNotValid = "The caller's number is not valid.",
        CallerNotRegistered = "This number is not registered in the directory.",
        LockedUntil = until => $"Too many wrong codes for this number; try again after {until}.",
        SendCapReached = "Too many codes were sent to this number; try again later.",
        NoPendingCode = "This code request is unknown, expired or already used; start again from the entry.",
        WrongCode = left => $"The code is wrong. {left} attempt(s) left.",
    };

    public static Texts For(HttpRequest request, string? requested) =>
        RecipientLanguage.Resolve(request, requested) == RecipientLanguage.English ? English : Japanese;

    /// <summary>What went wrong, for the page (the API keeps <see cref="OptOutOutcome.Describe"/>).</summary>
    public string Describe(OptOutOutcome outcome) => outcome.Kind switch
    {
        OptOutOutcomeKind.Locked => LockedUntil(outcome.LockedUntil is { } until ? RecipientFormat.DateTime(until, null, Lang) : ""),
        OptOutOutcomeKind.SendCapReached => SendCapReached,
        OptOutOutcomeKind.NoPendingCode => NoPendingCode,
        OptOutOutcomeKind.WrongCode => WrongCode(outcome.AttemptsLeft),
        _ => outcome.Describe(),
    };
}
