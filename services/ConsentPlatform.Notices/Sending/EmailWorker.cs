using ConsentPlatform.ServiceDefaults.Data;
using Dapper;

namespace ConsentPlatform.Notices.Sending;

/// <summary>The outgoing_emails table: queued in the consumer's transaction, claimed and sent by <see cref="EmailWorker"/>.</summary>
public sealed class EmailQueue(NoticesDatabase database, TimeProvider time)
{
    public const string Pending = "pending";
    public const string Sending = "sending";
    public const string Sent = "sent";
    public const string Failed = "failed";

    public static async Task EnqueueAsync(Transaction tx, EmailToSend email, string purpose, DateTimeOffset now, CancellationToken ct)
    {
        var sql = tx.Database.Dialect.InsertIfAbsent(
            "outgoing_emails",
            "id, organization_id, purpose, contact_hash, to_address, subject, body, status, attempts, next_attempt_at, created_at, updated_at",
            "@Id, @OrganizationId, @purpose, @ContactHash, @To, @Subject, @Body, 'pending', 0, @now, @now, @now",
            key: "id");
        await tx.Connection.ExecuteAsync(new CommandDefinition(sql, new
        {
            email.Id, email.OrganizationId, purpose, email.ContactHash, email.To, email.Subject, email.Body, now = now.ToUnixTimeMilliseconds(),
        }, tx.Inner, cancellationToken: ct));
    }

    /// <summary>Claims one due email. A claim left by a stopped worker comes due again after <paramref name="claimFor"/>: that email may go out twice, which a one-time code survives.</summary>
    public async Task<EmailToSend?> ClaimAsync(TimeSpan claimFor, CancellationToken ct)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        await using var connection = await database.OpenAsync(ct);
        const string due = """
            SELECT id FROM outgoing_emails
            WHERE (status = 'pending' AND next_attempt_at <= @now) OR (status = 'sending' AND next_attempt_at <= @now)
            ORDER BY next_attempt_at
            """;
        var ids = (await connection.QueryAsync<string>(new CommandDefinition(due, new { now }, cancellationToken: ct))).Take(8).ToList();
        if (ids.Count == 0) return null;
        await using var tx = await database.BeginAsync(ct);
        foreach (var id in ids)
        {
            // While 'sending', next_attempt_at is the end of the claim.
            const string claim = """
                UPDATE outgoing_emails SET status = 'sending', attempts = attempts + 1, next_attempt_at = @until, updated_at = @now
                WHERE id = @id AND status IN ('pending', 'sending') AND next_attempt_at <= @now
                """;
            if (await tx.Connection.ExecuteAsync(new CommandDefinition(claim, new { id, now, until = now + (long)claimFor.TotalMilliseconds }, tx.Inner, cancellationToken: ct)) != 1) continue;
            const string read = """
                SELECT id AS Id, organization_id AS OrganizationId, contact_hash AS ContactHash, to_address AS "To", subject AS Subject, body AS Body
                FROM outgoing_emails WHERE id = @id
                """;
            var email = await tx.Connection.QuerySingleAsync<EmailToSend>(new CommandDefinition(read, new { id }, tx.Inner, cancellationToken: ct));
            await tx.CommitAsync(ct);
            return email;
        }
        return null;
    }

    public async Task MarkFailedAttemptAsync(string id, string error, int maxAttempts, CancellationToken ct)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        await using var tx = await database.BeginAsync(ct);
        var attempts = await tx.Connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT attempts FROM outgoing_emails WHERE id = @id", new { id }, tx.Inner, cancellationToken: ct));
        if (attempts >= maxAttempts)
        {
            await FinishAsync(tx, id, Failed, error, now, ct);
        }
        else
        {
            const string sql = """
                UPDATE outgoing_emails SET status = 'pending', error = @error, next_attempt_at = @next, updated_at = @now
                WHERE id = @id AND status = 'sending'
                """;
            var next = now + (long)Math.Min(300_000, 1000 * Math.Pow(2, attempts));
            await tx.Connection.ExecuteAsync(new CommandDefinition(sql, new { id, error, next, now }, tx.Inner, cancellationToken: ct));
        }
        await tx.CommitAsync(ct);
    }

    public async Task MarkSentAsync(string id, CancellationToken ct)
    {
        await using var tx = await database.BeginAsync(ct);
        await FinishAsync(tx, id, Sent, null, time.GetUtcNow().ToUnixTimeMilliseconds(), ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>Done either way: the address and the code are no longer needed here.</summary>
    private static Task FinishAsync(Transaction tx, string id, string status, string? error, long now, CancellationToken ct)
    {
        const string sql = """
            UPDATE outgoing_emails SET status = @status, error = @error, to_address = '', body = '', updated_at = @now
            WHERE id = @id AND status = 'sending'
            """;
        return tx.Connection.ExecuteAsync(new CommandDefinition(sql, new { id, status, error, now }, tx.Inner, cancellationToken: ct));
    }
}

/// <summary>Sends queued emails one at a time (one-time codes are few); failures are retried with backoff, then given up as failed.</summary>
public sealed class EmailWorker(EmailQueue queue, IEmailSender sender, NoticesOptions options, ILogger<EmailWorker> logger) : BackgroundService
{
    private const int MaxAttempts = 6;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var claimFor = TimeSpan.FromSeconds(options.SmtpTimeoutSeconds * 2 + 30);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await queue.ClaimAsync(claimFor, stoppingToken) is not { } email)
                {
                    await Task.Delay(options.PollMilliseconds, stoppingToken);
                    continue;
                }
                try
                {
                    await sender.SendAsync(email, stoppingToken);
                    await queue.MarkSentAsync(email.Id, stoppingToken);
                    logger.LogInformation("Email {EmailId} sent", email.Id);
                }
                catch (Exception error) when (error is System.Net.Mail.SmtpException or IOException or InvalidOperationException or System.Net.Sockets.SocketException)
                {
                    // The error's type only: SMTP messages can echo the address.
                    await queue.MarkFailedAttemptAsync(email.Id, error.GetType().Name, MaxAttempts, stoppingToken);
                    logger.LogWarning("Email {EmailId} not sent ({Error}); retrying later", email.Id, error.GetType().Name);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception error)
            {
                logger.LogWarning(error, "Email worker failed");
                try { await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken); } catch (OperationCanceledException) { break; }
            }
        }
    }
}
