using Dapper;

namespace ConsentPlatform.Notices.Sending;

public sealed record DevInboxMessage(string Id, string To, string From, string Body, IReadOnlyList<string> Links, DateTimeOffset CreatedAt);

public sealed record DevInboxEmail(string Id, string To, string Subject, string Body, DateTimeOffset CreatedAt);

/// <summary>Reads what the dev inbox providers wrote to dev_inbox and dev_emails (this folder owns both).</summary>
public static class DevInbox
{
    /// <summary>
    /// An organization's messages, or with <paramref name="organizationId"/> null the codes people asked
    /// for (see <see cref="Verification.CodeAudience"/>), which no organization is shown.
    /// </summary>
    public static async Task<IReadOnlyList<DevInboxMessage>> ListAsync(NoticesDatabase database, NoticesOptions options, string? organizationId, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var sql = $"""
            SELECT id AS Item1, to_number AS Item2, sender AS Item3, body AS Item4, created_at AS Item5 FROM dev_inbox
            WHERE {Owned(organizationId)}
            ORDER BY created_at DESC, id DESC {database.Dialect.FirstRows("200")}
            """;
        var rows = await connection.QueryAsync<(string, string, string, string, long)>(new CommandDefinition(sql, new { organizationId }, cancellationToken: ct));
        return rows.Select(r => new DevInboxMessage(r.Item1, r.Item2, r.Item3, r.Item4, LinksIn(r.Item4, options), DateTimeOffset.FromUnixTimeMilliseconds(r.Item5))).ToList();
    }

    public static async Task<IReadOnlyList<DevInboxEmail>> ListEmailsAsync(NoticesDatabase database, string? organizationId, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var sql = $"""
            SELECT id AS Id, to_address AS "To", subject AS Subject, body AS Body, created_at AS CreatedAt FROM dev_emails
            WHERE {Owned(organizationId)}
            ORDER BY created_at DESC, id DESC {database.Dialect.FirstRows("200")}
            """;
        var rows = await connection.QueryAsync<(string Id, string To, string Subject, string Body, long CreatedAt)>(new CommandDefinition(sql, new { organizationId }, cancellationToken: ct));
        return rows.Select(r => new DevInboxEmail(r.Id, r.To, r.Subject, r.Body, DateTimeOffset.FromUnixTimeMilliseconds(r.CreatedAt))).ToList();
    }

    /// <summary>The rows of one organization, or the rows of no organization (people's own codes).</summary>
    internal static string Owned(string? organizationId) =>
        organizationId is null ? "organization_id IS NULL" : "organization_id = @organizationId";

    private static List<string> LinksIn(string body, NoticesOptions options) =>
        System.Text.RegularExpressions.Regex.Matches(body, @"https?://[^\s　、。）)]+").Select(m => m.Value).ToList();
}
