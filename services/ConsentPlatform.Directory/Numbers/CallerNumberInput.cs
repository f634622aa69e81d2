using ConsentPlatform.ServiceDefaults.Web;
using System.Globalization;
using ConsentPlatform.Telephony;

namespace ConsentPlatform.Directory.Numbers;

/// <summary>A caller number as an organization declares it. Validated field by field so errors name the field.</summary>
public sealed record CallerNumberInput
{
    /// <summary>Any format a person types; stored as E.164.</summary>
    public string? PhoneNumber { get; init; }
    public string? Department { get; init; }
    /// <summary>What calls from this number are about (1-10, each up to 100 characters).</summary>
    public IReadOnlyList<string>? Purposes { get; init; }
    /// <summary>"09:00": local time of the number, when calls start.</summary>
    public string? CallingHoursStart { get; init; }
    /// <summary>"18:00": when calls end (after the start, same day).</summary>
    public string? CallingHoursEnd { get; init; }
    public DateTimeOffset? ValidFrom { get; init; }
    public DateTimeOffset? ValidUntil { get; init; }

    public const int MaxPurposes = 10;

    public Dictionary<string, string[]> Validate(DateTimeOffset now, out PhoneNumber number)
    {
        var errors = new Dictionary<string, string[]>();
        void Fail(string field, string message) => errors[field] = [message];

        number = default;
        var parsed = PhoneNumbers.Parse(PhoneNumber);
        if (!parsed.IsValid) Fail("phoneNumber", $"The phone number is not valid: {parsed.ErrorMessage}");
        else number = parsed.Number;

        if (Department is { } department && department.Trim().Length > 100) Fail("department", "The department must be at most 100 characters.");
        var purposes = CleanPurposes();
        if (purposes.Count == 0) Fail("purposes", "Say what calls from this number are about (at least one purpose).");
        else if (purposes.Count > MaxPurposes) Fail("purposes", $"At most {MaxPurposes} purposes.");
        else if (purposes.Any(p => p.Length > 100)) Fail("purposes", "Each purpose must be at most 100 characters.");

        var start = ParseTime(CallingHoursStart);
        var end = ParseTime(CallingHoursEnd);
        if (start is null) Fail("callingHoursStart", "Give the time calls start as HH:mm (e.g. 09:00).");
        if (end is null) Fail("callingHoursEnd", "Give the time calls end as HH:mm (e.g. 18:00).");
        else if (start is not null && end <= start) Fail("callingHoursEnd", "Calls must end after they start, on the same day.");

        if (ValidUntil is { } until && until <= now) Fail("validUntil", "The end of validity must be in the future.");
        else if (ValidUntil is { } until2 && ValidFrom is { } from && until2 <= from) Fail("validUntil", "The end of validity must be after its start.");
        return errors;
    }

    public IReadOnlyList<string> CleanPurposes() =>
        (Purposes ?? []).Select(p => p?.Trim() ?? "").Where(p => p.Length > 0).Distinct(StringComparer.Ordinal).ToList();

    public static TimeOnly? ParseTime(string? value) =>
        TimeOnly.TryParseExact(value?.Trim(), ["HH:mm", "H:mm"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var time) ? time : null;
}

/// <summary>
/// The page form: purposes one per line, validity as calendar dates in Japan time (what a person
/// picks in a date field), so it works without script.
/// </summary>
public sealed record CallerNumberForm
{
    public string? PhoneNumber { get; init; }
    public string? Department { get; init; }
    [MultilineText]
    public string? Purposes { get; init; }
    public string? CallingHoursStart { get; init; }
    public string? CallingHoursEnd { get; init; }
    public string? ValidFrom { get; init; }
    public string? ValidUntil { get; init; }

    private static readonly TimeSpan JapanOffset = TimeSpan.FromHours(9);

    public CallerNumberInput ToInput(Dictionary<string, string[]> errors)
    {
        DateTimeOffset? Date(string field, string? value)
        {
            if (string.IsNullOrWhiteSpace(value)) return null;
            if (DateOnly.TryParseExact(value.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
                return new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), JapanOffset);
            errors[field] = ["Give a date as YYYY-MM-DD."];
            return null;
        }

        return new CallerNumberInput
        {
            PhoneNumber = PhoneNumber, Department = Department,
            Purposes = (Purposes ?? "").Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
            CallingHoursStart = CallingHoursStart, CallingHoursEnd = CallingHoursEnd,
            ValidFrom = Date("validFrom", ValidFrom), ValidUntil = Date("validUntil", ValidUntil),
        };
    }
}
