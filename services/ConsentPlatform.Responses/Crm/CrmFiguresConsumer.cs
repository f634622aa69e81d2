using ConsentPlatform.Contracts;
using ConsentPlatform.ServiceDefaults.Messaging;
using Dapper;
using MassTransit;

namespace ConsentPlatform.Responses.Crm;

/// <summary>
/// Answers the compliance console's question (Consent asks over the bus): an organization's CRM deliveries
/// made in a period, delivered and given up (dead letters), counted in the database. Nothing is written.
/// </summary>
public sealed class CrmFiguresConsumer(ResponsesDatabase database) : IConsumer<CrmFiguresRequested>
{
    public async Task Consume(ConsumeContext<CrmFiguresRequested> context)
    {
        var m = context.Message;
        await using var connection = await database.OpenAsync(context.CancellationToken);
        var counts = (await connection.QueryAsync<(string Status, long Count)>(new CommandDefinition("""
            SELECT status, COUNT(*) FROM crm_deliveries
            WHERE organization_id = @organizationId AND created_at >= @from AND created_at < @to
            GROUP BY status
            """, new { organizationId = m.OrganizationId, from = m.From.ToUnixTimeMilliseconds(), to = m.To.ToUnixTimeMilliseconds() },
            cancellationToken: context.CancellationToken))).ToDictionary(c => c.Status, c => c.Count);
        await context.RespondAsync(new CrmFigures(counts.GetValueOrDefault(DeliveryStatus.Delivered), counts.GetValueOrDefault(DeliveryStatus.Dead)));
    }
}

public sealed class CrmFiguresConsumerDefinition() : PlatformConsumerDefinition<CrmFiguresConsumer>(Queues.ResponsesConsoleFigures);
