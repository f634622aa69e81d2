using System.Net;
using System.Net.Mail;
using Dapper;

namespace ConsentPlatform.Notices.Sending;

public enum EmailProvider { DevInbox, Smtp }

/// <summary>One email as the provider sees it. Id is the queued row's (the command's request id).</summary>
public sealed record EmailToSend(string Id, string? OrganizationId, string ContactHash, string To, string Subject, string Body);

/// <summary>Sends transactional email: SMTP, or the dev inbox of the embedded default. Throws when the message was not taken.</summary>
public interface IEmailSender
{
    Task SendAsync(EmailToSend email, CancellationToken cancellationToken);
}

/// <summary>The embedded default: "sends" by storing the email for the dev inbox page.</summary>
public sealed class DevInboxEmailSender(NoticesDatabase database, TimeProvider time) : IEmailSender
{
    public async Task SendAsync(EmailToSend email, CancellationToken cancellationToken)
    {
        await using var tx = await database.BeginAsync(cancellationToken);
        // Idempotent on the id: a resend after a crash finds the row.
        var sql = database.Dialect.InsertIfAbsent(
            "dev_emails",
            "id, organization_id, contact_hash, to_address, subject, body, created_at",
            "@Id, @OrganizationId, @ContactHash, @To, @Subject, @Body, @now",
            key: "id");
        await tx.Connection.ExecuteAsync(new CommandDefinition(sql, new
        {
            email.Id, email.OrganizationId, email.ContactHash, email.To, email.Subject, email.Body, now = time.GetUtcNow().ToUnixTimeMilliseconds(),
        }, tx.Inner, cancellationToken: cancellationToken));
        await tx.CommitAsync(cancellationToken);
    }
}

/// <summary>SMTP through System.Net.Mail (the only mail client this project may use); one connection per message, which is plenty for one-time codes.</summary>
public sealed class SmtpEmailSender(NoticesOptions options) : IEmailSender
{
    public async Task SendAsync(EmailToSend email, CancellationToken cancellationToken)
    {
        using var client = new SmtpClient(options.SmtpHost!, options.SmtpPort)
        {
            EnableSsl = options.SmtpEnableSsl,
            DeliveryMethod = SmtpDeliveryMethod.Network,
            Timeout = options.SmtpTimeoutSeconds * 1000,
        };
        if (options.SmtpUserName is { } user) client.Credentials = new NetworkCredential(user, options.SmtpPassword);
        using var message = new MailMessage(new MailAddress(options.SmtpFrom!), new MailAddress(email.To))
        {
            Subject = email.Subject,
            Body = email.Body,
            BodyEncoding = System.Text.Encoding.UTF8,
            SubjectEncoding = System.Text.Encoding.UTF8,
        };
        await client.SendMailAsync(message, cancellationToken);
    }
}
