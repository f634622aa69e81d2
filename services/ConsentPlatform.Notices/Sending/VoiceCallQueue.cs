using ConsentPlatform.ServiceDefaults.Data;
using Dapper;

namespace ConsentPlatform.Notices.Sending;

/// <summary>A queued verification call as the worker claims it.</summary>
public sealed record QueuedCall(string Id, string? OrganizationId, string ContactHash, string ToNumber, string Code, string Language, long Attempts);

/// <summary>
/// The outgoing_calls table: written in the consumer's inbox transaction, claimed and placed by
/// <see cref="VoiceCallWorker"/>. Unlike the email queue, a claim that was left behind is never
/// claimed again: its request may have reached the provider, and a call is not placed twice.
/// </summary>
public sealed class VoiceCallQueue(NoticesDatabase database, TimeProvider time)
{
    public const string Pending = "pending";
    public const string Placing = "placing";
    public const string Placed = "placed";
    public const string Failed = "failed";
    /// <summary>The request may have reached the provider but no answer came: never placed again.</summary>
    public const string Unknown = "unknown";
    public const string Cancelled = "cancelled";

    /// <summary>Keyed on the request id: the same request queues one call, however often it is delivered or re-sent.</summary>
    public static async Task<bool> EnqueueAsync(Transaction tx, Guid requestId, string? organizationId, string purpose, string contactHash, string toNumber,
        string code, string language, DateTimeOffset now, CancellationToken ct)
    {
        var sql = tx.Database.Dialect.InsertIfAbsent(
            "outgoing_calls",
            "id, organization_id, purpose, contact_hash, to_number, code, language, status, attempts, error, sid, next_attempt_at, created_at, updated_at",
            "@id, @organizationId, @purpose, @contactHash, @toNumber, @code, @language, 'pending', 0, NULL, NULL, @now, @now, @now",
            key: "id");
        var inserted = await tx.Connection.ExecuteAsync(new CommandDefinition(sql, new
        {
            id = requestId.ToString(), organizationId, purpose, contactHash, toNumber, code, language, now = now.ToUnixTimeMilliseconds(),
        }, tx.Inner, cancellationToken: ct));
        return inserted == 1;
    }

    /// <summary>Whether a call is due, so the worker takes a rate slot only when it has something to place.</summary>
    public async Task<bool> AnyDueAsync(CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        const string sql = "SELECT COUNT(*) FROM outgoing_calls WHERE status = 'pending' AND next_attempt_at <= @now";
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(sql, new { now = time.GetUtcNow().ToUnixTimeMilliseconds() }, cancellationToken: ct)) > 0;
    }

    /// <summary>Claims one due call until <paramref name="claimFor"/> has passed; null when none is due or another worker took it.</summary>
    public Task<QueuedCall?> ClaimAsync(TimeSpan claimFor, CancellationToken ct) =>
        DueQueue.ClaimAsync<QueuedCall>(database, time, "outgoing_calls", "'pending'", Placing,
            "id AS Id, organization_id AS OrganizationId, contact_hash AS ContactHash, to_number AS ToNumber, code AS Code, language AS Language, attempts AS Attempts", claimFor, ct);

    /// <summary>The provider certainly did not take the request: due again after <paramref name="backoff"/>.</summary>
    public async Task RescheduleAsync(string id, string error, TimeSpan backoff, CancellationToken ct)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        await using var tx = await database.BeginAsync(ct);
        const string sql = """
            UPDATE outgoing_calls SET status = 'pending', error = @error, next_attempt_at = @next, updated_at = @now
            WHERE id = @id AND status = 'placing'
            """;
        await tx.Connection.ExecuteAsync(new CommandDefinition(sql, new { id, error, next = now + (long)backoff.TotalMilliseconds, now }, tx.Inner, cancellationToken: ct));
        await tx.CommitAsync(ct);
    }

    /// <summary>Done, whichever way: the number and the code are no longer needed here.</summary>
    public async Task FinishAsync(string id, string status, string? sid, string? error, CancellationToken ct)
    {
        await using var tx = await database.BeginAsync(ct);
        const string sql = """
            UPDATE outgoing_calls SET status = @status, sid = @sid, error = @error, to_number = '', code = '', updated_at = @now
            WHERE id = @id AND status = 'placing'
            """;
        await tx.Connection.ExecuteAsync(new CommandDefinition(sql, new { id, status, sid, error, now = time.GetUtcNow().ToUnixTimeMilliseconds() }, tx.Inner, cancellationToken: ct));
        await tx.CommitAsync(ct);
    }

    /// <summary>
    /// Claims whose worker stopped mid-call (the claim ran out) become unknown, never pending: the
    /// request may have gone out. The number and code are cleared; the person can ask for a new code.
    /// </summary>
    public async Task<int> GiveUpAbandonedAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        await using var tx = await database.BeginAsync(ct);
        const string sql = """
            UPDATE outgoing_calls SET status = 'unknown', error = 'abandoned', to_number = '', code = '', updated_at = @now
            WHERE status = 'placing' AND next_attempt_at <= @now
            """;
        var count = await tx.Connection.ExecuteAsync(new CommandDefinition(sql, new { now }, tx.Inner, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return count;
    }
}
