using ConsentPlatform.Contracts;
using ConsentPlatform.ServiceDefaults.Messaging;
using Dapper;
using MassTransit;

namespace ConsentPlatform.Notices.Calls;

/// <summary>
/// Answers the compliance console's question (Consent asks over the bus): an organization's notices made in
/// a period, counted in the database. Nothing is written; the console waits a short time for the answer.
/// </summary>
public sealed class NoticeFiguresConsumer(NoticesDatabase database) : IConsumer<NoticeFiguresRequested>
{
    public async Task Consume(ConsumeContext<NoticeFiguresRequested> context)
    {
        var m = context.Message;
        await using var connection = await database.OpenAsync(context.CancellationToken);
        var counts = (await connection.QueryAsync<(string Status, string? Reason, long Count)>(new CommandDefinition("""
            SELECT status, reason, COUNT(*) FROM notices
            WHERE organization_id = @organizationId AND created_at >= @from AND created_at < @to
            GROUP BY status, reason
            """, new { organizationId = m.OrganizationId, from = m.From.ToUnixTimeMilliseconds(), to = m.To.ToUnixTimeMilliseconds() },
            cancellationToken: context.CancellationToken))).ToList();
        long Count(params string[] statuses) => counts.Where(c => statuses.Contains(c.Status)).Sum(c => c.Count);
        await context.RespondAsync(new NoticeFigures(
            Count(NoticeStatuses.Sent, NoticeStatuses.Delivered, NoticeStatuses.Undelivered),
            Count(NoticeStatuses.Failed),
            counts.Where(c => c.Status == NoticeStatuses.Refused).GroupBy(c => c.Reason ?? "unknown").ToDictionary(g => g.Key, g => g.Sum(c => c.Count))));
    }
}

public sealed class NoticeFiguresConsumerDefinition() : PlatformConsumerDefinition<NoticeFiguresConsumer>(Queues.NoticesConsoleFigures);
