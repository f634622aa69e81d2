using ConsentPlatform.Contracts;
using ConsentPlatform.ServiceDefaults.Data;
using Dapper;

namespace ConsentPlatform.Responses.Links;

/// <summary>A short link as Notices issued it.</summary>
public sealed record ResponseLink(
    string Code, string NoticeId, string OrganizationId, string MaskedNumber, string ContactHash,
    string Topic, string? CallerName, long IssuedAt);

/// <summary>"You gave us this number at {SourceEvent} on {RecordedAt}" (R6).</summary>
public sealed record Provenance(string? SourceEvent, DateTimeOffset RecordedAt, string Channel, string Purpose);

/// <summary>Everything the form page shows, assembled once and kept in memory.</summary>
public sealed record LinkView(
    ResponseLink Link, string CompanyName, string? ContactPhone, string? ContactEmail, string? WebsiteUrl,
    string? PrivacyPolicyUrl, Provenance? Provenance);

public sealed class LinkStore(ResponsesDatabase database)
{
    /// <summary>Stores a link once; a redelivered or repeated message changes nothing.</summary>
    public static async Task<bool> ApplyAsync(Transaction tx, ResponseLinkIssued link)
    {
        var sql = tx.Database.Dialect.InsertIfAbsent(
            "response_links",
            "code, notice_id, organization_id, masked_number, contact_hash, topic, caller_name, issued_at",
            "@Code, @noticeId, @OrganizationId, @MaskedNumber, @ContactHash, @Topic, @CallerName, @issuedAt",
            key: "code");
        return await tx.Connection.ExecuteAsync(sql, new
        {
            link.Code, noticeId = link.NoticeId.ToString(), link.OrganizationId, link.MaskedNumber, link.ContactHash,
            link.Topic, link.CallerName, issuedAt = link.IssuedAt.ToUnixTimeMilliseconds(),
        }, tx.Inner) == 1;
    }

    public static async Task ApplyAsync(Transaction tx, ConsentRecorded consent)
    {
        var sql = tx.Database.Dialect.InsertIfAbsent(
            "consent_provenance",
            "consent_id, contact_hash, organization_id, channel, purpose, source_event, recorded_at",
            "@consentId, @ContactHash, @OrganizationId, @Channel, @Purpose, @SourceEvent, @recordedAt",
            key: "consent_id");
        await tx.Connection.ExecuteAsync(sql, new
        {
            consentId = consent.ConsentId.ToString(), consent.ContactHash, consent.OrganizationId, consent.Channel,
            consent.Purpose, consent.SourceEvent, recordedAt = consent.RecordedAt.ToUnixTimeMilliseconds(),
        }, tx.Inner);
    }

    public static async Task ApplyAsync(Transaction tx, CallNoticeSent notice)
    {
        var sql = tx.Database.Dialect.InsertIfAbsent(
            "call_notices",
            "notice_id, organization_id, kind, sent_at",
            "@noticeId, @OrganizationId, @Kind, @sentAt",
            key: "notice_id");
        await tx.Connection.ExecuteAsync(sql, new
        {
            noticeId = notice.NoticeId.ToString(), notice.OrganizationId, notice.Kind, sentAt = notice.SentAt.ToUnixTimeMilliseconds(),
        }, tx.Inner);
    }

    /// <summary>
    /// Links' part of an erasure: the contact's links keep their code (a link that stops working would
    /// look like a fault) but not the masked number, and the provenance shown on them goes. Returns the codes.
    /// </summary>
    public static async Task<IReadOnlyList<string>> EraseAsync(Transaction tx, string contactHash)
    {
        var codes = (await tx.Connection.QueryAsync<string>("SELECT code FROM response_links WHERE contact_hash = @contactHash", new { contactHash }, tx.Inner)).ToList();
        await tx.Connection.ExecuteAsync("UPDATE response_links SET masked_number = '' WHERE contact_hash = @contactHash", new { contactHash }, tx.Inner);
        await tx.Connection.ExecuteAsync("DELETE FROM consent_provenance WHERE contact_hash = @contactHash", new { contactHash }, tx.Inner);
        return codes;
    }

    public async Task<LinkView?> FindViewAsync(string code, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        const string linkSql = """
            SELECT code AS Code, notice_id AS NoticeId, organization_id AS OrganizationId, masked_number AS MaskedNumber,
                   contact_hash AS ContactHash, topic AS Topic, caller_name AS CallerName, issued_at AS IssuedAt
            FROM response_links WHERE code = @code
            """;
        var link = await connection.QuerySingleOrDefaultAsync<ResponseLink>(new CommandDefinition(linkSql, new { code }, cancellationToken: ct));
        if (link is null) return null;

        const string profileSql = """
            SELECT legal_name, contact_phone, contact_email, website_url, privacy_policy_url
            FROM organization_profiles WHERE organization_id = @OrganizationId
            """;
        var profile = await connection.QuerySingleOrDefaultAsync<(string? LegalName, string? Phone, string? Email, string? Web, string? Privacy)>(
            new CommandDefinition(profileSql, new { link.OrganizationId }, cancellationToken: ct));

        // The earliest consent with a named source answers "where did you get my number?".
        const string provenanceSql = """
            SELECT source_event, recorded_at, channel, purpose FROM consent_provenance
            WHERE contact_hash = @ContactHash AND organization_id = @OrganizationId
            ORDER BY CASE WHEN source_event IS NULL THEN 1 ELSE 0 END, recorded_at
            """;
        var provenance = (await connection.QueryAsync<(string? Source, long RecordedAt, string Channel, string Purpose)>(
            new CommandDefinition(provenanceSql, new { link.ContactHash, link.OrganizationId }, cancellationToken: ct))).FirstOrDefault();

        return new LinkView(link, profile.LegalName ?? link.OrganizationId, profile.Phone, profile.Email, profile.Web, profile.Privacy,
            provenance.Channel is null ? null
                : new Provenance(provenance.Source, DateTimeOffset.FromUnixTimeMilliseconds(provenance.RecordedAt), provenance.Channel, provenance.Purpose));
    }

    /// <summary>Organizations that have reached this contact (links issued or consent recorded): whom a generic opt-out goes to.</summary>
    public async Task<IReadOnlyList<string>> OrganizationsForContactAsync(IEnumerable<string> contactHashes, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        return (await connection.QueryAsync<string>(new CommandDefinition(OrganizationsSql(database.Dialect), new { hashes = contactHashes.ToArray() },
            cancellationToken: ct))).ToList();
    }

    /// <summary>The same, in the caller's transaction (a CRM preference change for every organization that knows the contact).</summary>
    public static async Task<IReadOnlyList<string>> OrganizationsForContactAsync(Transaction tx, string contactHash, CancellationToken ct) =>
        (await tx.Connection.QueryAsync<string>(new CommandDefinition(OrganizationsSql(tx.Database.Dialect), new { hashes = new[] { contactHash } }, tx.Inner,
            cancellationToken: ct))).ToList();

    private static string OrganizationsSql(SqlDialect dialect)
    {
        var inHashes = dialect.InList("@hashes");
        return $"""
            SELECT organization_id FROM response_links WHERE contact_hash {inHashes}
            UNION
            SELECT organization_id FROM consent_provenance WHERE contact_hash {inHashes}
            """;
    }
}
