using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ConsentPlatform.ServiceDefaults;

/// <summary>
/// Settings whose problems are reported together at start-up, before any database is migrated or
/// any background service starts (see <c>StartupPreparation</c>).
/// </summary>
public interface ICheckedSettings
{
    IReadOnlyList<string> Errors { get; }
}

/// <summary>
/// The one way every service reads its settings. A value that is present but wrong is never
/// ignored and never throws: it becomes one line naming the key and what was expected, and
/// start-up stops with all such lines (exit 2). A missing or blank value takes the default.
/// Bound by hand, not with the configuration binder, whose failures are exceptions without the key.
/// </summary>
public sealed class SettingsReader(IConfiguration config)
{
    private readonly List<string> errors = [];

    public IReadOnlyList<string> Errors => errors;

    public string? this[string key] => config[key];

    public void Fail(string message) => errors.Add(message);

    public string? Text(string key) => string.IsNullOrWhiteSpace(config[key]) ? null : config[key]!.Trim();

    /// <summary>A list written either as one value separated by commas, semicolons or spaces, or as an array section (Key:0, Key:1).</summary>
    public IReadOnlyList<string> List(string key) =>
        (config[key] ?? "").Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Concat(config.GetSection(key).GetChildren().Select(c => c.Value?.Trim() ?? "").Where(v => v.Length > 0))
            .ToList();

    public int Int(string key, int fallback, int min, int max) =>
        Read(key, fallback, s => (int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max, v),
            $"a whole number {min}-{max}");

    public long Long(string key, long fallback, long min, long max) =>
        Read(key, fallback, s => (long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max, v),
            $"a whole number {min}-{max}");

    public decimal Decimal(string key, decimal fallback, decimal min, decimal max) =>
        Read(key, fallback, s => (decimal.TryParse(s, NumberStyles.Number, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max, v),
            $"a number {min}-{max}");

    /// <summary>A duration written in (possibly fractional) seconds.</summary>
    public TimeSpan Seconds(string key, TimeSpan fallback, double min, double max) =>
        Read(key, fallback, s => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max
            ? (true, TimeSpan.FromSeconds(v)) : (false, fallback), $"seconds {min}-{max}");

    public bool Bool(string key, bool fallback) =>
        Read(key, fallback, s => (bool.TryParse(s, out var v), v), "true or false");

    public TEnum Enum<TEnum>(string key, TEnum fallback) where TEnum : struct, Enum =>
        Read(key, fallback, s => (System.Enum.TryParse<TEnum>(s, ignoreCase: true, out var v) && System.Enum.IsDefined(v) && !int.TryParse(s, out _), v),
            string.Join(" or ", System.Enum.GetNames<TEnum>()));

    /// <summary>A local time of day written HH:mm, as minutes after midnight.</summary>
    public int TimeOfDay(string key, int fallbackMinutes) =>
        Read(key, fallbackMinutes, s => TimeOnly.TryParseExact(s, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var t)
            ? (true, t.Hour * 60 + t.Minute) : (false, 0), "a local time HH:mm");

    public string? Url(string key, string? fallback) =>
        Read(key, fallback, s => (Uri.TryCreate(s, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https", s), "an absolute http(s) URL");

    private T Read<T>(string key, T fallback, Func<string, (bool Ok, T Value)> parse, string expected)
    {
        var raw = config[key];
        if (string.IsNullOrWhiteSpace(raw)) return fallback;
        var (ok, value) = parse(raw.Trim());
        if (ok) return value;
        errors.Add($"{key}: '{raw}' is not valid; expected {expected}.");
        return fallback;
    }
}

public static class SettingsRegistration
{
    /// <summary>Registers a service's settings and has start-up report their errors with the platform's.</summary>
    public static IServiceCollection AddCheckedSettings<T>(this IServiceCollection services, T settings) where T : class, ICheckedSettings
    {
        services.AddSingleton(settings);
        services.AddSingleton<ICheckedSettings>(settings);
        return services;
    }
}
