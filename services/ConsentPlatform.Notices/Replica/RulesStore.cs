using System.Globalization;
using Dapper;

namespace ConsentPlatform.Notices.Replica;

/// <summary>What an organization may change about its contact rules (times in the recipient's local time).</summary>
public sealed record RulesInput
{
    public string? AllowedFrom { get; init; }
    public string? AllowedUntil { get; init; }
    public int? FrequencyCap { get; init; }
    public int? FrequencyWindowHours { get; init; }

    public Dictionary<string, string[]> Validate(out OrganizationRules? rules)
    {
        var errors = new Dictionary<string, string[]>();
        rules = null;
        TimeOnly from = default, until = default;
        if (!TimeOnly.TryParseExact(AllowedFrom ?? "", "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out from))
            errors["allowedFrom"] = ["Give the start of the allowed window as HH:mm in the recipient's local time (e.g. 08:00)."];
        if (!TimeOnly.TryParseExact(AllowedUntil ?? "", "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out until))
            errors["allowedUntil"] = ["Give the end of the allowed window as HH:mm in the recipient's local time (e.g. 21:00)."];
        // A window may run over midnight (22:00-02:00), as Consent's contact hours may; only an empty one is refused.
        else if (!errors.ContainsKey("allowedFrom") && until == from)
            errors["allowedUntil"] = ["The end of the allowed window must differ from its start (a window may run over midnight)."];
        if (FrequencyCap is not (>= 1 and <= 1000)) errors["frequencyCap"] = ["The frequency cap must be 1-1000 notices per recipient per window."];
        if (FrequencyWindowHours is not (>= 1 and <= 2160)) errors["frequencyWindowHours"] = ["The frequency window must be 1-2160 hours."];
        if (errors.Count == 0) rules = new OrganizationRules(from, until, FrequencyCap!.Value, FrequencyWindowHours!.Value);
        return errors;
    }
}

public sealed record RulesView(string AllowedFrom, string AllowedUntil, int FrequencyCap, int FrequencyWindowHours, bool IsDefault)
{
    public static RulesView Of(OrganizationRules rules, bool isDefault) => new(rules.AllowedFrom.ToString("HH:mm", CultureInfo.InvariantCulture),
        rules.AllowedUntil.ToString("HH:mm", CultureInfo.InvariantCulture), rules.FrequencyCap, rules.FrequencyHours, isDefault);
}

public sealed class RulesStore(NoticesDatabase database, NoticesOptions options, TimeProvider time)
{
    private sealed record Row(long WindowStartMinutes, long WindowEndMinutes, long FrequencyCap, long FrequencyHours);

    public OrganizationRules Defaults => new(TimeOnly.FromTimeSpan(TimeSpan.FromMinutes(options.DefaultWindowStartMinutes)),
        TimeOnly.FromTimeSpan(TimeSpan.FromMinutes(options.DefaultWindowEndMinutes)), options.DefaultFrequencyCap, options.DefaultFrequencyHours);

    public async Task<(OrganizationRules Rules, bool IsDefault)> GetAsync(System.Data.Common.DbConnection connection, string organizationId,
        System.Data.Common.DbTransaction? transaction, CancellationToken ct)
    {
        const string sql = """
            SELECT window_start_minutes AS WindowStartMinutes, window_end_minutes AS WindowEndMinutes, frequency_cap AS FrequencyCap, frequency_hours AS FrequencyHours
            FROM organization_settings WHERE organization_id = @organizationId
            """;
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(sql, new { organizationId }, transaction, cancellationToken: ct));
        return row is null
            ? (Defaults, true)
            : (new OrganizationRules(TimeOnly.FromTimeSpan(TimeSpan.FromMinutes(row.WindowStartMinutes)), TimeOnly.FromTimeSpan(TimeSpan.FromMinutes(row.WindowEndMinutes)),
                (int)row.FrequencyCap, (int)row.FrequencyHours), false);
    }

    public async Task<RulesView> GetViewAsync(string organizationId, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var (rules, isDefault) = await GetAsync(connection, organizationId, null, ct);
        return RulesView.Of(rules, isDefault);
    }

    public async Task SaveAsync(string organizationId, OrganizationRules rules, CancellationToken ct)
    {
        await using var tx = await database.BeginAsync(ct);
        var args = new
        {
            organizationId, start = rules.AllowedFrom.Hour * 60 + rules.AllowedFrom.Minute, end = rules.AllowedUntil.Hour * 60 + rules.AllowedUntil.Minute,
            cap = rules.FrequencyCap, hours = rules.FrequencyHours, now = time.GetUtcNow().ToUnixTimeMilliseconds(),
        };
        const string update = """
            UPDATE organization_settings SET window_start_minutes = @start, window_end_minutes = @end, frequency_cap = @cap, frequency_hours = @hours, updated_at = @now
            WHERE organization_id = @organizationId
            """;
        var insert = database.Dialect.InsertIfAbsent(
            "organization_settings",
            "organization_id, window_start_minutes, window_end_minutes, frequency_cap, frequency_hours, updated_at",
            "@organizationId, @start, @end, @cap, @hours, @now",
            key: "organization_id");
        if (await tx.Connection.ExecuteAsync(update, args, tx.Inner) == 0)
            await tx.Connection.ExecuteAsync(insert, args, tx.Inner);
        await tx.CommitAsync(ct);
    }
}
