using System.Globalization;
using Dapper;

namespace ConsentPlatform.Consent.Requests;

/// <summary>
/// How long an organization gives itself to answer a data-subject request: a number of days (Japan's APPI
/// says "without delay" and leaves the number to the organization) or one calendar month (GDPR art. 12(3)),
/// counted in the organization's zone so "one month" ends on the same day of the next month there.
/// </summary>
public sealed record DeadlineRule(string Rule, int Days)
{
    public const string InDays = "days";
    public const string OneMonth = "one_month";
    public const int MinDays = 1;
    public const int MaxDays = 366;

    public DateTimeOffset DueAt(DateTimeOffset receivedAt, TimeZoneInfo zone) => Rule == OneMonth
        ? TimeZoneInfo.ConvertTime(receivedAt, zone).AddMonths(1)
        : receivedAt.AddDays(Days);

    public RequestView Apply(RequestView request, TimeZoneInfo zone) => request with { DueAt = DueAt(request.CreatedAt, zone) };

    /// <summary>A posted rule and day count, or null with the fields' problems (field name → English message).</summary>
    public static DeadlineRule? Read(string? rule, string? days, Dictionary<string, string> errors)
    {
        rule = rule?.Trim();
        if (rule is not (InDays or OneMonth))
        {
            errors["rule"] = "Choose a number of days or one month.";
            return null;
        }
        if (rule == OneMonth) return new DeadlineRule(OneMonth, 0);
        if (!int.TryParse(days?.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count is < MinDays or > MaxDays)
        {
            errors["days"] = $"The number of days is a whole number from {MinDays} to {MaxDays}.";
            return null;
        }
        return new DeadlineRule(InDays, count);
    }
}

/// <summary>Each organization's <see cref="DeadlineRule"/> (organization_request_deadlines); without a row, Consent:RequestDeadlineDays.</summary>
public static class RequestDeadlines
{
    public static async Task<DeadlineRule> ForAsync(ConsentDatabase database, ConsentOptions options, string organizationId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QueryFirstOrDefaultAsync<(string Rule, int? Days)?>(new CommandDefinition(
            "SELECT rule, days FROM organization_request_deadlines WHERE organization_id = @organizationId", new { organizationId }, cancellationToken: cancellationToken));
        return row is { } r ? new DeadlineRule(r.Rule, r.Days ?? 0) : new DeadlineRule(DeadlineRule.InDays, options.RequestDeadlineDays);
    }

    /// <summary>Replaces the organization's rule (delete and insert: the same statements in every dialect).</summary>
    public static async Task SaveAsync(ConsentDatabase database, string organizationId, DeadlineRule rule, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var transaction = await database.BeginAsync(cancellationToken);
        await transaction.Connection.ExecuteAsync(new CommandDefinition("DELETE FROM organization_request_deadlines WHERE organization_id = @organizationId",
            new { organizationId }, transaction.Inner, cancellationToken: cancellationToken));
        await transaction.Connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO organization_request_deadlines (organization_id, rule, days, updated_at) VALUES (@organizationId, @rule, @days, @now)
            """, new { organizationId, rule = rule.Rule, days = rule.Rule == DeadlineRule.InDays ? rule.Days : (int?)null, now = now.ToUnixTimeMilliseconds() },
            transaction.Inner, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
    }
}
