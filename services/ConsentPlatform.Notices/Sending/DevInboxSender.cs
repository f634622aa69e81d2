using Dapper;

namespace ConsentPlatform.Notices.Sending;

/// <summary>The embedded default's provider: "sends" by storing the message for the dev inbox page.</summary>
public sealed class DevInboxSender(NoticesDatabase database, TimeProvider time) : ISmsSender
{
    public const string Sender = "ConsentPlatform";

    public async Task<SendOutcome> SendAsync(SmsToSend sms, CancellationToken cancellationToken)
    {
        var sid = "DV" + sms.MessageId.ToString("N");
        await using var tx = await database.BeginAsync(cancellationToken);
        // Idempotent on the message id, like a provider that dedupes: a resend after a crash finds the row.
        var sql = database.Dialect.InsertIfAbsent(
            "dev_inbox",
            "id, message_id, organization_id, to_number, sender, body, created_at",
            "@sid, @messageId, @organizationId, @to, @sender, @body, @now",
            key: "id");
        await tx.Connection.ExecuteAsync(new CommandDefinition(sql, new
        {
            sid, messageId = sms.MessageId.ToString(), organizationId = sms.OrganizationId, to = sms.To, sender = Sender, body = sms.Body,
            now = time.GetUtcNow().ToUnixTimeMilliseconds(),
        }, tx.Inner, cancellationToken: cancellationToken));
        await tx.CommitAsync(cancellationToken);
        return SendOutcome.Accepted(sid, "delivered");
    }

    public async Task<LookupOutcome> LookupAsync(SmsToSend sms, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var sid = await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition("SELECT id FROM dev_inbox WHERE message_id = @messageId",
            new { messageId = sms.MessageId.ToString() }, cancellationToken: cancellationToken));
        return sid is null ? new LookupOutcome(false) : new LookupOutcome(true, sid, "delivered");
    }
}
