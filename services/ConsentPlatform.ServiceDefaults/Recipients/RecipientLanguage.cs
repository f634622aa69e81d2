using System.Globalization;
using ConsentPlatform.Telephony;
using Microsoft.AspNetCore.Http;

namespace ConsentPlatform.ServiceDefaults.Recipients;

/// <summary>
/// The language of a page a recipient sees: Japanese or English. An explicit choice (the <c>lang</c>
/// query or form field, which every recipient page carries through its links and forms instead of a
/// cookie) wins; otherwise the browser's preferred language of the two, by quality; Japanese when the
/// browser names neither, because the recipients are called in Japan.
/// </summary>
public static class RecipientLanguage
{
    public const string Japanese = "ja";
    public const string English = "en";

    public static string Resolve(HttpRequest request, string? requested)
    {
        if (requested is Japanese or English) return requested;
        foreach (var value in request.GetTypedHeaders().AcceptLanguage.OrderByDescending(l => l.Quality ?? 1))
        {
            var tag = value.Value.Value ?? "";
            if (tag.StartsWith(Japanese, StringComparison.OrdinalIgnoreCase)) return Japanese;
            if (tag.StartsWith(English, StringComparison.OrdinalIgnoreCase)) return English;
        }
        return Japanese;
    }

    public static string Other(string language) => language == Japanese ? English : Japanese;

    /// <summary>What the switch link says, in the language it switches to.</summary>
    public static string NameOf(string language) => language == Japanese ? "日本語" : "English";
}

/// <summary>
/// Times and numbers as the recipient reads them: in the time zone of the recipient's number (the
/// first zone of its country, so JST for +81; the platform's Japan when no number is known) and
/// written the way the language writes dates.
/// </summary>
public static class RecipientFormat
{
    private static readonly TimeZoneInfo Japan = TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo");

    public static TimeZoneInfo ZoneOf(PhoneNumber? number) =>
        number is { IsEmpty: false } n && ContactWindow.TimeZonesFor(n) is [var zone, ..] ? zone : Japan;

    /// <summary>「2026年12月4日 11:40」 or "4 December 2026, 11:40 (Asia/Tokyo)".</summary>
    public static string DateTime(DateTimeOffset at, PhoneNumber? number, string language)
    {
        var zone = ZoneOf(number);
        var local = TimeZoneInfo.ConvertTime(at, zone);
        return language == RecipientLanguage.Japanese
            ? local.ToString("yyyy年M月d日 H:mm", CultureInfo.InvariantCulture) + (zone.Id == Japan.Id ? "" : $"（{zone.Id}）")
            : local.ToString("d MMMM yyyy, H:mm", CultureInfo.InvariantCulture) + $" ({ZoneName(zone)})";
    }

    /// <summary>「2026年12月4日」 or "4 December 2026": a day needs no zone.</summary>
    public static string Date(DateOnly date, string language) =>
        language == RecipientLanguage.Japanese
            ? date.ToString("yyyy年M月d日", CultureInfo.InvariantCulture)
            : date.ToString("d MMMM yyyy", CultureInfo.InvariantCulture);

    /// <summary>The day of <paramref name="at"/> where the recipient is.</summary>
    public static string Date(DateTimeOffset at, PhoneNumber? number, string language) =>
        Date(DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, ZoneOf(number)).DateTime), language);

    /// <summary>Japan's zone in Japanese is 日本時間; elsewhere the IANA id, which names a city people recognise.</summary>
    public static string ZoneName(TimeZoneInfo zone, string language = RecipientLanguage.English) =>
        zone.Id == Japan.Id ? (language == RecipientLanguage.Japanese ? "日本時間" : "Japan time") : zone.Id;

    /// <summary>An IANA zone id as <see cref="ZoneName(TimeZoneInfo, string)"/> shows it.</summary>
    public static string ZoneName(string? zoneId, string language) =>
        zoneId is null ? "" : zoneId == Japan.Id ? ZoneName(Japan, language) : zoneId;

    /// <summary>A number in its country's national format (03-1234-5678); text that does not parse is shown as given.</summary>
    public static string Number(string? number) =>
        number is null ? "" : PhoneNumbers.TryParse(number, out var parsed) ? parsed.FormatNational() : number;
}

/// <summary>Why typed text is not a phone number, in the recipient's language (the parser's own message is English).</summary>
public static class PhoneInputText
{
    public static string Describe(PhoneParseResult result, string language) => language != RecipientLanguage.Japanese
        ? result.ErrorMessage ?? ""
        : result.Error switch
        {
            PhoneParseError.Empty => "電話番号を入力してください。",
            PhoneParseError.TooLong or PhoneParseError.TooLongForRegion => "電話番号の桁数が多すぎます。",
            PhoneParseError.TooShort => "電話番号の桁数が足りません。",
            PhoneParseError.InvalidCharacters => "電話番号には数字、ハイフン、先頭の＋だけを使ってください。",
            PhoneParseError.Extension => "内線番号は入力できません。直通の番号を入力してください。",
            PhoneParseError.UnknownCountryCode => "国番号が正しくありません。",
            _ => "この電話番号は使われていない形式です。市外局番から（例: 03-1234-5678、090-1234-5678）入力してください。",
        };
}
