using System.Globalization;
using ConsentPlatform.Consent.Gate;
using ConsentPlatform.ServiceDefaults.Recipients;

namespace ConsentPlatform.Consent.Compliance;

/// <summary>
/// The compliance console's words in Japanese and English (one record, as every service keeps its
/// words: ADR 0022); a missing word is a compile error. Staff choose the language as recipients do
/// (<see cref="RecipientLanguage"/>: lang, then the browser, then Japanese), carried in every link.
/// </summary>
public sealed record ConsoleWords
{
    public required string Lang { get; init; }
    public required string Console { get; init; }
    public required string NavLabel { get; init; }
    public required string Home { get; init; }
    public required string HomeIntro { get; init; }
    public required string CheckTitle { get; init; }
    public required string CheckIntro { get; init; }
    public required string AuditTitle { get; init; }
    public required string AuditIntro { get; init; }
    public required string Contact { get; init; }
    public required string ContactHint { get; init; }
    public required string Channel { get; init; }
    public required string Purpose { get; init; }
    public required string PurposeHint { get; init; }
    public required string RunCheck { get; init; }
    public required string FixErrors { get; init; }
    public required IReadOnlyDictionary<string, string> FieldErrors { get; init; }
    public required string Decision { get; init; }
    public required IReadOnlyDictionary<string, string> Decisions { get; init; }
    public required string Reasons { get; init; }
    public required string NoReasons { get; init; }
    public required IReadOnlyDictionary<string, string> ReasonTexts { get; init; }
    public required string OptedOutUntil { get; init; }
    public required string CheckRecorded { get; init; }
    public required string Provenance { get; init; }
    public required string NothingHeld { get; init; }
    public required string LedgerRows { get; init; }
    public required string SuppressionEntries { get; init; }
    public required string Recorded { get; init; }
    public required string Action { get; init; }
    public required IReadOnlyDictionary<string, string> Actions { get; init; }
    public required string Method { get; init; }
    public required string SourceEvent { get; init; }
    public required string ConsentText { get; init; }
    public required string Expires { get; init; }
    public required string Receipt { get; init; }
    public required string Reason { get; init; }
    public required string Source { get; init; }
    public required string Scope { get; init; }
    public required string Everyone { get; init; }
    public required string AllChannels { get; init; }
    public required string AllPurposes { get; init; }
    public required string Lifted { get; init; }
    public required string Until { get; init; }
    public required string Key { get; init; }
    public required string AnyKey { get; init; }
    public required string Any { get; init; }
    public required string From { get; init; }
    public required string To { get; init; }
    public required string Filter { get; init; }
    public required string DownloadCsv { get; init; }
    public required string When { get; init; }
    public required string Who { get; init; }
    public required string AskedAbout { get; init; }
    public required string NoEntries { get; init; }
    public required Func<long, string> EntryCount { get; init; }
    public required string FirstPage { get; init; }
    public required string NextPage { get; init; }
    public required string Erased { get; init; }
    public required string RequestsTitle { get; init; }
    public required Func<Requests.DeadlineRule, string> RequestsIntro { get; init; }
    public required string ChangeDeadline { get; init; }
    public required string SettingsTitle { get; init; }
    public required string SettingsSaved { get; init; }
    public required string DeadlineSetting { get; init; }
    public required string DeadlineHint { get; init; }
    public required string DeadlineInDays { get; init; }
    public required string DeadlineDays { get; init; }
    public required string DeadlineDaysHint { get; init; }
    public required string DeadlineOneMonth { get; init; }
    public required string Save { get; init; }
    public required string RequestTitle { get; init; }
    public required string RequestId { get; init; }
    public required string Kind { get; init; }
    public required IReadOnlyDictionary<string, string> Kinds { get; init; }
    public required string Status { get; init; }
    public required IReadOnlyDictionary<string, string> Statuses { get; init; }
    public required string Received { get; init; }
    public required string Deadline { get; init; }
    public required string TimeLeft { get; init; }
    public required Func<TimeSpan, string> Remaining { get; init; }
    public required Func<TimeSpan, string> Late { get; init; }
    public required string Overdue { get; init; }
    public required string Done { get; init; }
    public required string NoRequests { get; init; }
    public required string ActionLog { get; init; }
    public required string Service { get; init; }
    public required IReadOnlyDictionary<string, string> LogActions { get; init; }
    public required string AwaitingConfirmation { get; init; }
    public required string AllRequests { get; init; }
    public required string NotFoundTitle { get; init; }
    public required string NotFoundText { get; init; }
    public required Func<string, string> TimesIn { get; init; }
    public required IReadOnlyDictionary<string, string> Channels { get; init; }
    public required string DateTimeFormat { get; init; }
    public required string OverviewTitle { get; init; }
    public required string OverviewIntro { get; init; }
    public required string ShowPeriod { get; init; }
    public required Func<string, string, string> PeriodNote { get; init; }
    public required string NothingInPeriod { get; init; }
    public required string ListSeparator { get; init; }
    public required string Item { get; init; }
    public required string Count { get; init; }
    public required string NoEvent { get; init; }
    public required string EventsList { get; init; }
    public required string ConsentsByChannel { get; init; }
    public required string ConsentsByChannelDesc { get; init; }
    public required string ConsentsByEvent { get; init; }
    public required string ConsentsByEventDesc { get; init; }
    public required string OptOutsByChannel { get; init; }
    public required string OptOutsByChannelDesc { get; init; }
    public required string OptOutsBySource { get; init; }
    public required string OptOutsBySourceDesc { get; init; }
    public required IReadOnlyDictionary<string, string> OptOutSources { get; init; }
    public required string OpenRequests { get; init; }
    public required Func<int, string> OpenRequestsDesc { get; init; }
    public required Func<int, string> DueWithin { get; init; }
    public required Func<int, string> DueLater { get; init; }
    public required Func<string, string> PropagationChart { get; init; }
    public required Func<string, long, string> PropagationChartDesc { get; init; }
    public required IReadOnlyDictionary<string, string> ServiceNames { get; init; }
    public required string Median { get; init; }
    public required string Percentile99 { get; init; }
    public required string Milliseconds { get; init; }
    public required string NotShownTitle { get; init; }
    public required IReadOnlyList<string> NotShown { get; init; }
    public required string ScrubTitle { get; init; }
    public required string ScrubIntro { get; init; }
    public required string ScrubFile { get; init; }
    public required string ScrubFileHint { get; init; }
    public required string RunScrub { get; init; }
    public required string ScrubJobTitle { get; init; }
    public required string ScrubRunning { get; init; }
    public required Func<long, long?, string> RowsChecked { get; init; }
    public required string ScrubFailed { get; init; }
    public required string ScrubRows { get; init; }
    public required string Finished { get; init; }
    public required string ScrubByReason { get; init; }
    public required string DownloadResult { get; init; }
    public required string ScrubAnother { get; init; }
    public required string NotAvailable { get; init; }
    public required string NoticesChart { get; init; }
    public required string NoticesChartDesc { get; init; }
    public required string NoticesSent { get; init; }
    public required string NoticesRefused { get; init; }
    public required string NoticesFailed { get; init; }
    public required string NoticesRefusedByReason { get; init; }
    public required string NoticesRefusedByReasonDesc { get; init; }
    public required string CrmDeliveries { get; init; }
    public required string CrmDeliveriesDesc { get; init; }
    public required string CrmDelivered { get; init; }
    public required string CrmDeadLetters { get; init; }
    public required string ContactTitle { get; init; }
    public required string ContactIntro { get; init; }
    public required string ShowRecord { get; init; }
    public required Func<string, string> RecordOf { get; init; }
    public required string DownloadExport { get; init; }
    public required string HeldRequests { get; init; }
    public required string HeldNotices { get; init; }
    public required string HeldResponses { get; init; }
    public required string NoneHeld { get; init; }
    public required string Topic { get; init; }
    public required string Choice { get; init; }
    public required string SuppressionsTitle { get; init; }
    public required string SuppressionsIntro { get; init; }
    public required string FindContact { get; init; }
    public required string Find { get; init; }
    public required Func<string, string> EntriesFor { get; init; }
    public required string ListFilter { get; init; }
    public required Func<long, string> SuppressionCount { get; init; }
    public required string NoSuppressions { get; init; }

    public string ChannelName(string? channel) => channel is null ? AllChannels : Channels.GetValueOrDefault(channel, channel);
    public string ReasonText(string code) => ReasonTexts.GetValueOrDefault(code, code);
    public string DecisionName(string decision) => Decisions.GetValueOrDefault(decision, decision);
    public string ActionName(string action) => Actions.GetValueOrDefault(action, action);
    public string KindName(string kind) => Kinds.GetValueOrDefault(kind, kind);
    public string StatusName(string status) => Statuses.GetValueOrDefault(status, status);
    public string OptOutSourceName(string source) => OptOutSources.GetValueOrDefault(source, source);
    public string LogActionName(string action) => LogActions.GetValueOrDefault(action, action);

    /// <summary>A moment in the organization's zone, as this language writes it.</summary>
    public string Time(long unixMilliseconds, TimeZoneInfo zone) => Time(DateTimeOffset.FromUnixTimeMilliseconds(unixMilliseconds), zone);

    public string Time(DateTimeOffset at, TimeZoneInfo zone) => TimeZoneInfo.ConvertTime(at, zone).ToString(DateTimeFormat, CultureInfo.InvariantCulture);

    public string ZoneNote(TimeZoneInfo zone) => TimesIn(RecipientFormat.ZoneName(zone, Lang));

    public static ConsoleWords For(string language) => language == RecipientLanguage.Japanese ? Japanese : English;

    public static readonly ConsoleWords Japanese = new()
    {
        Lang = "ja",
        Console = "コンプライアンス画面",
        NavLabel = "コンプライアンス画面のページ",
        Home = "ホーム",
        HomeIntro = "本人からの請求、連絡の可否の確認、連絡先の記録、確認の記録、連絡拒否の一覧をここで扱います。",
        CheckTitle = "連絡の可否の確認",
        CheckIntro = "電話番号またはメールアドレス、連絡方法、利用目的を入れると、いま連絡してよいか、その理由すべてと同意の出どころを表示します。確認は通常どおり確認の記録に1行残ります（それ以外は何も記録しません）。",
        AuditTitle = "確認の記録",
        AuditIntro = "連絡の可否の確認はすべて記録されています。電話番号そのものは保存せず、照合用の値と伏せ字の番号だけを残しています。",
        Contact = "電話番号またはメールアドレス",
        ContactHint = "どの形式でもかまいません（090-1234-5678、+81 90…、name@example.jp）。",
        Channel = "連絡方法",
        Purpose = "利用目的",
        PurposeHint = "イベントで決めた利用目的のコード（例: seminar-followup）。",
        RunCheck = "確認する",
        FixErrors = "入力内容を確認してください",
        FieldErrors = new Dictionary<string, string>
        {
            ["contact"] = "電話番号またはメールアドレスを確認してください。電話とSMSには電話番号が必要です。",
            ["channel"] = "連絡方法を選んでください。",
            ["purpose"] = "利用目的は英小文字・数字・「.」「_」「:」「-」の64文字以内で入れてください。",
            ["defaultRegion"] = "組織の国・地域の設定が正しくありません。",
            ["from"] = "開始日は 2026-12-04 の形で入れてください。",
            ["to"] = "終了日は 2026-12-04 の形で、開始日以降の日を入れてください。",
            ["key"] = "このキーはこの組織のものではありません。",
            ["decision"] = "判定は「許可」か「拒否」を選んでください。",
            ["reason"] = "理由は一覧から選んでください。",
            ["file"] = "電話番号の列があるCSVファイルを選んでください。",
            ["source"] = "経路は一覧から選んでください。",
            ["rule"] = "日数か1か月かを選んでください。",
            ["days"] = "日数は1から366までの整数で入れてください。",
        },
        Decision = "判定",
        Decisions = new Dictionary<string, string> { ["allow"] = "連絡してよい", ["deny"] = "連絡できません" },
        Reasons = "理由",
        NoReasons = "妨げる理由はありません。有効な同意があります。",
        ReasonTexts = new Dictionary<string, string>
        {
            ["erased"] = "本人の請求により消去されています（erased）。",
            ["refused_on_call"] = "電話で本人が断りました（refused_on_call）。",
            ["opted_out"] = "本人が配信停止・連絡拒否をしています（opted_out）。",
            ["opted_out_until"] = "本人が期限付きで連絡を断っています（opted_out_until）。",
            ["no_consent"] = "この連絡方法と利用目的についての同意がありません（no_consent）。",
            ["consent_expired"] = "同意の有効期限が切れています（consent_expired）。",
            ["email_confirmation_pending"] = "本人がこのメールアドレスを指定しましたが、まだ確認されていません（email_confirmation_pending）。",
            ["not_sms_capable"] = "この番号はSMSを受け取れません（not_sms_capable）。",
            ["quiet_hours"] = "相手の地域の連絡可能時間外です（quiet_hours）。",
            ["gate_unavailable"] = "確認の仕組みが一時的に使えないため、安全のため拒否しています（gate_unavailable）。",
            ["invalid_number"] = "電話番号として読めません（invalid_number）。",
        },
        OptedOutUntil = "期限付きの連絡拒否の終了",
        CheckRecorded = "確認番号",
        Provenance = "同意の出どころと連絡拒否",
        NothingHeld = "この連絡先について、この組織の同意の記録も連絡拒否もありません。",
        LedgerRows = "同意の記録",
        SuppressionEntries = "連絡拒否",
        Recorded = "記録日時",
        Action = "内容",
        Actions = new Dictionary<string, string> { ["granted"] = "同意", ["withdrawn"] = "取消し", ["requested"] = "確認待ち" },
        Method = "取得方法",
        SourceEvent = "出どころ",
        ConsentText = "同意文",
        Expires = "有効期限",
        Receipt = "受付番号",
        Reason = "理由",
        Source = "経路",
        Scope = "対象",
        Everyone = "すべての組織",
        AllChannels = "すべての連絡方法",
        AllPurposes = "すべての目的",
        Lifted = "解除",
        Until = "期限",
        Key = "キー",
        AnyKey = "すべてのキー",
        Any = "すべて",
        From = "開始日",
        To = "終了日",
        Filter = "絞り込む",
        DownloadCsv = "CSVでダウンロード（絞り込んだ全件）",
        When = "確認日時",
        Who = "確認した人",
        AskedAbout = "対象の日時",
        NoEntries = "条件に合う確認はありません。",
        EntryCount = n => $"{n:N0}件",
        FirstPage = "最初のページ",
        NextPage = "次のページ",
        Erased = "（消去済み）",
        RequestsTitle = "本人からの請求",
        RequestsIntro = rule => $"この組織が連絡先を持っている人からの消去・利用停止・第三者提供停止の請求です。期限はこの組織の設定で受付から{(rule.Rule == Requests.DeadlineRule.OneMonth ? "1か月" : $"{rule.Days}日")}です。期限を過ぎた未完了の請求は強調しています。",
        ChangeDeadline = "期限の設定を変える",
        SettingsTitle = "設定",
        SettingsSaved = "保存しました。請求の一覧の期限と残り時間はこの設定で数えます。",
        DeadlineSetting = "本人からの請求に答える期限",
        DeadlineHint = "個人情報保護法は「遅滞なく」と定め、日数は事業者が決めます。GDPRは受付から1か月です。請求の一覧の期限・残り時間・期限超過はこの設定で数えます（本人に伝えた期限は変わりません）。",
        DeadlineInDays = "受付から決まった日数（個人情報保護法の「遅滞なく」）",
        DeadlineDays = "日数",
        DeadlineDaysHint = "1から366までの整数。",
        DeadlineOneMonth = "受付から1か月（GDPR 第12条3項）",
        Save = "保存する",
        RequestTitle = "請求",
        RequestId = "受付番号",
        Kind = "種類",
        Kinds = Requests.RequestWords.Japanese.Kinds.ToDictionary(k => k.Kind, k => k.Label),
        Status = "状況",
        // Staff read the status from the organization's side, the person from theirs (RequestWords): the words differ.
        Statuses = new Dictionary<string, string> { ["pending_verification"] = "本人確認待ち", ["completed"] = "完了", ["failed"] = "無効（本人確認できず）" },
        Received = "受付日時",
        Deadline = "期限",
        TimeLeft = "残り",
        Remaining = left => left.TotalDays >= 1 ? $"あと{(int)Math.Ceiling(left.TotalDays)}日" : $"あと{Math.Max(1, (int)left.TotalHours)}時間",
        Late = late => late.TotalDays >= 1 ? $"{(int)late.TotalDays}日超過" : $"{Math.Max(1, (int)late.TotalHours)}時間超過",
        Overdue = "期限超過",
        Done = "対応済み",
        NoRequests = "請求はありません。",
        ActionLog = "対応の記録",
        Service = "サービス",
        LogActions = new Dictionary<string, string>
        {
            ["received"] = "受付（確認コードを送信）", ["verified"] = "本人確認済み", ["failed"] = "本人確認できず無効",
            ["erased"] = "同意の記録を消去", ["suppressed"] = "連絡拒否を登録", ["withdrawn"] = "同意を取消し",
            ["erasure_requested"] = "ほかのサービスに消去を依頼", ["erasure_confirmed"] = "消去を確認",
        },
        AwaitingConfirmation = "消去の確認待ち",
        AllRequests = "請求の一覧へ",
        NotFoundTitle = "ページが見つかりません",
        NotFoundText = "このアドレスのページはありません。上のメニューから選んでください。",
        TimesIn = zone => $"時刻はすべて{zone}です。",
        Channels = new Dictionary<string, string> { ["call"] = "電話", ["sms"] = "SMS", ["email"] = "メール" },
        DateTimeFormat = "yyyy年M月d日 H:mm",
        OverviewTitle = "概況",
        OverviewIntro = "選んだ期間（初期値は今日までの30日）に記録された同意と連絡拒否、いま未完了の本人からの請求です。グラフの数字は下の表にもあります。",
        ShowPeriod = "表示する",
        PeriodNote = (from, to) => $"{from} から {to} まで（両日を含む）",
        NothingInPeriod = "この期間にはありません。",
        ListSeparator = "、",
        Item = "項目",
        Count = "件数",
        NoEvent = "イベント以外（再同意など）",
        EventsList = "イベントと同意の記録の一覧へ",
        ConsentsByChannel = "記録された同意（連絡方法別）",
        ConsentsByChannelDesc = "期間中に記録された同意の件数を連絡方法ごとに示します。",
        ConsentsByEvent = "記録された同意（イベント別）",
        ConsentsByEventDesc = "期間中に記録された同意の件数をイベントごとに示します。",
        OptOutsByChannel = "連絡拒否（連絡方法別）",
        OptOutsByChannelDesc = "期間中に登録された連絡拒否を連絡方法ごとに示します。本人からの請求による停止はすべての連絡方法に数えます。",
        OptOutsBySource = "連絡拒否（経路別）",
        OptOutsBySourceDesc = "期間中の連絡拒否を、本人が断った経路ごとに示します。取り込み（インポート）は同意だけを記録するため、経路に含みません。",
        OptOutSources = new Dictionary<string, string>
        {
            ["responses"] = "短縮リンク・停止ページ", ["sms_reply"] = "STOPなどのSMS返信", ["call_refused"] = "電話での拒否",
            ["directory"] = "番号案内からの停止", [Overview.DataSubjectRequestSource] = "本人からの請求",
        },
        OpenRequests = "未完了の本人からの請求（期限別）",
        OpenRequestsDesc = days => $"いま本人確認を待っている請求を、期限を過ぎたもの、{days}日以内に期限が来るもの、それ以降のものに分けて示します。期間の選択には関係しません。",
        DueWithin = days => $"{days}日以内に期限",
        DueLater = days => $"期限まで{days}日より先",
        PropagationChart = service => $"連絡拒否が{service}に届くまでの時間（ミリ秒）",
        PropagationChartDesc = (service, count) => $"期間中に{service}が反映したこの組織の連絡拒否{count:N0}件について、本人が連絡を断ってから{service}が反映するまでの時間の中央値（p50）と99パーセンタイル（p99）です（ミリ秒）。各サービスのメトリクスと同じ値を、そのサービスのデータベースから読んでいます。",
        ServiceNames = new Dictionary<string, string> { ["consent"] = "同意管理（Consent）", ["notices"] = "通知（Notices）" },
        Median = "中央値（p50）",
        Percentile99 = "99パーセンタイル（p99）",
        Milliseconds = "ミリ秒",
        NotShownTitle = "この画面に出ていない数字",
        NotShown =
        [
            "連絡拒否が届くまでの時間は、連絡拒否を反映するサービス（同意管理と通知）についてだけ示しています。応答（Responses）と番号案内（Directory）は連絡拒否を受け付けて送り出す側で、反映はしないため、この数字はありません。",
        ],
        ScrubTitle = "リストの一括確認",
        ScrubIntro = "電話をかける前のリスト（CSV）を1行ずつ、連絡の可否の確認と同じ規則で確かめます。結果は各行に判定と理由を付けたCSVです。",
        ScrubFile = "CSVファイル",
        ScrubFileHint = "1行目に列名、そのうち1つが電話番号の列（phone、tel、電話番号など）。UTF-8でもExcelが保存するShift_JISでもかまいません。",
        RunScrub = "確認を始める",
        ScrubJobTitle = "リストの確認",
        ScrubRunning = "確認しています",
        RowsChecked = (rows, expected) => expected is { } e && e > 0 ? $"{rows:N0}行 / 約{e:N0}行を確認しました（このページは自動で更新されます）。" : $"{rows:N0}行を確認しました（このページは自動で更新されます）。",
        ScrubFailed = "このファイルは確認できませんでした。直してもう一度アップロードしてください。",
        ScrubRows = "確認した行",
        Finished = "完了日時",
        ScrubByReason = "連絡できない理由ごとの行数",
        DownloadResult = "結果をCSVでダウンロード",
        ScrubAnother = "別のリストを確認する",
        NotAvailable = "いまは表示できません（このデータを持つサービスから時間内に返事がありませんでした）。0件という意味ではありません。",
        NoticesChart = "通知（送信・拒否・失敗）",
        NoticesChartDesc = "期間中に作られた通知を、送信したもの、連絡の可否の確認で拒否されたもの、送信に失敗したものに分けて示します（通知サービスの記録）。",
        NoticesSent = "送信",
        NoticesRefused = "拒否",
        NoticesFailed = "失敗",
        NoticesRefusedByReason = "拒否された通知（理由別）",
        NoticesRefusedByReasonDesc = "期間中に拒否された通知を、拒否の理由ごとに示します（通知サービスの記録）。",
        CrmDeliveries = "CRMへの配信",
        CrmDeliveriesDesc = "期間中に作られたCRMへの配信のうち、届いたものと、すべての再試行のあとにあきらめたもの（配信不能）を示します（回答サービスの記録）。",
        CrmDelivered = "配信済み",
        CrmDeadLetters = "配信不能",
        ContactTitle = "連絡先の記録",
        ContactIntro = "1人の連絡先について、この組織が持っている記録（同意の記録とその出どころ、経路付きの連絡拒否、本人からの請求、通知サービスが送った通知、回答サービスにある本人の回答）を表示します。本人からの開示請求に答えるときのCSVと同じ内容です。時間内に返事のなかったサービスの分は「表示できません」と示します。入力した番号やアドレスはページのアドレスに残りません。",
        ShowRecord = "記録を表示する",
        RecordOf = contact => $"{contact} の記録",
        DownloadExport = "この記録をCSVでダウンロード",
        HeldRequests = "本人からの請求",
        HeldNotices = "送った通知（通知サービス）",
        HeldResponses = "本人の回答（回答サービス）",
        NoneHeld = "ありません。",
        Topic = "用件",
        Choice = "本人の選択",
        SuppressionsTitle = "連絡拒否の一覧",
        SuppressionsIntro = "この組織あての連絡拒否です。経路と登録日で絞り込めます。番号は保存していない（照合用の値だけ）ため一覧には出ません。1人の連絡拒否は番号かメールアドレスで探してください。本人からの請求による停止はすべての組織に及び、番号で探したときに表示します。",
        FindContact = "番号またはメールアドレスで探す",
        Find = "探す",
        EntriesFor = contact => $"{contact} の連絡拒否",
        ListFilter = "一覧を絞り込む",
        SuppressionCount = n => $"{n:N0}件",
        NoSuppressions = "条件に合う連絡拒否はありません。",
    };

    public static readonly ConsoleWords English = new()
    {
        Lang = "en",
        Console = "Compliance console",
        NavLabel = "Compliance console pages",
        Home = "Console home",
        HomeIntro = "People's requests, ad-hoc permission checks, one contact's record, the audit of every check and the suppression list, in one place.",
        CheckTitle = "Permission check",
        CheckIntro = "Enter a number or email in any format, the channel and the purpose: the page answers whether you may contact them now, every reason, and where their consent came from. The check is recorded in the audit like any other (one row; nothing else is recorded).",
        AuditTitle = "Audit of permission checks",
        AuditIntro = "Every permission check is recorded. Numbers are not stored: only a keyed hash and the masked number.",
        Contact = "Phone number or email",
        ContactHint = "Any format (090-1234-5678, +81 90…, name@example.jp).",
        Channel = "Channel",
        Purpose = "Purpose",
        PurposeHint = "The purpose code your event declares (e.g. seminar-followup).",
        RunCheck = "Check",
        FixErrors = "Please check your entries",
        FieldErrors = new Dictionary<string, string>
        {
            ["from"] = "Give the first day as 2026-12-04.",
            ["to"] = "Give the last day as 2026-12-04, not before the first day.",
            ["key"] = "That key is not one of this organization's.",
            ["decision"] = "The decision is allow or deny.",
            ["reason"] = "Pick a reason from the list.",
            ["source"] = "Pick a source from the list.",
        },
        Decision = "Decision",
        Decisions = new Dictionary<string, string> { ["allow"] = "May contact", ["deny"] = "Do not contact" },
        Reasons = "Reasons",
        NoReasons = "Nothing stands in the way: there is active consent.",
        ReasonTexts = new Dictionary<string, string>
        {
            ["erased"] = "Erased at the person's request (erased).",
            ["refused_on_call"] = "The person refused on a call (refused_on_call).",
            ["opted_out"] = "The person opted out (opted_out).",
            ["opted_out_until"] = "The person asked not to be contacted until a date (opted_out_until).",
            ["no_consent"] = "No consent for this channel and purpose (no_consent).",
            ["consent_expired"] = "The consent has expired (consent_expired).",
            ["email_confirmation_pending"] = "The person asked for email at this address but has not confirmed it yet (email_confirmation_pending).",
            ["not_sms_capable"] = "This number cannot receive SMS (not_sms_capable).",
            ["quiet_hours"] = "Outside the contact hours where the person is (quiet_hours).",
            ["gate_unavailable"] = "The check could not be made, so it answers no to be safe (gate_unavailable).",
            ["invalid_number"] = "Not a phone number (invalid_number).",
        },
        OptedOutUntil = "Temporary opt-out ends",
        CheckRecorded = "Check id",
        Provenance = "Where consent came from, and opt-outs",
        NothingHeld = "This organization holds no consent record and no opt-out for this contact.",
        LedgerRows = "Consent records",
        SuppressionEntries = "Opt-outs",
        Recorded = "Recorded",
        Action = "Action",
        Actions = new Dictionary<string, string> { ["granted"] = "Granted", ["withdrawn"] = "Withdrawn", ["requested"] = "Awaiting confirmation" },
        Method = "Method",
        SourceEvent = "Source",
        ConsentText = "Consent text",
        Expires = "Expires",
        Receipt = "Receipt",
        Reason = "Reason",
        Source = "Source",
        Scope = "Scope",
        Everyone = "Every organization",
        AllChannels = "All channels",
        AllPurposes = "All purposes",
        Lifted = "Lifted",
        Until = "Until",
        Key = "Key",
        AnyKey = "All keys",
        Any = "Any",
        From = "From",
        To = "To",
        Filter = "Filter",
        DownloadCsv = "Download as CSV (every matching check)",
        When = "Checked",
        Who = "Asked by",
        AskedAbout = "Asked about",
        NoEntries = "No checks match.",
        EntryCount = n => n == 1 ? "1 check" : $"{n:N0} checks",
        FirstPage = "First page",
        NextPage = "Next page",
        Erased = "(erased)",
        RequestsTitle = "Data-subject requests",
        RequestsIntro = rule => $"Erasure, stop-use and stop-third-party-provision requests from people this organization holds. By this organization's setting each is due {(rule.Rule == Requests.DeadlineRule.OneMonth ? "one month" : rule.Days == 1 ? "1 day" : $"{rule.Days} days")} after it is received. Open requests past their deadline are highlighted.",
        ChangeDeadline = "Change the deadline",
        SettingsTitle = "Settings",
        SettingsSaved = "Saved. The requests list counts deadlines and time left by this setting.",
        DeadlineSetting = "Deadline for answering data-subject requests",
        DeadlineHint = "Japan's APPI says \"without delay\" and leaves the number of days to you; the GDPR gives one month from receipt. The requests list counts each request's deadline, time left and overdue from this (the date the person was told does not change).",
        DeadlineInDays = "A number of days after receipt (APPI's \"without delay\")",
        DeadlineDays = "Days",
        DeadlineDaysHint = "A whole number from 1 to 366.",
        DeadlineOneMonth = "One month after receipt (GDPR art. 12(3))",
        Save = "Save",
        RequestTitle = "Request",
        RequestId = "Request",
        Kind = "Kind",
        Kinds = Requests.RequestWords.English.Kinds.ToDictionary(k => k.Kind, k => k.Label),
        Status = "Status",
        Statuses = new Dictionary<string, string> { ["pending_verification"] = "Awaiting verification", ["completed"] = "Completed", ["failed"] = "Failed (not verified)" },
        Received = "Received",
        Deadline = "Deadline",
        TimeLeft = "Time left",
        Remaining = left => left.TotalDays >= 1 ? $"{(int)Math.Ceiling(left.TotalDays)} days left" : $"{Math.Max(1, (int)left.TotalHours)} hours left",
        Late = late => late.TotalDays >= 1 ? $"{(int)late.TotalDays} days overdue" : $"{Math.Max(1, (int)late.TotalHours)} hours overdue",
        Overdue = "Overdue",
        Done = "Done",
        NoRequests = "No requests.",
        ActionLog = "Action log",
        Service = "Service",
        LogActions = new Dictionary<string, string>
        {
            ["received"] = "Received (code sent)", ["verified"] = "Identity verified", ["failed"] = "Not verified; closed",
            ["erased"] = "Consent records erased", ["suppressed"] = "Opt-out recorded", ["withdrawn"] = "Consents withdrawn",
            ["erasure_requested"] = "Erasure asked of the other services", ["erasure_confirmed"] = "Erasure confirmed",
        },
        AwaitingConfirmation = "Erasure not yet confirmed by",
        AllRequests = "All requests",
        NotFoundTitle = "Page not found",
        NotFoundText = "There is no page at this address. Choose one from the menu above.",
        TimesIn = zone => $"All times are {zone}.",
        Channels = new Dictionary<string, string> { ["call"] = "Call", ["sms"] = "SMS", ["email"] = "Email" },
        DateTimeFormat = "d MMM yyyy, H:mm",
        OverviewTitle = "Overview",
        OverviewIntro = "Consents and opt-outs recorded in the chosen period (by default the 30 days to today), and the people's requests open now. Every chart's figures are also in the table below it.",
        ShowPeriod = "Show",
        PeriodNote = (from, to) => $"From {from} to {to}, both days included.",
        NothingInPeriod = "Nothing in this period.",
        ListSeparator = "; ",
        Item = "Item",
        Count = "Count",
        NoEvent = "Outside any event (e.g. opt back in)",
        EventsList = "Events and their consent records",
        ConsentsByChannel = "Consents recorded, by channel",
        ConsentsByChannelDesc = "Consents recorded in the period, per channel.",
        ConsentsByEvent = "Consents recorded, by event",
        ConsentsByEventDesc = "Consents recorded in the period, per event.",
        OptOutsByChannel = "Opt-outs, by channel",
        OptOutsByChannelDesc = "Opt-outs recorded in the period, per channel; a data-subject request stops every channel.",
        OptOutsBySource = "Opt-outs, by source",
        OptOutsBySourceDesc = "Opt-outs recorded in the period, by the way the person said no. Imports record consents only, so they are not a source.",
        OptOutSources = new Dictionary<string, string>
        {
            ["responses"] = "Short link or stop page", ["sms_reply"] = "STOP reply", ["call_refused"] = "Refused call",
            ["directory"] = "Directory", [Overview.DataSubjectRequestSource] = "Data-subject request",
        },
        OpenRequests = "Open data-subject requests, by deadline",
        OpenRequestsDesc = days => $"Requests awaiting verification now: past their deadline, due within {days} days, or due later. Not limited to the period.",
        DueWithin = days => $"Due within {days} days",
        DueLater = days => $"Due in more than {days} days",
        PropagationChart = service => $"Opt-out propagation to {service} (milliseconds)",
        PropagationChartDesc = (service, count) => $"How long this organization's {count:N0} opt-outs that {service} applied in the period took from the person saying no to {service} applying it: the median (p50) and the 99th percentile (p99), in milliseconds. The same values the service's meter publishes, read from that service's database.",
        ServiceNames = new Dictionary<string, string> { ["consent"] = "Consent", ["notices"] = "Notices" },
        Median = "Median (p50)",
        Percentile99 = "99th percentile (p99)",
        Milliseconds = "Milliseconds",
        NotShownTitle = "Not shown here",
        NotShown =
        [
            "Propagation latency is shown for the services that apply opt-outs (Consent and Notices). Responses and Directory take opt-outs and send them on but apply none, so they have no such figure.",
        ],
        ScrubTitle = "Bulk scrub",
        ScrubIntro = "Check a call list (CSV) row by row against the same rules as a single permission check. The result is the list with a decision and reasons on every row.",
        ScrubFile = "CSV file",
        ScrubFileHint = "The first row names the columns, one of them the phone number (phone, tel, 電話番号…). UTF-8 or Shift_JIS as Excel saves it.",
        RunScrub = "Start the scrub",
        ScrubJobTitle = "Scrub",
        ScrubRunning = "Checking the list",
        RowsChecked = (rows, expected) => expected is { } e && e > 0 ? $"{rows:N0} of about {e:N0} rows checked (this page refreshes itself)." : $"{rows:N0} rows checked (this page refreshes itself).",
        ScrubFailed = "This file could not be scrubbed. Fix it and upload it again.",
        ScrubRows = "Rows checked",
        Finished = "Finished",
        ScrubByReason = "Rows that may not be contacted, by reason",
        DownloadResult = "Download the result as CSV",
        ScrubAnother = "Scrub another list",
        NotAvailable = "Not available now: the service that holds these figures did not answer in time. This does not mean zero.",
        NoticesChart = "Notices sent, refused and failed",
        NoticesChartDesc = "Notices made in the period: sent, refused by the permission check, or failed to send (from the Notices service).",
        NoticesSent = "Sent",
        NoticesRefused = "Refused",
        NoticesFailed = "Failed",
        NoticesRefusedByReason = "Notices refused, by reason",
        NoticesRefusedByReasonDesc = "Notices refused in the period, by the reason the check gave (from the Notices service).",
        CrmDeliveries = "CRM deliveries",
        CrmDeliveriesDesc = "CRM deliveries made in the period: delivered, or given up after every retry (dead letters) (from the Responses service).",
        CrmDelivered = "Delivered",
        CrmDeadLetters = "Dead letters",
        ContactTitle = "Contact record",
        ContactIntro = "What this organization holds about one contact: consent records with where they came from, opt-outs with their source, data-subject requests, the notices Notices sent and the responses Responses holds. The same content as the per-contact export, what an access request returns; a service that does not answer in time is shown as not available. The number or address you enter is not put in the page's address.",
        ShowRecord = "Show the record",
        RecordOf = contact => $"Record of {contact}",
        DownloadExport = "Download this record as CSV",
        HeldRequests = "Data-subject requests",
        HeldNotices = "Notices sent (held by Notices)",
        HeldResponses = "The person's responses (held by Responses)",
        NoneHeld = "None.",
        Topic = "Topic",
        Choice = "Choice",
        SuppressionsTitle = "Suppression list",
        SuppressionsIntro = "Opt-outs recorded for this organization, filtered by source and the day they were recorded. Numbers are not stored (only a keyed hash), so the list shows none: find one person's opt-outs by number or email. Opt-outs by data-subject request hold for every organization and are shown when you search by number.",
        FindContact = "Find by number or email",
        Find = "Find",
        EntriesFor = contact => $"Opt-outs for {contact}",
        ListFilter = "Filter the list",
        SuppressionCount = n => n == 1 ? "1 opt-out" : $"{n:N0} opt-outs",
        NoSuppressions = "No opt-outs match.",
    };
}
