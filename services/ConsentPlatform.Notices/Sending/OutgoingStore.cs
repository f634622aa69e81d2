using ConsentPlatform.Contracts;
using ConsentPlatform.Notices.Replica;
using ConsentPlatform.ServiceDefaults.Data;
using ConsentPlatform.ServiceDefaults.Messaging;
using Dapper;

namespace ConsentPlatform.Notices.Sending;

/// <summary>
/// How the send queue stands, for a dialer to pace itself and for a rep to know when a notice will
/// leave: this organization's SMS still to go, since when the oldest waits, and roughly how long a
/// notice queued now waits for everything ahead of it at the sending rate.
/// </summary>
public sealed record SendingStatus(double CeilingPerSecond, double SendingRatePerSecond, long Waiting, DateTimeOffset? OldestWaitingSince, double EstimatedWaitSeconds);

public sealed record OutgoingRow(string Id, string? NoticeId, string? OrganizationId, string ToNumber, string Body, string Status, string? ProviderSid,
    long Attempts, long Lookups, long? FirstSentAt, long CreatedAt);

/// <summary>The outgoing_messages table: queue, claim, record outcomes, and tell the notice's owner (<see cref="IMessageOutcomeHook"/>).</summary>
public sealed class OutgoingStore(NoticesDatabase database, TimeProvider time, IMessageOutcomeHook notices, SendSignal signal) : IContactErasure
{
    private const string Columns = """
        id AS Id, notice_id AS NoticeId, organization_id AS OrganizationId, to_number AS ToNumber, body AS Body, status AS Status,
        provider_sid AS ProviderSid, attempts AS Attempts, lookups AS Lookups, first_sent_at AS FirstSentAt, created_at AS CreatedAt
        """;

    /// <summary>Queues an SMS in the caller's transaction; the send workers are woken when it commits.</summary>
    /// <param name="sendAt">When the message is due; null: at once. A pre-call notice waits until its lead time before the call.</param>
    public async Task EnqueueAsync(Transaction tx, Guid id, Guid? noticeId, string? organizationId, string purpose, string contactHash, string to,
        string body, DateTimeOffset now, CancellationToken ct, DateTimeOffset? sendAt = null)
    {
        const string sql = """
            INSERT INTO outgoing_messages (id, notice_id, organization_id, purpose, contact_hash, to_number, body, status, attempts, lookups, next_attempt_at, created_at, updated_at)
            VALUES (@id, @noticeId, @organizationId, @purpose, @contactHash, @to, @body, 'pending', 0, 0, @due, @now, @now)
            """;
        await tx.Connection.ExecuteAsync(new CommandDefinition(sql, new
        {
            id = id.ToString(), noticeId = noticeId?.ToString(), organizationId, purpose, contactHash, to, body, now = now.ToUnixTimeMilliseconds(),
            due = (sendAt is { } at && at > now ? at : now).ToUnixTimeMilliseconds(),
        }, tx.Inner, cancellationToken: ct));
        tx.OnCommitted(signal.Wake);
    }

    /// <summary>Whether a message with this id was ever queued: a repeated command for the same request sends nothing more.</summary>
    public static async Task<bool> ExistsAsync(Transaction tx, Guid id) =>
        await tx.Connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM outgoing_messages WHERE id = @id", new { id = id.ToString() }, tx.Inner) > 0;

    /// <summary>The organizations whose notices were texted to this contact: an SMS reply is addressed to them.</summary>
    public static async Task<List<string>> OrganizationsNotifiedAsync(Transaction tx, string contactHash)
    {
        const string sql = """
            SELECT DISTINCT organization_id FROM outgoing_messages
            WHERE contact_hash = @contactHash AND organization_id IS NOT NULL AND purpose = 'notice'
            """;
        return (await tx.Connection.QueryAsync<string>(sql, new { contactHash }, tx.Inner)).ToList();
    }

    /// <summary>
    /// Sending's part of an erasure: every SMS, email and verification call to the contact keeps only
    /// its keyed hash and status (numbers, addresses, texts and codes go; nothing still queued is
    /// sent), and the dev inbox and call log forget them.
    /// </summary>
    Task IContactErasure.EraseAsync(Transaction tx, string contactHash, DateTimeOffset now) => EraseAsync(tx, contactHash, now);

    public static async Task EraseAsync(Transaction tx, string contactHash, DateTimeOffset at)
    {
        const string devInbox = "DELETE FROM dev_inbox WHERE message_id IN (SELECT id FROM outgoing_messages WHERE contact_hash = @contactHash)";
        const string messages = """
            UPDATE outgoing_messages SET to_number = '', body = '', updated_at = @now,
                   status = CASE WHEN status IN ('pending', 'sending', 'unknown') THEN 'cancelled' ELSE status END
            WHERE contact_hash = @contactHash
            """;
        const string emails = """
            UPDATE outgoing_emails SET to_address = '', body = '', updated_at = @now,
                   status = CASE WHEN status IN ('pending', 'sending') THEN 'cancelled' ELSE status END
            WHERE contact_hash = @contactHash
            """;
        const string devEmails = "DELETE FROM dev_emails WHERE contact_hash = @contactHash";
        const string voiceCalls = """
            UPDATE outgoing_calls SET to_number = '', code = '', updated_at = @now,
                   status = CASE WHEN status = 'pending' THEN 'cancelled' ELSE status END
            WHERE contact_hash = @contactHash
            """;
        const string devCalls = "DELETE FROM dev_calls WHERE contact_hash = @contactHash";
        var args = new { contactHash, now = at.ToUnixTimeMilliseconds() };
        foreach (var sql in new[] { devInbox, messages, emails, devEmails, voiceCalls, devCalls })
            await tx.Connection.ExecuteAsync(sql, args, tx.Inner);
    }

    /// <summary>
    /// Claims one due message for this worker. A pending one becomes 'sending' in the same
    /// statement, before any request leaves: if the process dies after <see cref="MarkRequestStartingAsync"/>,
    /// the row is resolved by lookup, never sent again; before it, the row is queued again.
    /// </summary>
    public Task<OutgoingRow?> ClaimAsync(string worker, TimeSpan claimFor, CancellationToken ct)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        // The claim is a write: it queues on the database's write gate like every other writer (ADR 0005), and commits
        // before any request leaves: a crash after this point finds the row in 'sending'.
        return database.ClaimFirstAsync<OutgoingRow>("outgoing_messages",
            due: "status IN ('pending', 'unknown') AND next_attempt_at <= @now AND (claimed_until IS NULL OR claimed_until < @now)",
            order: "next_attempt_at",
            set: """
                status = CASE WHEN status = 'pending' THEN 'sending' ELSE status END,
                attempts = CASE WHEN status = 'pending' THEN attempts + 1 ELSE attempts END,
                first_sent_at = CASE WHEN status = 'pending' AND first_sent_at IS NULL THEN @now ELSE first_sent_at END,
                request_started_at = CASE WHEN status = 'pending' THEN NULL ELSE request_started_at END,
                claimed_by = @worker, claimed_until = @until, updated_at = @now
                """,
            returning: Columns,
            new { worker, now, until = now + (long)claimFor.TotalMilliseconds }, ct);
    }

    /// <summary>
    /// Recorded right before the request may leave (once the send is still wanted and its slot is near). Until then a
    /// worker that dies has certainly not reached the provider with this message. False when the claim is no longer
    /// this worker's: a worker stalled past its claim may find the message queued again and taken by another, and
    /// must then not send it.
    /// </summary>
    public async Task<bool> MarkRequestStartingAsync(string id, string worker, CancellationToken ct)
    {
        await using var tx = await database.BeginAsync(ct);
        const string sql = "UPDATE outgoing_messages SET request_started_at = @now WHERE id = @id AND claimed_by = @worker AND status = 'sending'";
        var marked = await tx.Connection.ExecuteAsync(new CommandDefinition(sql, new { id, worker, now = time.GetUtcNow().ToUnixTimeMilliseconds() }, tx.Inner, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return marked == 1;
    }

    /// <summary>
    /// Messages left in 'sending' by a worker that died: queued again when it never started the request (issue 18),
    /// otherwise unknown until looked up, never sent again.
    /// </summary>
    public async Task<(int Requeued, int Unknown)> RecoverAbandonedAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        await using var tx = await database.BeginAsync(ct);
        const string requeue = """
            UPDATE outgoing_messages SET status = 'pending', first_sent_at = NULL, claimed_by = NULL, claimed_until = NULL, next_attempt_at = @now, updated_at = @now
            WHERE status = 'sending' AND claimed_until < @now AND request_started_at IS NULL
            """;
        const string unknown = """
            UPDATE outgoing_messages SET status = 'unknown', claimed_by = NULL, claimed_until = NULL, next_attempt_at = @now, updated_at = @now
            WHERE status = 'sending' AND claimed_until < @now
            """;
        var requeued = await tx.Connection.ExecuteAsync(new CommandDefinition(requeue, new { now }, tx.Inner, cancellationToken: ct));
        var unknowns = await tx.Connection.ExecuteAsync(new CommandDefinition(unknown, new { now }, tx.Inner, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return (requeued, unknowns);
    }

    /// <summary>Back to the queue: the provider certainly did not take it.</summary>
    public async Task RescheduleAsync(string id, string worker, string errorCode, TimeSpan after, CancellationToken ct)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        await using var tx = await database.BeginAsync(ct);
        const string sql = """
            UPDATE outgoing_messages SET status = 'pending', error_code = @errorCode, next_attempt_at = @next, claimed_by = NULL, claimed_until = NULL, updated_at = @now
            WHERE id = @id AND claimed_by = @worker AND status = 'sending'
            """;
        await tx.Connection.ExecuteAsync(new CommandDefinition(sql, new { id, worker, errorCode, next = now + (long)after.TotalMilliseconds, now }, tx.Inner, cancellationToken: ct));
        await tx.CommitAsync(ct);
    }

    /// <summary>The request may have reached the provider: from now on only lookups.</summary>
    public async Task MarkUnknownAsync(string id, string worker, string errorCode, TimeSpan lookupAfter, bool countLookup, CancellationToken ct)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        await using var tx = await database.BeginAsync(ct);
        const string sql = """
            UPDATE outgoing_messages SET status = 'unknown', error_code = @errorCode, next_attempt_at = @next, lookups = lookups + @lookup,
                   claimed_by = NULL, claimed_until = NULL, updated_at = @now
            WHERE id = @id AND claimed_by = @worker AND status IN ('sending', 'unknown')
            """;
        await tx.Connection.ExecuteAsync(new CommandDefinition(sql, new
        {
            id, worker, errorCode, next = now + (long)lookupAfter.TotalMilliseconds, lookup = countLookup ? 1 : 0, now,
        }, tx.Inner, cancellationToken: ct));
        await tx.CommitAsync(ct);
    }

    /// <summary>
    /// Moves a message (and its notice) forward to <paramref name="status"/>; a status that is not
    /// later than the current one changes nothing (callbacks arrive out of order and twice).
    /// Returns whether it moved.
    /// </summary>
    public async Task<bool> AdvanceAsync(string id, string? sid, string status, string? errorCode, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await using var tx = await database.BeginAsync(ct);
        const string read = "SELECT notice_id AS Item1, status AS Item2, provider_sid AS Item3 FROM outgoing_messages WHERE id = @id";
        var current = await tx.Connection.QuerySingleOrDefaultAsync<(string?, string, string?)>(new CommandDefinition(read, new { id }, tx.Inner, cancellationToken: ct));
        if (current.Item2 is null || MessageStatuses.Rank(status) <= MessageStatuses.Rank(current.Item2)) return false;

        const string update = """
            UPDATE outgoing_messages SET status = @status, provider_sid = COALESCE(provider_sid, @sid), error_code = @errorCode,
                   claimed_by = NULL, claimed_until = NULL, updated_at = @now
            WHERE id = @id AND status = @previous
            """;
        if (await tx.Connection.ExecuteAsync(new CommandDefinition(update, new { id, sid, status, errorCode, now = now.ToUnixTimeMilliseconds(), previous = current.Item2 },
                tx.Inner, cancellationToken: ct)) == 0)
            return false;

        if (current.Item1 is { } noticeId) await notices.MessageAdvancedAsync(tx, noticeId, current.Item2, status, errorCode, now, ct);
        await tx.CommitAsync(ct);
        return true;
    }

    /// <summary>
    /// A claimed message the gate refuses just before it leaves: never sent, its number and text
    /// dropped, and its notice refused with the reason, as if refused when planned.
    /// </summary>
    public async Task RefuseAsync(string id, string noticeId, string reason, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await using var tx = await database.BeginAsync(ct);
        const string message = """
            UPDATE outgoing_messages SET status = 'cancelled', error_code = @reason, to_number = '', body = '',
                   claimed_by = NULL, claimed_until = NULL, updated_at = @now
            WHERE id = @id AND status IN ('pending', 'sending')
            """;
        if (await tx.Connection.ExecuteAsync(new CommandDefinition(message, new { id, reason, now = now.ToUnixTimeMilliseconds() }, tx.Inner, cancellationToken: ct)) == 1)
            await notices.MessageRefusedAsync(tx, noticeId, reason, now, ct);
        await tx.CommitAsync(ct);
    }

    public async Task<SendingStatus> StatusAsync(string organizationId, SenderPacing pacing, double ceilingPerSecond, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        // Messages waiting for a retry count too: they take a slot when their turn comes. A pre-call notice
        // scheduled for later (never tried yet, not yet due) is not ahead of anything queued now.
        const string sql = """
            SELECT COUNT(*) AS Item1,
                   COALESCE(SUM(CASE WHEN organization_id = @organizationId THEN 1 ELSE 0 END), 0) AS Item2,
                   MIN(CASE WHEN organization_id = @organizationId THEN created_at END) AS Item3
            FROM outgoing_messages WHERE status IN ('pending', 'sending') AND NOT (attempts = 0 AND next_attempt_at > @now)
            """;
        var (all, ours, oldest) = await connection.QuerySingleAsync<(long, long, long?)>(new CommandDefinition(sql,
            new { organizationId, now = time.GetUtcNow().ToUnixTimeMilliseconds() }, cancellationToken: ct));
        var rate = pacing.SustainedPerSecond;
        return new SendingStatus(ceilingPerSecond, Math.Round(rate, 2), ours, oldest is { } at ? DateTimeOffset.FromUnixTimeMilliseconds(at) : null, Math.Round(all / rate, 1));
    }

    public async Task<string?> FindIdBySidAsync(string sid, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition("SELECT id FROM outgoing_messages WHERE provider_sid = @sid", new { sid }, cancellationToken: ct));
    }
}
