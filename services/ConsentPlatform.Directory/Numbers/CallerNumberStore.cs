using System.Data.Common;
using ConsentPlatform.ServiceDefaults.Data;
using Dapper;

namespace ConsentPlatform.Directory.Numbers;

/// <summary>Reads and writes caller_numbers.</summary>
public static class CallerNumberStore
{
    private sealed record Row(
        string Id, string OrganizationId, string E164, string NumberType, string? Department, string Purposes,
        string HoursStart, string HoursEnd, long? ValidFrom, long? ValidUntil, string Status,
        long? VerifiedAt, long? PublishedAt, long? WithdrawnAt, long CreatedAt, long UpdatedAt)
    {
        public CallerNumber ToNumber() => new()
        {
            Id = Guid.Parse(Id), OrganizationId = OrganizationId, E164 = E164, NumberType = NumberType, Department = Department,
            Purposes = CallerNumber.PurposesFromJson(Purposes), HoursStart = HoursStart, HoursEnd = HoursEnd,
            ValidFrom = Time(ValidFrom), ValidUntil = Time(ValidUntil), Status = Status,
            VerifiedAt = Time(VerifiedAt), PublishedAt = Time(PublishedAt), WithdrawnAt = Time(WithdrawnAt),
            CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(CreatedAt), UpdatedAt = DateTimeOffset.FromUnixTimeMilliseconds(UpdatedAt),
        };
    }

    private static DateTimeOffset? Time(long? ms) => ms is { } v ? DateTimeOffset.FromUnixTimeMilliseconds(v) : null;
    private static long? Ms(DateTimeOffset? at) => at?.ToUnixTimeMilliseconds();

    private const string Columns = """
        id AS Id, organization_id AS OrganizationId, e164 AS E164, number_type AS NumberType, department AS Department,
        purposes AS Purposes, hours_start AS HoursStart, hours_end AS HoursEnd, valid_from AS ValidFrom, valid_until AS ValidUntil,
        status AS Status, verified_at AS VerifiedAt, published_at AS PublishedAt, withdrawn_at AS WithdrawnAt,
        created_at AS CreatedAt, updated_at AS UpdatedAt
        """;

    public static async Task InsertAsync(Transaction transaction, CallerNumber number, CancellationToken cancellationToken)
    {
        const string sql = """
            INSERT INTO caller_numbers (id, organization_id, e164, number_type, department, purposes, hours_start, hours_end,
                                        valid_from, valid_until, status, verified_at, published_at, withdrawn_at, created_at, updated_at)
            VALUES (@id, @OrganizationId, @E164, @NumberType, @Department, @purposes, @HoursStart, @HoursEnd,
                    @validFrom, @validUntil, @Status, NULL, NULL, NULL, @createdAt, @createdAt)
            """;
        await transaction.Connection.ExecuteAsync(new CommandDefinition(sql, new
        {
            id = number.Id.ToString(), number.OrganizationId, number.E164, number.NumberType, number.Department,
            purposes = CallerNumber.PurposesToJson(number.Purposes), number.HoursStart, number.HoursEnd,
            validFrom = Ms(number.ValidFrom), validUntil = Ms(number.ValidUntil), number.Status,
            createdAt = number.CreatedAt.ToUnixTimeMilliseconds(),
        }, transaction.Inner, cancellationToken: cancellationToken));
    }

    /// <summary>Whether the organization already holds this number (pending, verified or published).</summary>
    public static async Task<bool> IsLiveAsync(Transaction transaction, string organizationId, string e164, CancellationToken cancellationToken)
    {
        const string sql = "SELECT COUNT(*) FROM caller_numbers WHERE organization_id = @organizationId AND e164 = @e164 AND status IN ('pending', 'verified', 'published')";
        return await transaction.Connection.ExecuteScalarAsync<int>(new CommandDefinition(sql, new { organizationId, e164 }, transaction.Inner, cancellationToken: cancellationToken)) > 0;
    }

    /// <summary>Whether another organization has this number published (one publisher per number).</summary>
    public static async Task<bool> IsPublishedElsewhereAsync(Transaction transaction, string organizationId, string e164, CancellationToken cancellationToken)
    {
        const string sql = "SELECT COUNT(*) FROM caller_numbers WHERE e164 = @e164 AND status = 'published' AND organization_id <> @organizationId";
        return await transaction.Connection.ExecuteScalarAsync<int>(new CommandDefinition(sql, new { organizationId, e164 }, transaction.Inner, cancellationToken: cancellationToken)) > 0;
    }

    public static async Task<CallerNumber?> FindAsync(DbConnection connection, DbTransaction? transaction, string organizationId, Guid id, CancellationToken cancellationToken)
    {
        const string sql = $"SELECT {Columns} FROM caller_numbers WHERE id = @id AND organization_id = @organizationId";
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(sql, new { id = id.ToString(), organizationId }, transaction, cancellationToken: cancellationToken));
        return row?.ToNumber();
    }

    public static async Task<IReadOnlyList<CallerNumber>> ListAsync(ServiceDatabase database, string organizationId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        const string sql = $"SELECT {Columns} FROM caller_numbers WHERE organization_id = @organizationId ORDER BY created_at, id";
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(sql, new { organizationId }, cancellationToken: cancellationToken));
        return rows.Select(r => r.ToNumber()).ToList();
    }

    /// <summary>Every published number (the public snapshot's source).</summary>
    public static async Task<IReadOnlyList<CallerNumber>> ListPublishedAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        const string sql = $"SELECT {Columns} FROM caller_numbers WHERE status = 'published' ORDER BY organization_id, created_at, id";
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(sql, cancellationToken: cancellationToken));
        return rows.Select(r => r.ToNumber()).ToList();
    }

    /// <summary>Numbers whose state must change with time: verified ones whose validity has begun, published ones whose validity has ended.</summary>
    public static async Task<IReadOnlyList<CallerNumber>> ListDueAsync(Transaction transaction, DateTimeOffset now, CancellationToken cancellationToken)
    {
        const string sql = $"""
            SELECT {Columns} FROM caller_numbers
            WHERE (status = 'verified' AND (valid_from IS NULL OR valid_from <= @now))
               OR (status IN ('verified', 'published') AND valid_until IS NOT NULL AND valid_until <= @now)
            """;
        var rows = await transaction.Connection.QueryAsync<Row>(new CommandDefinition(sql, new { now = now.ToUnixTimeMilliseconds() }, transaction.Inner, cancellationToken: cancellationToken));
        return rows.Select(r => r.ToNumber()).ToList();
    }

    /// <summary>
    /// Moves a number to <paramref name="status"/> if it is still in <paramref name="expected"/>
    /// (so two requests or instances cannot both act on it); false when someone else did first.
    /// </summary>
    public static async Task<bool> TransitionAsync(Transaction transaction, Guid id, string expected, string status, DateTimeOffset now,
        DateTimeOffset? verifiedAt, CancellationToken cancellationToken)
    {
        const string sql = """
            UPDATE caller_numbers
            SET status = @status, updated_at = @now,
                verified_at = COALESCE(@verifiedAt, verified_at),
                published_at = CASE WHEN @status = 'published' THEN @now ELSE published_at END,
                withdrawn_at = CASE WHEN @status IN ('withdrawn', 'expired') THEN @now ELSE withdrawn_at END
            WHERE id = @id AND status = @expected
            """;
        return await transaction.Connection.ExecuteAsync(new CommandDefinition(sql, new
        {
            id = id.ToString(), expected, status, now = now.ToUnixTimeMilliseconds(), verifiedAt = Ms(verifiedAt),
        }, transaction.Inner, cancellationToken: cancellationToken)) == 1;
    }

    /// <summary>A stamp that changes whenever anything public may have changed (numbers or profiles), cheap to poll.</summary>
    public static async Task<string> ChangeStampAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT (SELECT COUNT(*) FROM caller_numbers) AS Numbers,
                   (SELECT COALESCE(MAX(updated_at), 0) FROM caller_numbers) AS NumbersChanged,
                   (SELECT COALESCE(SUM(revision), 0) FROM organization_profiles) AS Profiles
            """;
        var stamp = await connection.QuerySingleAsync<(long Numbers, long NumbersChanged, long Profiles)>(new CommandDefinition(sql, cancellationToken: cancellationToken));
        return $"{stamp.Numbers}:{stamp.NumbersChanged}:{stamp.Profiles}";
    }

    /// <summary>Per organization, when anything about its numbers last changed (withdrawals included), for Last-Modified.</summary>
    public static async Task<IReadOnlyDictionary<string, DateTimeOffset>> LastChangedAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        const string sql = "SELECT organization_id AS OrganizationId, MAX(updated_at) AS Changed FROM caller_numbers GROUP BY organization_id";
        var rows = await connection.QueryAsync<(string OrganizationId, long Changed)>(new CommandDefinition(sql, cancellationToken: cancellationToken));
        return rows.ToDictionary(r => r.OrganizationId, r => DateTimeOffset.FromUnixTimeMilliseconds(r.Changed));
    }
}
