using System.Text;
using Dapper;

namespace ConsentPlatform.Consent.Gate;

/// <summary>A check as the audit page and its CSV show it.</summary>
public sealed record AuditEntry(
    string CheckId, string? KeyId, string Source, string? ContactMasked, string Channel, string Purpose, string Decision, string Reasons, long At, long CheckedAt)
{
    public IReadOnlyList<string> ReasonList => Reasons.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>
/// Which checks to show: all fields optional; times are unix milliseconds, <see cref="ToMs"/> exclusive.
/// <see cref="Reason"/> must be one of the gate's reason codes (the page refuses anything else).
/// </summary>
public sealed record AuditFilter(string? KeyId, long? FromMs, long? ToMs, string? Decision, string? Reason);

/// <summary>Reading back the check audit that <see cref="CheckAudit"/> writes, newest first.</summary>
public static class AuditQueries
{
    private const string Columns = """
        check_id AS CheckId, key_id AS KeyId, source AS Source, contact_masked AS ContactMasked, channel AS Channel, purpose AS Purpose,
        decision AS Decision, reasons AS Reasons, at AS At, checked_at AS CheckedAt
        """;

    /// <summary>
    /// One page older than the cursor (keyset on checked_at then check_id, so pages hold still while
    /// checks are added at the top).
    /// </summary>
    public static async Task<IReadOnlyList<AuditEntry>> PageAsync(ConsentDatabase database, string organizationId, AuditFilter filter,
        (long CheckedAt, string CheckId)? before, int take, CancellationToken cancellationToken)
    {
        var (where, parameters) = Where(organizationId, filter);
        if (before is { } cursor)
        {
            where.Append(" AND (checked_at < @beforeAt OR (checked_at = @beforeAt AND check_id < @beforeId))");
            parameters.Add("beforeAt", cursor.CheckedAt);
            parameters.Add("beforeId", cursor.CheckId);
        }
        parameters.Add("take", take);
        await using var connection = await database.OpenAsync(cancellationToken);
        var sql = $"SELECT {Columns} FROM check_audit WHERE {where} ORDER BY checked_at DESC, check_id DESC {database.Dialect.FirstRows("@take")}";
        return (await connection.QueryAsync<AuditEntry>(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken))).ToList();
    }

    public static async Task<long> CountAsync(ConsentDatabase database, string organizationId, AuditFilter filter, CancellationToken cancellationToken)
    {
        var (where, parameters) = Where(organizationId, filter);
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition($"SELECT COUNT(*) FROM check_audit WHERE {where}", parameters, cancellationToken: cancellationToken));
    }

    /// <summary>Every matching check, newest first, read as it is written out (an audit can be millions of rows).</summary>
    public static async IAsyncEnumerable<AuditEntry> AllAsync(ConsentDatabase database, string organizationId, AuditFilter filter,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var (where, parameters) = Where(organizationId, filter);
        await using var connection = await database.OpenAsync(cancellationToken);
        var sql = $"SELECT {Columns} FROM check_audit WHERE {where} ORDER BY checked_at DESC, check_id DESC";
        await using var reader = await connection.ExecuteReaderAsync(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken));
        var parse = reader.GetRowParser<AuditEntry>();
        while (await reader.ReadAsync(cancellationToken)) yield return parse(reader);
    }

    private static (StringBuilder Where, DynamicParameters Parameters) Where(string organizationId, AuditFilter filter)
    {
        var where = new StringBuilder("organization_id = @organizationId");
        var parameters = new DynamicParameters(new { organizationId });
        void And(string condition, string name, object? value)
        {
            if (value is null) return;
            where.Append(" AND ").Append(condition);
            parameters.Add(name, value);
        }

        And("key_id = @keyId", "keyId", filter.KeyId);
        And("checked_at >= @fromMs", "fromMs", filter.FromMs);
        And("checked_at < @toMs", "toMs", filter.ToMs);
        And("decision = @decision", "decision", filter.Decision);
        if (filter.Reason is { } reason)
        {
            // reasons is space-separated codes; patterns built here keep string concatenation (|| or +) out of the SQL.
            // Codes are a-z and '_', and no code is another with one letter changed, so LIKE's '_' wildcard matches only itself.
            where.Append(" AND (reasons = @reason OR reasons LIKE @reasonFirst OR reasons LIKE @reasonLast OR reasons LIKE @reasonInside)");
            parameters.Add("reason", reason);
            parameters.Add("reasonFirst", reason + " %");
            parameters.Add("reasonLast", "% " + reason);
            parameters.Add("reasonInside", "% " + reason + " %");
        }
        return (where, parameters);
    }
}
