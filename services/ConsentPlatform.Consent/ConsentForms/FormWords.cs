using ConsentPlatform.ServiceDefaults.Recipients;

namespace ConsentPlatform.Consent.ConsentForms;

/// <summary>The form's own words in ja and en (the organizer's texts come from the event).</summary>
public sealed record FormWords(
    string Sender, string Purpose, string ChooseChannels, string ChannelsHint, string Phone, string PhoneHint, string Email, string EmailHint,
    string ThirdParties, string ThirdPartyBox, string Submit, string NothingSent, string ReceiptTitle, string ReceiptIntro, string ReceiptId,
    string Expires, string Version, string Call, string Sms, string EmailChannel, string Fix)
{
    public static readonly FormWords Ja = new(
        "送信者", "利用目的", "連絡を受けてもよい方法（任意・選んだものだけに同意）", "何も選ばなければ連絡しません。メールのみも選べます。",
        "電話番号", "電話・SMSを選んだ場合のみ必要です。", "メールアドレス", "メールを選んだ場合のみ必要です。",
        "第三者への提供（任意・個別に同意）", "次の提供先に私の連絡先を提供することに同意します: ", "同意して送信",
        "送信ボタンを押すまで、入力した内容はどこにも送られません。", "同意の控え", "次の内容に同意いただきました。", "受付番号",
        "有効期限", "版", "電話", "SMS", "メール", "入力内容を確認してください");

    public static readonly FormWords En = new(
        "Sender", "Purpose of use", "How we may contact you (optional; you agree only to what you tick)", "If you tick nothing, we will not contact you. Email only is fine.",
        "Phone number", "Needed only if you tick call or SMS.", "Email address", "Needed only if you tick email.",
        "Sharing with third parties (optional; each separately)", "I agree that my contact details are given to: ", "Agree and submit",
        "Nothing you type is sent anywhere until you press the button.", "Your consent receipt", "You agreed to the following.", "Receipt",
        "Expires", "version", "Phone calls", "SMS", "Email", "Please check your entries");

    public static FormWords For(string language) => language == "ja" ? Ja : En;

    public string ChannelName(string channel) => channel switch { "call" => Call, "sms" => Sms, "email" => EmailChannel, _ => channel };

    /// <summary>The page's language as every recipient page chooses it (<see cref="RecipientLanguage"/>).</summary>
    public static string Language(HttpRequest request, string? requested) => RecipientLanguage.Resolve(request, requested);
}
