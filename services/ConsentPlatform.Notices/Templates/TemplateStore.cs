using ConsentPlatform.ServiceDefaults.Organizations;
using Dapper;

namespace ConsentPlatform.Notices.Templates;

public sealed record NoticeTemplate(string Kind, string Language, string Body, int MaxSegments, bool IsDefault, DateTimeOffset? UpdatedAt);

public sealed class TemplateStore(NoticesDatabase database, NoticesOptions options, TimeProvider time)
{
    private sealed record Row(string Kind, string Language, string Body, long MaxSegments, long UpdatedAt);

    public async Task<IReadOnlyList<NoticeTemplate>> ListAsync(string organizationId, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        const string sql = """
            SELECT kind AS Kind, language AS Language, body AS Body, max_segments AS MaxSegments, updated_at AS UpdatedAt
            FROM templates WHERE organization_id = @organizationId
            """;
        var saved = (await connection.QueryAsync<Row>(new CommandDefinition(sql, new { organizationId }, cancellationToken: ct)))
            .ToDictionary(r => (r.Kind, r.Language));
        return [.. from kind in NoticeKinds.All
                   from language in Languages.All
                   select saved.TryGetValue((kind, language), out var row)
                       ? new NoticeTemplate(kind, language, row.Body, (int)row.MaxSegments, false, DateTimeOffset.FromUnixTimeMilliseconds(row.UpdatedAt))
                       : new NoticeTemplate(kind, language, DefaultTemplates.For(kind, language), options.DefaultMaxSegments, true, null)];
    }

    public async Task<NoticeTemplate> GetAsync(string organizationId, string kind, string language, CancellationToken ct) =>
        (await ListAsync(organizationId, ct)).First(t => t.Kind == kind && t.Language == language);

    public async Task SaveAsync(string organizationId, string kind, string language, string body, int maxSegments, CancellationToken ct)
    {
        await using var tx = await database.BeginAsync(ct);
        var args = new { organizationId, kind, language, body, maxSegments, now = time.GetUtcNow().ToUnixTimeMilliseconds() };
        const string update = """
            UPDATE templates SET body = @body, max_segments = @maxSegments, updated_at = @now
            WHERE organization_id = @organizationId AND kind = @kind AND language = @language
            """;
        var insert = database.Dialect.InsertIfAbsent(
            "templates",
            "organization_id, kind, language, body, max_segments, updated_at",
            "@organizationId, @kind, @language, @body, @maxSegments, @now",
            key: "organization_id, kind, language");
        if (await tx.Connection.ExecuteAsync(update, args, tx.Inner) == 0)
            await tx.Connection.ExecuteAsync(insert, args, tx.Inner);
        await tx.CommitAsync(ct);
    }

    /// <summary>The sender's legal name as Directory published it, or the name the organization was created with.</summary>
    public async Task<string> CompanyNameAsync(string organizationId, string? fallback, CancellationToken ct) =>
        (await OrganizationProfiles.FindAsync(database, organizationId, ct))?.LegalName ?? fallback ?? organizationId;
}
