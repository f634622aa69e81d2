using ConsentPlatform.ServiceDefaults.Data;
using ConsentPlatform.ServiceDefaults.Work;
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
    public Task<EmailToSend?> ClaimAsync(TimeSpan claimFor, CancellationToken ct) =>
        DueQueue.ClaimAsync<EmailToSend>(database, time, "outgoing_emails", "'pending', 'sending'", Sending,
            "id AS Id, organization_id AS OrganizationId, contact_hash AS ContactHash, to_address AS \"To\", subject AS Subject, body AS Body", claimFor, ct);

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
public sealed class EmailWorker(EmailQueue queue, IEmailSender sender, NoticesOptions options, TimeProvider time, ILogger<EmailWorker> logger) : BackgroundService
{
    private const int MaxAttempts = 6;

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var claimFor = TimeSpan.FromSeconds(options.SmtpTimeoutSeconds * 2 + 30);
        return new WorkLoop("Email worker", time, logger) { Poll = TimeSpan.FromMilliseconds(options.PollMilliseconds) }.RunAsync(async ct =>
        {
            if (await queue.ClaimAsync(claimFor, ct) is not { } email) return false;
            try
            {
                await sender.SendAsync(email, ct);
                await queue.MarkSentAsync(email.Id, ct);
                logger.LogInformation("Email {EmailId} sent", email.Id);
            }
            catch (Exception error) when (error is System.Net.Mail.SmtpException or IOException or InvalidOperationException or System.Net.Sockets.SocketException)
            {
                // The error's type only: SMTP messages can echo the address.
                await queue.MarkFailedAttemptAsync(email.Id, error.GetType().Name, MaxAttempts, ct);
                logger.LogWarning("Email {EmailId} not sent ({Error}); retrying later", email.Id, error.GetType().Name);
            }
            return true;
        }, stoppingToken);
    }
}
