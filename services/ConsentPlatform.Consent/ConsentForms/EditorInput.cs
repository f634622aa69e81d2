using ConsentPlatform.ServiceDefaults.Web;
using System.Globalization;
using ConsentPlatform.Contracts;

namespace ConsentPlatform.Consent.ConsentForms;

/// <summary>
/// The organizer's editor as a plain HTML form posts it: one field per text, lists one per line.
/// Turned into an <see cref="EventInput"/>, so the page and the API validate alike.
/// </summary>
public sealed record EditorInput
{
    public string? Title { get; init; }
    public string? StartsOn { get; init; }
    public string? EndsOn { get; init; }
    public string? Purpose { get; init; }
    [MultilineText]
    public string? PurposeJa { get; init; }
    [MultilineText]
    public string? PurposeEn { get; init; }
    public string[]? Channels { get; init; }
    [MultilineText]
    public string? CallJa { get; init; }
    [MultilineText]
    public string? CallEn { get; init; }
    [MultilineText]
    public string? SmsJa { get; init; }
    [MultilineText]
    public string? SmsEn { get; init; }
    [MultilineText]
    public string? EmailJa { get; init; }
    [MultilineText]
    public string? EmailEn { get; init; }
    public string? SenderLegalName { get; init; }
    public string? LifetimeMonths { get; init; }
    /// <summary>One origin per line.</summary>
    [MultilineText]
    public string? AllowedOrigins { get; init; }
    /// <summary>One named recipient per line.</summary>
    [MultilineText]
    public string? ThirdParties { get; init; }
    /// <summary>"save" or "preview" (the button pressed).</summary>
    public string? Action { get; init; }

    public static readonly string[] AllChannels = [Contracts.Channels.Call, Contracts.Channels.Sms, Contracts.Channels.Email];

    public static EditorInput Blank { get; } = new() { LifetimeMonths = "12", Channels = [] };

    public string? Text(string channel, string language) => (channel, language) switch
    {
        ("call", "ja") => CallJa, ("call", "en") => CallEn,
        ("sms", "ja") => SmsJa, ("sms", "en") => SmsEn,
        ("email", "ja") => EmailJa, ("email", "en") => EmailEn,
        _ => null,
    };

    public static EditorInput From(EventView view)
    {
        string? T(string channel, string language) => view.Text(channel, language)?.Body;
        return new EditorInput
        {
            Title = view.Title, StartsOn = view.StartsOn?.ToString("yyyy-MM-dd"), EndsOn = view.EndsOn?.ToString("yyyy-MM-dd"), Purpose = view.Purpose,
            PurposeJa = view.PurposeText.Ja, PurposeEn = view.PurposeText.En, Channels = [.. view.Channels],
            CallJa = T("call", "ja"), CallEn = T("call", "en"), SmsJa = T("sms", "ja"), SmsEn = T("sms", "en"), EmailJa = T("email", "ja"), EmailEn = T("email", "en"),
            SenderLegalName = view.SenderLegalName, LifetimeMonths = view.LifetimeMonths.ToString(CultureInfo.InvariantCulture),
            AllowedOrigins = string.Join('\n', view.AllowedOrigins), ThirdParties = string.Join('\n', view.ThirdParties),
        };
    }

    /// <summary>The API's input, with the fields a form can get wrong before validation (dates, numbers) reported under the API's names.</summary>
    public EventInput ToInput(Dictionary<string, string[]> errors)
    {
        DateOnly? Date(string? value, string field)
        {
            if (string.IsNullOrWhiteSpace(value)) return null;
            if (DateOnly.TryParseExact(value.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)) return date;
            errors[field] = ["Not a date (yyyy-MM-dd)."];
            return null;
        }
        var startsOn = Date(StartsOn, "startsOn");
        var endsOn = Date(EndsOn, "endsOn");
        int? lifetime = int.TryParse(LifetimeMonths?.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var months) ? months : null;
        var channels = (Channels ?? []).Where(c => !string.IsNullOrEmpty(c)).ToList();
        var input = new EventInput
        {
            Title = Title, StartsOn = startsOn, EndsOn = endsOn, Purpose = Purpose,
            PurposeText = new LocalizedText { Ja = PurposeJa, En = PurposeEn }, Channels = channels,
            // Only the offered channels' texts: the boxes of a channel not ticked are ignored, not an error.
            Texts = channels.Where(c => AllChannels.Contains(c)).ToDictionary(c => c, c => new LocalizedText { Ja = Text(c, "ja"), En = Text(c, "en") }),
            SenderLegalName = SenderLegalName, LifetimeMonths = lifetime, AllowedOrigins = Lines(AllowedOrigins), ThirdParties = Lines(ThirdParties),
        };
        foreach (var (field, messages) in input.Validate()) errors.TryAdd(field, messages);
        return input;
    }

    private static List<string> Lines(string? value) =>
        (value ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();

    /// <summary>
    /// What the form would look like if saved now: texts that differ from the current version show
    /// as the next version with their new hash. Tolerates an incomplete draft (it is a preview).
    /// </summary>
    public EventView Draft(EventView? current, string organizationId, DateTimeOffset now)
    {
        var channels = (Channels ?? []).Where(c => AllChannels.Contains(c)).Distinct().ToList();
        var texts = new List<TextVersion>();
        foreach (var channel in channels)
            foreach (var language in EventInput.Languages)
            {
                var body = Text(channel, language)?.Trim() ?? "";
                var latest = current?.Text(channel, language);
                texts.Add(latest?.Body == body ? latest
                    : new TextVersion(channel, language, (latest?.Version ?? 0) + 1, body, EventStore.HashText(body), now));
            }
        return new EventView
        {
            Id = current?.Id ?? "preview", OrganizationId = organizationId, Title = string.IsNullOrWhiteSpace(Title) ? "(untitled)" : Title.Trim(),
            Purpose = Purpose?.Trim() ?? "", PurposeText = new LocalizedText { Ja = PurposeJa?.Trim(), En = PurposeEn?.Trim() }, Channels = channels,
            SenderLegalName = SenderLegalName?.Trim() ?? "", LifetimeMonths = int.TryParse(LifetimeMonths, out var m) ? m : 0,
            AllowedOrigins = Lines(AllowedOrigins), ThirdParties = Lines(ThirdParties).Take(10).ToList(),
            FormVersion = (current?.FormVersion ?? 0) + 1, Texts = texts, UpdatedAt = now,
        };
    }
}
