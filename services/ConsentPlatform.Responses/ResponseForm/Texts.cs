using ConsentPlatform.ServiceDefaults.Recipients;

namespace ConsentPlatform.Responses.ResponseForm;

/// <summary>The recipient-facing words in Japanese and English. Japanese is the default: the recipients are called in Japan.</summary>
public sealed record Texts
{
    public required string Lang { get; init; }
    public required string Title { get; init; }
    public required string Intro { get; init; }
    public required string Company { get; init; }
    public required string Caller { get; init; }
    public required string Topic { get; init; }
    public required string YourNumber { get; init; }
    public required Func<string, string, string> ProvenanceLine { get; init; }
    public required string NoProvenance { get; init; }
    public required string ContactPoint { get; init; }
    public required string DataSubjectRequests { get; init; }
    public required string StopButton { get; init; }
    public required string StopHint { get; init; }
    public required string OrAnswer { get; init; }
    public required string Email { get; init; }
    public required string Optional { get; init; }
    public required string Required { get; init; }
    public required string PreferredContact { get; init; }
    public required IReadOnlyList<(string Value, string Label)> Statuses { get; init; }
    public required string ContactAfter { get; init; }
    public required string Reason { get; init; }
    public required IReadOnlyList<(string Value, string Label)> Reasons { get; init; }
    public required string ReasonText { get; init; }
    public required string Comments { get; init; }
    public required string Submit { get; init; }
    public required string FixErrors { get; init; }
    public required string PrivacyPolicy { get; init; }
    public required string ThanksTitle { get; init; }
    /// <summary>Status, company, email and, for "not now", the first day contact may resume as the recipient's language writes it.</summary>
    public required Func<string, string, string?, string?, string> WhatHappens { get; init; }
    public required string FlaggedNote { get; init; }
    public required string UnknownTitle { get; init; }
    public required string UnknownIntro { get; init; }
    public required string GenericTitle { get; init; }
    public required string GenericIntro { get; init; }
    public required string PhoneNumber { get; init; }
    public required string SendCode { get; init; }
    public required string CodeSent { get; init; }
    public required string OneTimeCode { get; init; }
    public required string Confirm { get; init; }
    public required string GenericDone { get; init; }
    public required string GenericNothing { get; init; }
    /// <summary>"Email only" with a typed address: a confirmation link went there (ADR 0030).</summary>
    public required Func<string, string> ConfirmationSent { get; init; }
    public required string ConfirmEmailTitle { get; init; }
    /// <summary>Company and address: what pressing the button agrees to.</summary>
    public required Func<string, string, string> ConfirmEmailIntro { get; init; }
    public required string ConfirmEmailButton { get; init; }
    public required Func<string, string, string> EmailConfirmed { get; init; }
    public required string ConfirmEmailClosed { get; init; }

    public string Label(IReadOnlyList<(string Value, string Label)> options, string? value) =>
        options.FirstOrDefault(o => o.Value == value).Label ?? value ?? "";

    public static readonly Texts Japanese = new()
    {
        Lang = "ja",
        Title = "ご連絡についてのご希望",
        Intro = "このたびはご連絡を差し上げました。今後のご連絡について、ご希望をお聞かせください。",
        Company = "会社",
        Caller = "担当者",
        Topic = "用件",
        YourNumber = "あなたの電話番号",
        ProvenanceLine = (source, date) => $"この番号は {date} に「{source}」でご提供いただいたものです。",
        NoProvenance = "この番号をどこで入手したかの記録はまだ届いていません。お問い合わせ先でご確認いただけます。",
        ContactPoint = "お問い合わせ先",
        DataSubjectRequests = "個人情報の消去・利用停止・第三者提供の停止を請求する",
        StopButton = "今後の連絡を停止する",
        StopHint = "ボタン一つで、電話・SMS・メールのすべての連絡が止まります。",
        OrAnswer = "または、ご希望を詳しくお知らせください",
        Email = "メールアドレス",
        Optional = "任意",
        Required = "必須",
        PreferredContact = "今後の連絡方法のご希望",
        Statuses =
        [
            ("no_further_contact", "今後は一切連絡しないでほしい"),
            ("email_only", "メールのみ可"),
            ("sms_only", "SMSのみ可"),
            ("phone_ok", "電話でも構わない"),
            ("not_now", "今は不要（指定日から可）"),
        ],
        ContactAfter = "この日から連絡可（日本時間0時から）",
        Reason = "不要な理由",
        Reasons =
        [
            ("not_interested", "興味がない"),
            ("changed_jobs", "退職・異動した"),
            ("wrong_person", "番号の持ち主が違う"),
            ("already_customer", "すでに利用している"),
            ("too_frequent", "連絡が多すぎる"),
            ("other", "その他"),
        ],
        ReasonText = "理由（自由記述）",
        Comments = "その他のコメント",
        Submit = "送信する",
        FixErrors = "入力内容をご確認ください",
        PrivacyPolicy = "プライバシーポリシー",
        ThanksTitle = "ご回答ありがとうございました",
        WhatHappens = (status, company, email, after) => status switch
        {
            "no_further_contact" => $"{company} からの電話・SMS・メールによる連絡を停止しました。停止は今この時点で受け付けられ、数秒以内にすべての送信システムに反映されます。これ以上の手続きは必要ありません。",
            "email_only" => email is null
                ? $"{company} からの電話とSMSを停止しました。メールアドレスのご記入がなかったため、以前にお知らせいただいたアドレスがある場合のみメールで連絡します。"
                : $"{company} からの電話とSMSを停止しました。今後のご連絡は {email} 宛のメールのみとなります。",
            "sms_only" => $"{company} からの電話とメールを停止しました。今後のご連絡はSMSのみとなります。",
            "phone_ok" => $"ご回答を {company} の担当者にお伝えしました。これまでどおり電話でご連絡することがあります。",
            "not_now" => $"{company} からの電話・SMS・メールによる連絡を停止しました。{after}（日本時間0時）から再びご連絡することがあります。",
            _ => "",
        },
        FlaggedNote = "コメントに連絡停止のご希望が含まれているようでしたので、担当者が確認します。",
        UnknownTitle = "このリンクは見つかりませんでした",
        UnknownIntro = "リンクが途中で切れているか、入力に誤りがある可能性があります。電話番号を入力すると、確認コードをSMSでお送りし、この番号への連絡を停止できます。",
        GenericTitle = "電話番号への連絡を停止する",
        GenericIntro = "電話番号を入力すると、確認コードをSMSでお送りし、この番号への連絡を停止できます。",
        PhoneNumber = "電話番号",
        SendCode = "確認コードを送る",
        CodeSent = "確認コードをSMSで送りました。届いたコードを入力してください。",
        OneTimeCode = "確認コード（6桁）",
        Confirm = "連絡を停止する",
        GenericDone = "この番号への連絡停止を、これまでこの番号に連絡した会社に伝えました。数秒以内に反映されます。",
        GenericNothing = "この番号あての連絡記録は当サービスにはありません。停止する連絡はありませんでした。",
        ConfirmationSent = email => $"{email} 宛に確認のメールをお送りしました。メール内のリンクから確認されるまで、このアドレスにはご連絡しません。",
        ConfirmEmailTitle = "メールアドレスの確認",
        ConfirmEmailIntro = (company, email) => $"{company} が今後 {email} 宛にメールでご連絡することを承諾される場合は、下のボタンを押してください。",
        ConfirmEmailButton = "確認する",
        EmailConfirmed = (company, email) => $"確認しました。{company} からのご連絡は {email} 宛のメールで行われます。電話とSMSは停止されたままです。",
        ConfirmEmailClosed = "このリンクは使用済みか、有効期限が切れています。メールでのご連絡をご希望の場合は、SMSのリンクからもう一度ご回答ください。",
    };

    public static readonly Texts English = new()
    {
        Lang = "en",
        Title = "How would you like to be contacted?",
        Intro = "We recently contacted you. Please tell us whether and how you would like to hear from us.",
        Company = "Company",
        Caller = "Caller",
        Topic = "Topic",
        YourNumber = "Your number",
        ProvenanceLine = (source, date) => $"You gave us this number at “{source}” on {date}.",
        NoProvenance = "We have not received a record of where this number came from yet; the contact point below can tell you.",
        ContactPoint = "Contact point",
        DataSubjectRequests = "Ask for erasure, stop of use or stop of provision to third parties",
        StopButton = "Stop contacting me",
        StopHint = "One click stops calls, texts and emails.",
        OrAnswer = "Or tell us more",
        Email = "Email",
        Optional = "optional",
        Required = "required",
        PreferredContact = "How may we contact you?",
        Statuses =
        [
            ("no_further_contact", "No further contact"),
            ("email_only", "Email only"),
            ("sms_only", "SMS only"),
            ("phone_ok", "Phone is fine"),
            ("not_now", "Not now — from a date"),
        ],
        ContactAfter = "You may contact me again from (00:00 Japan time)",
        Reason = "Reason",
        Reasons =
        [
            ("not_interested", "Not interested"),
            ("changed_jobs", "I changed jobs or roles"),
            ("wrong_person", "Wrong person"),
            ("already_customer", "Already a customer"),
            ("too_frequent", "Too many contacts"),
            ("other", "Other"),
        ],
        ReasonText = "Reason in your words",
        Comments = "Comments",
        Submit = "Send",
        FixErrors = "Please check your answer",
        PrivacyPolicy = "Privacy policy",
        ThanksTitle = "Thank you for your answer",
        WhatHappens = (status, company, email, after) => status switch
        {
            "no_further_contact" => $"{company} will not call, text or email you again. Your request was accepted just now and reaches all their sending systems within seconds. You do not need to do anything else.",
            "email_only" => email is null
                ? $"{company} will no longer call or text you. You did not leave an email address, so they will email you only at an address you gave them before."
                : $"{company} will no longer call or text you; they will contact you only by email at {email}.",
            "sms_only" => $"{company} will no longer call or email you; they will contact you only by SMS.",
            "phone_ok" => $"Your answer has been passed to {company}'s team. They may keep contacting you by phone.",
            "not_now" => $"{company} will not call, text or email you until {after} (from 00:00 Japan time that day they may contact you again).",
            _ => "",
        },
        FlaggedNote = "Your comment reads like a request to stop contact; a person will review it.",
        UnknownTitle = "We could not find this link",
        UnknownIntro = "The link may have been cut short or mistyped. Enter your phone number: we will text you a one-time code, and you can stop contact to this number.",
        GenericTitle = "Stop contact to your phone number",
        GenericIntro = "Enter your phone number: we will text you a one-time code, and you can stop contact to this number.",
        PhoneNumber = "Phone number",
        SendCode = "Text me a code",
        CodeSent = "We texted you a one-time code. Enter it below.",
        OneTimeCode = "One-time code (6 digits)",
        Confirm = "Stop contact",
        GenericDone = "Your request to stop contact to this number has been passed to every company that contacted it through this service. It takes effect within seconds.",
        GenericNothing = "This service holds no record of contact to this number, so there was nothing to stop.",
        ConfirmationSent = email => $"We sent a confirmation email to {email}. Nobody will write to that address until you confirm it with the link in that email.",
        ConfirmEmailTitle = "Confirm your email address",
        ConfirmEmailIntro = (company, email) => $"Press the button if {company} may contact you by email at {email}.",
        ConfirmEmailButton = "Confirm",
        EmailConfirmed = (company, email) => $"Confirmed. {company} will contact you by email at {email}; calls and texts stay stopped.",
        ConfirmEmailClosed = "This link has been used or has expired. To be contacted by email, answer again through the link in the text message.",
    };

    /// <summary>The page's language as every recipient page chooses it (<see cref="RecipientLanguage"/>).</summary>
    public static Texts For(string? requested, HttpRequest request) =>
        RecipientLanguage.Resolve(request, requested) == RecipientLanguage.English ? English : Japanese;
}
