using ConsentPlatform.ServiceDefaults.Data;
using Dapper;

namespace ConsentPlatform.Responses.ResponseForm;

/// <summary>A stored response as the CRM feed, the webhook and the organization pages see it.</summary>
public sealed record ResponseRecord
{
    /// <summary>Grows with every response; the pull feed's cursor.</summary>
    public long Sequence { get; init; }
    public string ResponseId { get; init; } = "";
    public string OrganizationId { get; init; } = "";
    public string Code { get; init; } = "";
    public string ContactHash { get; init; } = "";
    public string MaskedNumber { get; init; } = "";
    public string Topic { get; init; } = "";
    public string? Email { get; init; }
    public string PreferredContact { get; init; } = "";
    public string? ContactAfter { get; init; }
    public string? Reason { get; init; }
    public string? ReasonText { get; init; }
    public string? Comments { get; init; }
    public bool OptOutIntentFlagged { get; init; }
    public string? OptOutPhrase { get; init; }
    public string Language { get; init; } = "";
    public long RespondedAtMs { get; init; }
    public DateTimeOffset RespondedAt => DateTimeOffset.FromUnixTimeMilliseconds(RespondedAtMs);
}

public sealed record ResponseFilter(string? Status = null, bool? Flagged = null, DateTimeOffset? From = null, DateTimeOffset? To = null, string? Topic = null);

public sealed class ResponseStore(ResponsesDatabase database)
{
    private const string Columns = """
        id AS Sequence, response_id AS ResponseId, organization_id AS OrganizationId, code AS Code, contact_hash AS ContactHash,
        masked_number AS MaskedNumber, topic AS Topic, email AS Email, preferred_contact AS PreferredContact, contact_after AS ContactAfter,
        reason AS Reason, reason_text AS ReasonText, comments AS Comments, opt_out_flagged AS OptOutIntentFlagged, opt_out_phrase AS OptOutPhrase,
        language AS Language, responded_at AS RespondedAtMs
        """;

    /// <summary>The form's part of an erasure: the contact's responses (email typed, comments, reasons) go.</summary>
    public static Task EraseAsync(Transaction tx, string contactHash) =>
        tx.Connection.ExecuteAsync("DELETE FROM responses WHERE contact_hash = @contactHash", new { contactHash }, tx.Inner);

    public async Task<ResponseRecord?> FindAsync(string responseId, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var sql = $"SELECT {Columns} FROM responses WHERE response_id = @responseId";
        return await connection.QuerySingleOrDefaultAsync<ResponseRecord>(new CommandDefinition(sql, new { responseId }, cancellationToken: ct));
    }

    /// <summary>Oldest first after <paramref name="after"/> (the feed), or newest first before <paramref name="before"/> (the pages).</summary>
    public async Task<IReadOnlyList<ResponseRecord>> ListAsync(string organizationId, ResponseFilter filter, long? after, long? before, int take, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var limit = database.Dialect.FirstRows("@take");
        var order = before is null && after is not null ? "ASC" : "DESC";
        var sql = $"""
            SELECT {Columns} FROM responses
            WHERE organization_id = @organizationId
              AND (@after IS NULL OR id > @after)
              AND (@before IS NULL OR id < @before)
              AND (@status IS NULL OR preferred_contact = @status)
              AND (@flagged IS NULL OR opt_out_flagged = @flagged)
              AND (@from IS NULL OR responded_at >= @from)
              AND (@to IS NULL OR responded_at < @to)
              AND (@topic IS NULL OR topic = @topic)
            ORDER BY id {order}
            {limit}
            """;
        return (await connection.QueryAsync<ResponseRecord>(new CommandDefinition(sql, new
        {
            organizationId, after, before, status = filter.Status, flagged = filter.Flagged is null ? (int?)null : filter.Flagged.Value ? 1 : 0,
            from = filter.From?.ToUnixTimeMilliseconds(), to = filter.To?.ToUnixTimeMilliseconds(), topic = filter.Topic, take,
        }, cancellationToken: ct))).ToList();
    }
}
