using ConsentPlatform.Consent.Ledger;
using ConsentPlatform.Consent.Suppression;
using ConsentPlatform.Contracts;
using ConsentPlatform.ServiceDefaults.Data;
using ConsentPlatform.ServiceDefaults.Messaging;
using Dapper;
using MassTransit;

namespace ConsentPlatform.Consent.Requests;

/// <summary>One step of a request: which service did what, and when.</summary>
public sealed record RequestLogEntry(long At, string Service, string Action, string? Detail);

/// <summary>
/// The action log of data-subject requests across services, and which organizations each concerns.
/// Consent writes its own steps in the transaction that takes them; the other services' answers to an
/// erasure (ContactErased) are matched to the request by the ErasureRequested they answer.
/// </summary>
public static class RequestActions
{
    public const string Received = "received";
    public const string Verified = "verified";
    public const string Failed = "failed";
    public const string Erased = "erased";
    public const string Suppressed = "suppressed";
    public const string Withdrawn = "withdrawn";
    public const string ErasureRequested = "erasure_requested";
    public const string ErasureConfirmed = "erasure_confirmed";

    public static Task WriteAsync(Transaction transaction, string requestId, DateTimeOffset at, string action, string? detail = null, Guid? messageId = null,
        CancellationToken cancellationToken = default, string service = "consent")
    {
        const string sql = """
            INSERT INTO data_subject_request_log (request_id, at, service, action, detail, message_id)
            VALUES (@requestId, @at, @service, @action, @detail, @messageId)
            """;
        return transaction.Connection.ExecuteAsync(new CommandDefinition(sql,
            new { requestId, at = at.ToUnixTimeMilliseconds(), service, action, detail, messageId = messageId?.ToString() }, transaction.Inner, cancellationToken: cancellationToken));
    }

    /// <summary>Links the request to every organization that holds the contact now: ledger rows, or an opt-out of its own.</summary>
    public static async Task LinkOrganizationsAsync(Transaction transaction, string requestId, string contactHash, CancellationToken cancellationToken)
    {
        var organizations = (await LedgerStore.OrganizationsHoldingAsync(transaction, contactHash, cancellationToken))
            .Union(await SuppressionStore.OrganizationsAsync(transaction, contactHash, cancellationToken))
            .Select(organizationId => new { requestId, organizationId })
            .ToList();
        const string sql = "INSERT INTO data_subject_request_organizations (request_id, organization_id) VALUES (@requestId, @organizationId)";
        await transaction.Connection.ExecuteAsync(new CommandDefinition(sql, organizations, transaction.Inner, cancellationToken: cancellationToken));
    }

    public static async Task<IReadOnlyList<RequestView>> ListAsync(ConsentDatabase database, string organizationId, (long CreatedAt, string Id)? before, int take,
        CancellationToken cancellationToken)
    {
        var sql = $"""
            SELECT r.id AS RequestId, r.kind AS Kind, r.status AS Status, r.created_at AS CreatedAt, r.due_at AS DueAt, r.completed_at AS CompletedAt
            FROM data_subject_requests r JOIN data_subject_request_organizations o ON o.request_id = r.id
            WHERE o.organization_id = @organizationId {(before is null ? "" : "AND (r.created_at < @beforeAt OR (r.created_at = @beforeAt AND r.id < @beforeId))")}
            ORDER BY r.created_at DESC, r.id DESC {database.Dialect.FirstRows("@take")}
            """;
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string RequestId, string Kind, string Status, long CreatedAt, long DueAt, long? CompletedAt)>(new CommandDefinition(sql,
            new { organizationId, beforeAt = before?.CreatedAt, beforeId = before?.Id, take }, cancellationToken: cancellationToken));
        return rows.Select(r => new RequestView(r.RequestId, r.Kind, r.Status, DateTimeOffset.FromUnixTimeMilliseconds(r.CreatedAt),
            DateTimeOffset.FromUnixTimeMilliseconds(r.DueAt), r.CompletedAt is { } c ? DateTimeOffset.FromUnixTimeMilliseconds(c) : null)).ToList();
    }

    /// <summary>When each request concerning the organization that is still open was received (unix ms): its deadline is the organization's rule from then.</summary>
    public static async Task<IReadOnlyList<long>> OpenReceivedAsync(ConsentDatabase database, string organizationId, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT r.created_at FROM data_subject_requests r JOIN data_subject_request_organizations o ON o.request_id = r.id
            WHERE o.organization_id = @organizationId AND r.status = @pending
            """;
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<long>(new CommandDefinition(sql, new { organizationId, pending = DataSubjectRequests.Pending },
            cancellationToken: cancellationToken))).ToList();
    }

    /// <summary>
    /// Requests concerning the organization carried out in [from, to) (unix ms) that stopped contact
    /// (stop use, erasure): the opt-outs that came as data-subject requests, which name no organization
    /// on the suppression list because they hold for every one.
    /// </summary>
    public static async Task<long> OptOutsCarriedOutAsync(ConsentDatabase database, string organizationId, long from, long to, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT COUNT(*) FROM data_subject_requests r JOIN data_subject_request_organizations o ON o.request_id = r.id
            WHERE o.organization_id = @organizationId AND r.status = @completed AND r.kind IN (@stopUse, @erasure)
              AND r.completed_at >= @from AND r.completed_at < @to
            """;
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(sql, new
        {
            organizationId, completed = DataSubjectRequests.Completed, stopUse = DataSubjectRequests.StopUse, erasure = DataSubjectRequests.Erasure, from, to,
        }, cancellationToken: cancellationToken));
    }

    /// <summary>The requests a contact (any of its keyed hashes) made that concern the organization, oldest first: part of the contact's record.</summary>
    public static async Task<IReadOnlyList<RequestView>> ForContactAsync(ConsentDatabase database, string organizationId, IReadOnlyList<string> hashes,
        CancellationToken cancellationToken)
    {
        var sql = $"""
            SELECT r.id AS RequestId, r.kind AS Kind, r.status AS Status, r.created_at AS CreatedAt, r.due_at AS DueAt, r.completed_at AS CompletedAt
            FROM data_subject_requests r JOIN data_subject_request_organizations o ON o.request_id = r.id
            WHERE o.organization_id = @organizationId AND r.contact_hash {database.Dialect.InList("@hashes")} ORDER BY r.created_at, r.id
            """;
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string RequestId, string Kind, string Status, long CreatedAt, long DueAt, long? CompletedAt)>(new CommandDefinition(sql,
            new { organizationId, hashes = hashes.ToArray() }, cancellationToken: cancellationToken));
        return rows.Select(r => new RequestView(r.RequestId, r.Kind, r.Status, DateTimeOffset.FromUnixTimeMilliseconds(r.CreatedAt),
            DateTimeOffset.FromUnixTimeMilliseconds(r.DueAt), r.CompletedAt is { } c ? DateTimeOffset.FromUnixTimeMilliseconds(c) : null)).ToList();
    }

    public static async Task<bool> ConcernsAsync(ConsentDatabase database, string organizationId, string requestId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        const string sql = "SELECT COUNT(*) FROM data_subject_request_organizations WHERE organization_id = @organizationId AND request_id = @requestId";
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(sql, new { organizationId, requestId }, cancellationToken: cancellationToken)) > 0;
    }

    public static async Task<IReadOnlyList<RequestLogEntry>> EntriesAsync(ConsentDatabase database, string requestId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        const string sql = "SELECT at AS At, service AS Service, action AS Action, detail AS Detail FROM data_subject_request_log WHERE request_id = @requestId ORDER BY seq";
        return (await connection.QueryAsync<RequestLogEntry>(new CommandDefinition(sql, new { requestId }, cancellationToken: cancellationToken))).ToList();
    }

    /// <summary>A service's answer to one ErasureRequested: logged under the request that sent it.</summary>
    public static Task<int> ConfirmErasureAsync(Transaction transaction, ContactErased message, CancellationToken cancellationToken)
    {
        const string sql = """
            INSERT INTO data_subject_request_log (request_id, at, service, action, detail, message_id)
            SELECT request_id, @at, @service, @confirmed, NULL, message_id FROM data_subject_request_log WHERE message_id = @messageId AND action = @requested
            """;
        return transaction.Connection.ExecuteAsync(new CommandDefinition(sql, new
        {
            at = message.ErasedAt.ToUnixTimeMilliseconds(), service = message.Service, confirmed = ErasureConfirmed, messageId = message.RequestId.ToString(), requested = ErasureRequested,
        }, transaction.Inner, cancellationToken: cancellationToken));
    }
}

/// <summary>Directory, Notices and Responses each answer an erasure with ContactErased; the request's log records who confirmed and when.</summary>
public sealed class ContactErasedConsumer(ConsentDatabase database, ILogger<ContactErasedConsumer> logger) : IConsumer<ContactErased>
{
    public async Task Consume(ConsumeContext<ContactErased> context)
    {
        var matched = 0;
        await database.HandleOnceAsync(this, context, async transaction =>
            matched = await RequestActions.ConfirmErasureAsync(transaction, context.Message, context.CancellationToken));
        if (matched == 0)
            logger.LogWarning("Erasure {RequestId} confirmed by {Service} matches no data-subject request", context.Message.RequestId, context.Message.Service);
    }
}

public sealed class ContactErasedConsumerDefinition() : PlatformConsumerDefinition<ContactErasedConsumer>(Queues.ConsentContactErased, concurrentMessageLimit: null, firstRetry: TimeSpan.FromMilliseconds(50));
