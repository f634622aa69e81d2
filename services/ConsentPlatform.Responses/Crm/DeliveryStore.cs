using ConsentPlatform.Responses.ResponseForm;
using ConsentPlatform.ServiceDefaults.Data;
using ConsentPlatform.ServiceDefaults.Work;
using Dapper;

namespace ConsentPlatform.Responses.Crm;

public static class DeliveryStatus
{
    public const string Pending = "pending";
    public const string Delivered = "delivered";
    public const string Dead = "dead";
}

public sealed record Delivery
{
    public long Id { get; init; }
    public string DeliveryId { get; init; } = "";
    public string ConnectorId { get; init; } = "";
    public string OrganizationId { get; init; } = "";
    public string ResponseId { get; init; } = "";
    public string ContactHash { get; init; } = "";
    public string Status { get; init; } = "";
    public int Attempts { get; init; }
    public long NextAttemptAt { get; init; }
    public string? LastError { get; init; }
    public long CreatedAt { get; init; }
    public long? DeliveredAt { get; init; }
    /// <summary><see cref="DeliveryKinds"/>: what <see cref="ResponseId"/> names, a response or a preference change.</summary>
    public string Kind { get; init; } = DeliveryKinds.Response;
}

/// <summary>
/// The CRM delivery log: one row per response and connector, written in the response's own
/// transaction, so a response can never be stored without its deliveries (or the reverse).
/// </summary>
public sealed class DeliveryStore(ResponsesDatabase database) : IResponseDeliveries
{
    private const string Columns = """
        id AS Id, delivery_id AS DeliveryId, connector_id AS ConnectorId, organization_id AS OrganizationId, response_id AS ResponseId,
        contact_hash AS ContactHash, status AS Status, attempts AS Attempts, next_attempt_at AS NextAttemptAt, last_error AS LastError,
        created_at AS CreatedAt, delivered_at AS DeliveredAt, kind AS Kind
        """;

    /// <summary>Signalled when deliveries are committed, so the worker need not wait for its next poll.</summary>
    public WakeSignal Signal { get; } = new();

    /// <param name="kind">A response, or a preference change (<see cref="DeliveryKinds"/>); preference changes go to webhook connectors only for now.</param>
    public static async Task<int> EnqueueAsync(Transaction tx, string organizationId, Guid responseId, string contactHash, DateTimeOffset now, CancellationToken ct,
        string kind = DeliveryKinds.Response)
    {
        var connectors = "SELECT connector_id FROM crm_connectors WHERE organization_id = @organizationId AND enabled = 1"
            + (kind == DeliveryKinds.Preference ? " AND kind = @webhook" : "");
        var ids = (await tx.Connection.QueryAsync<string>(new CommandDefinition(connectors, new { organizationId, webhook = ConnectorKinds.Webhook }, tx.Inner, cancellationToken: ct))).ToList();
        const string insert = """
            INSERT INTO crm_deliveries (delivery_id, connector_id, organization_id, response_id, contact_hash, status, attempts, next_attempt_at, created_at, kind)
            VALUES (@deliveryId, @connectorId, @organizationId, @responseId, @contactHash, 'pending', 0, @now, @now, @kind)
            """;
        foreach (var connectorId in ids)
        {
            await tx.Connection.ExecuteAsync(new CommandDefinition(insert, new
            {
                deliveryId = Guid.NewGuid().ToString(), connectorId, organizationId, responseId = responseId.ToString(), contactHash,
                now = now.ToUnixTimeMilliseconds(), kind,
            }, tx.Inner, cancellationToken: ct));
        }
        return ids.Count;
    }

    Task<int> IResponseDeliveries.EnqueueAsync(Transaction tx, string organizationId, Guid responseId, string contactHash, DateTimeOffset now, CancellationToken ct) =>
        EnqueueAsync(tx, organizationId, responseId, contactHash, now, ct);

    void IResponseDeliveries.Wake() => Signal.Wake();

    /// <summary>
    /// Claims due deliveries that are first in line for their contact and connector: a later
    /// response is never sent while an earlier one for the same person is undelivered (or dead).
    /// </summary>
    public async Task<IReadOnlyList<Delivery>> ClaimDueAsync(DateTimeOffset now, TimeSpan claimFor, int batch, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var take = database.Dialect.FirstRows("@batch");
        var sql = $"""
            SELECT {Columns} FROM crm_deliveries d
            WHERE d.status = 'pending' AND d.next_attempt_at <= @now AND (d.claimed_until IS NULL OR d.claimed_until < @now)
              AND NOT EXISTS (SELECT 1 FROM crm_deliveries e
                              WHERE e.connector_id = d.connector_id AND e.contact_hash = d.contact_hash AND e.id < d.id AND e.status <> 'delivered')
            ORDER BY d.id
            {take}
            """;
        var nowMs = now.ToUnixTimeMilliseconds();
        var due = await connection.QueryAsync<Delivery>(new CommandDefinition(sql, new { now = nowMs, batch }, cancellationToken: ct));
        var claimed = new List<Delivery>();
        const string claim = """
            UPDATE crm_deliveries SET claimed_until = @until
            WHERE id = @Id AND status = 'pending' AND (claimed_until IS NULL OR claimed_until < @now)
            """;
        foreach (var delivery in due)
        {
            // Another instance may have claimed it between the read and here; only the winner sends.
            if (await connection.ExecuteAsync(new CommandDefinition(claim, new { delivery.Id, now = nowMs, until = now.Add(claimFor).ToUnixTimeMilliseconds() }, cancellationToken: ct)) == 1)
                claimed.Add(delivery);
        }
        return claimed;
    }

    public async Task MarkDeliveredAsync(long id, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        const string sql = """
            UPDATE crm_deliveries SET status = 'delivered', attempts = attempts + 1, delivered_at = @now, claimed_until = NULL, last_error = NULL
            WHERE id = @id
            """;
        await connection.ExecuteAsync(new CommandDefinition(sql, new { id, now = now.ToUnixTimeMilliseconds() }, cancellationToken: ct));
    }

    /// <summary>Counts a failed attempt; the last allowed one turns the delivery into a dead letter.</summary>
    public async Task MarkFailedAsync(Delivery delivery, string error, DateTimeOffset nextAttempt, int maxAttempts, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        const string sql = """
            UPDATE crm_deliveries SET attempts = attempts + 1, last_error = @error, next_attempt_at = @next, claimed_until = NULL,
                status = CASE WHEN attempts + 1 >= @maxAttempts THEN 'dead' ELSE 'pending' END
            WHERE id = @Id
            """;
        await connection.ExecuteAsync(new CommandDefinition(sql, new
        {
            delivery.Id, error = error.Length > 1000 ? error[..1000] : error, next = nextAttempt.ToUnixTimeMilliseconds(), maxAttempts,
        }, cancellationToken: ct));
    }

    /// <summary>Not attempted (the connector's circuit is open): try again later without counting an attempt.</summary>
    public async Task PostponeAsync(long id, DateTimeOffset until, string reason, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        const string sql = "UPDATE crm_deliveries SET next_attempt_at = @until, claimed_until = NULL, last_error = @reason WHERE id = @id";
        await connection.ExecuteAsync(new CommandDefinition(sql, new { id, until = until.ToUnixTimeMilliseconds(), reason }, cancellationToken: ct));
    }

    /// <summary>Puts a dead letter (or a failing delivery) back in line with a fresh attempt budget.</summary>
    public async Task<bool> RedeliverAsync(string organizationId, string deliveryId, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        const string sql = """
            UPDATE crm_deliveries SET status = 'pending', attempts = 0, next_attempt_at = @now, claimed_until = NULL
            WHERE delivery_id = @deliveryId AND organization_id = @organizationId AND status <> 'delivered'
            """;
        var changed = await connection.ExecuteAsync(new CommandDefinition(sql, new { deliveryId, organizationId, now = now.ToUnixTimeMilliseconds() }, cancellationToken: ct));
        if (changed == 1) Signal.Wake();
        return changed == 1;
    }

    public async Task<IReadOnlyList<Delivery>> ListAsync(string organizationId, string? status, string? connectorId, long? before, int take, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var limit = database.Dialect.FirstRows("@take");
        var sql = $"""
            SELECT {Columns} FROM crm_deliveries
            WHERE organization_id = @organizationId
              AND (@status IS NULL OR status = @status)
              AND (@connectorId IS NULL OR connector_id = @connectorId)
              AND (@before IS NULL OR id < @before)
            ORDER BY id DESC
            {limit}
            """;
        return (await connection.QueryAsync<Delivery>(new CommandDefinition(sql, new { organizationId, status, connectorId, before, take }, cancellationToken: ct))).ToList();
    }

    public async Task<Delivery?> FindAsync(string organizationId, string deliveryId, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var sql = $"SELECT {Columns} FROM crm_deliveries WHERE delivery_id = @deliveryId AND organization_id = @organizationId";
        return await connection.QuerySingleOrDefaultAsync<Delivery>(new CommandDefinition(sql, new { deliveryId, organizationId }, cancellationToken: ct));
    }
}
