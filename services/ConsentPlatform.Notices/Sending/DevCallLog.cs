using ConsentPlatform.ServiceDefaults.Identity;
using ConsentPlatform.ServiceDefaults.Web;
using Dapper;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConsentPlatform.Notices.Sending;

/// <summary>A call the dev provider "placed": the masked number and the words that would have been read out.</summary>
public sealed record DevCall(string Id, string RequestId, string MaskedTo, string Language, string SpokenText, DateTimeOffset CreatedAt);

/// <summary>
/// The embedded default's voice provider: "calls" by storing what would be read out, for the dev
/// call log page. Only the masked number is stored: the page is shared by everyone signed in.
/// </summary>
public sealed class DevCallLogCaller(NoticesDatabase database, TimeProvider time) : IVoiceCaller
{
    public async Task<SendOutcome> PlaceAsync(VoiceCall call, CancellationToken cancellationToken)
    {
        var sid = "DC" + call.RequestId.ToString("N");
        await using var tx = await database.BeginAsync(cancellationToken);
        // Idempotent on the request, like a provider that dedupes.
        var sql = database.Dialect.InsertIfAbsent(
            "dev_calls",
            "id, request_id, organization_id, contact_hash, masked_number, language, spoken_text, created_at",
            "@sid, @requestId, @OrganizationId, @ContactHash, @MaskedTo, @Language, @spoken, @now",
            key: "id");
        await tx.Connection.ExecuteAsync(new CommandDefinition(sql, new
        {
            sid, requestId = call.RequestId.ToString(), call.OrganizationId, call.ContactHash, call.MaskedTo, call.Language,
            spoken = VoiceScript.Spoken(call.Code, call.Language), now = time.GetUtcNow().ToUnixTimeMilliseconds(),
        }, tx.Inner, cancellationToken: cancellationToken));
        await tx.CommitAsync(cancellationToken);
        return SendOutcome.Accepted(sid, "completed");
    }
}

public static class DevCallLog
{
    public const string PagePath = "/notices/dev-calls";

    /// <summary>An organization's calls, or with <paramref name="organizationId"/> null the calls people asked for.</summary>
    public static async Task<IReadOnlyList<DevCall>> ListAsync(NoticesDatabase database, string? organizationId, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var sql = $"""
            SELECT id AS Id, request_id AS RequestId, masked_number AS MaskedTo, language AS Language, spoken_text AS SpokenText, created_at AS CreatedAt
            FROM dev_calls
            WHERE {DevInbox.Owned(organizationId)}
            ORDER BY created_at DESC, id DESC {database.Dialect.FirstRows("200")}
            """;
        var rows = await connection.QueryAsync<(string Id, string RequestId, string MaskedTo, string Language, string SpokenText, long CreatedAt)>(
            new CommandDefinition(sql, new { organizationId }, cancellationToken: ct));
        return rows.Select(r => new DevCall(r.Id, r.RequestId, r.MaskedTo, r.Language, r.SpokenText, DateTimeOffset.FromUnixTimeMilliseconds(r.CreatedAt))).ToList();
    }

    /// <summary>The dev call log, a sibling of the dev inbox: organization pages, so signed in with the Notices scope.</summary>
    public static void MapDevCallLogPage(this IEndpointRouteBuilder app) =>
        app.MapGet(PagePath, async (HttpContext context, IAntiforgery antiforgery, NoticesDatabase database) =>
                new RazorComponentResult<DevCallsPage>(new
                {
                    Calls = await ListAsync(database, context.User.OrganizationId(), context.RequestAborted),
                    Tokens = antiforgery.GetAndStoreTokens(context),
                    SignedInAs = PlatformPages.SignedInAs(context.User),
                }))
            .RequireAuthorization(Scopes.Notices)
            .ExcludeFromDescription();
}
