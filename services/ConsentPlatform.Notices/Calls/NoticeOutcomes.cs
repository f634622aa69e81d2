using ConsentPlatform.Contracts;
using ConsentPlatform.Notices.Sending;
using ConsentPlatform.ServiceDefaults.Data;
using ConsentPlatform.ServiceDefaults.Messaging;
using Dapper;

namespace ConsentPlatform.Notices.Calls;

/// <summary>A notice follows the message that carries it, and says so: CallNoticeSent once, CallNoticeDeliveryChanged on every move.</summary>
public sealed class NoticeOutcomes : IMessageOutcomeHook
{
    public async Task MessageAdvancedAsync(Transaction tx, string noticeId, string previous, string status, string? errorCode, DateTimeOffset at, CancellationToken ct)
    {
        const string notice = "UPDATE notices SET status = @status, updated_at = @now WHERE id = @noticeId";
        await tx.Connection.ExecuteAsync(new CommandDefinition(notice, new { status, noticeId, now = at.ToUnixTimeMilliseconds() }, tx.Inner, cancellationToken: ct));
        const string details = "SELECT organization_id AS Item1, kind AS Item2 FROM notices WHERE id = @noticeId";
        var (organizationId, kind) = await tx.Connection.QuerySingleAsync<(string, string)>(new CommandDefinition(details, new { noticeId }, tx.Inner, cancellationToken: ct));
        if (MessageStatuses.Rank(previous) == 0 && status is not (MessageStatuses.Failed or MessageStatuses.Cancelled))
            Outbox.Write(tx, new CallNoticeSent { NoticeId = Guid.Parse(noticeId), OrganizationId = organizationId, Kind = kind, SentAt = at });
        Outbox.Write(tx, new CallNoticeDeliveryChanged { NoticeId = Guid.Parse(noticeId), Status = status, ErrorCode = errorCode, ChangedAt = at });
    }

    public Task MessageRefusedAsync(Transaction tx, string noticeId, string reason, DateTimeOffset at, CancellationToken ct)
    {
        const string notice = "UPDATE notices SET status = 'refused', reason = @reason, updated_at = @now WHERE id = @noticeId";
        return tx.Connection.ExecuteAsync(new CommandDefinition(notice, new { noticeId, reason, now = at.ToUnixTimeMilliseconds() }, tx.Inner, cancellationToken: ct));
    }
}
