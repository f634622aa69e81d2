using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using ConsentPlatform.Contracts;
using ConsentPlatform.Responses.Links;
using ConsentPlatform.Responses.ResponseForm;
using ConsentPlatform.ServiceDefaults;
using ConsentPlatform.ServiceDefaults.Data;
using ConsentPlatform.ServiceDefaults.Messaging;
using ConsentPlatform.Telephony;
using Dapper;

namespace ConsentPlatform.Responses.Confirmation;

/// <summary>A confirmation as its page needs it; <see cref="IsOpen"/> says whether the link may still confirm.</summary>
public sealed record PendingConfirmation(string ConfirmationId, string OrganizationId, string Code, string Email, string Language, long ExpiresAt, long? ConfirmedAt)
{
    public bool IsOpen(DateTimeOffset now) => ConfirmedAt is null && now.ToUnixTimeMilliseconds() < ExpiresAt;
}

/// <summary>
/// The double opt-in of "email only" with a typed address (ADR 0030). The response's transaction stores the
/// confirmation (the token's keyed hash, never the token), asks Notices to email the link and tells Consent the
/// request is pending; following the link and pressing the button uses the row once and tells Consent it is confirmed.
/// </summary>
public sealed class EmailConfirmations(ResponsesDatabase database, PhoneNumberHasher hasher, PlatformOptions platform, ResponsesOptions options, TimeProvider time) : IEmailConfirmationStart
{
    public const string PathPrefix = "confirm-email/";
    private const int TokenBytes = 32;

    public async Task StartAsync(Transaction tx, ResponseLink link, Guid responseId, string email, string language, Requester requester, DateTimeOffset now, CancellationToken ct)
    {
        var confirmationId = Guid.NewGuid();
        var token = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(TokenBytes));
        var expiresAt = now.Add(options.EmailConfirmationLifetime);
        const string insert = """
            INSERT INTO email_confirmations (confirmation_id, token_hash, organization_id, contact_hash, email_hash, email, response_id, code, language,
                created_at, expires_at, confirmed_at)
            VALUES (@confirmationId, @tokenHash, @OrganizationId, @ContactHash, @emailHash, @email, @responseId, @Code, @language, @now, @expiresAt, NULL)
            """;
        await tx.Connection.ExecuteAsync(new CommandDefinition(insert, new
        {
            confirmationId = confirmationId.ToString(), tokenHash = TokenHash(token), link.OrganizationId, link.ContactHash, emailHash = hasher.HashEmail(email),
            email, responseId = responseId.ToString(), link.Code, language, now = now.ToUnixTimeMilliseconds(), expiresAt = expiresAt.ToUnixTimeMilliseconds(),
        }, tx.Inner, cancellationToken: ct));
        Outbox.Write(tx, new SendEmailConfirmation
        {
            RequestId = confirmationId, Email = email, OrganizationId = link.OrganizationId, LinkPath = PathPrefix + token, Language = language,
            ValidHours = (int)Math.Ceiling(options.EmailConfirmationLifetime.TotalHours),
        });
        Outbox.Write(tx, new EmailConsentRequested
        {
            ConfirmationId = confirmationId, ResponseId = responseId, OrganizationId = link.OrganizationId, ContactHash = link.ContactHash, Email = email,
            Code = link.Code, Language = language, Ip = requester.Ip, UserAgent = requester.UserAgent, RequestedAt = now, ExpiresAt = expiresAt,
        });
    }

    /// <summary>The confirmation a token names, used or not; null for a token that never was (or was erased).</summary>
    public async Task<PendingConfirmation?> FindAsync(string token, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        const string sql = """
            SELECT confirmation_id AS ConfirmationId, organization_id AS OrganizationId, code AS Code, email AS Email, language AS Language,
                   expires_at AS ExpiresAt, confirmed_at AS ConfirmedAt
            FROM email_confirmations WHERE token_hash = @tokenHash
            """;
        return await connection.QuerySingleOrDefaultAsync<PendingConfirmation>(new CommandDefinition(sql, new { tokenHash = TokenHash(token) }, cancellationToken: ct));
    }

    /// <summary>Uses the token: true once, while it has not expired; false for a used, expired or unknown one.</summary>
    public async Task<bool> ConfirmAsync(string token, Requester requester, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await using var tx = await database.BeginAsync(ct);
        const string find = """
            SELECT confirmation_id AS Item1, response_id AS Item2, organization_id AS Item3, contact_hash AS Item4, email AS Item5
            FROM email_confirmations WHERE token_hash = @tokenHash
            """;
        var tokenHash = TokenHash(token);
        var row = await tx.Connection.QuerySingleOrDefaultAsync<(string, string, string, string, string)?>(new CommandDefinition(find, new { tokenHash }, tx.Inner, cancellationToken: ct));
        // The update decides: of two presses at once, one finds the row still open.
        const string use = "UPDATE email_confirmations SET confirmed_at = @now WHERE token_hash = @tokenHash AND confirmed_at IS NULL AND expires_at > @now";
        if (row is not { } r || await tx.Connection.ExecuteAsync(new CommandDefinition(use, new { tokenHash, now = now.ToUnixTimeMilliseconds() }, tx.Inner, cancellationToken: ct)) != 1)
            return false;
        Outbox.Write(tx, new EmailConsentConfirmed
        {
            ConfirmationId = Guid.Parse(r.Item1), ResponseId = Guid.Parse(r.Item2), OrganizationId = r.Item3, ContactHash = r.Item4, Email = r.Item5,
            Ip = requester.Ip, UserAgent = requester.UserAgent, ConfirmedAt = now,
        });
        await tx.CommitAsync(ct);
        return true;
    }

    /// <summary>The confirmations' part of an erasure, by the number's hash or the address's.</summary>
    public static Task EraseAsync(Transaction tx, string contactHash) =>
        tx.Connection.ExecuteAsync("DELETE FROM email_confirmations WHERE contact_hash = @contactHash OR email_hash = @contactHash", new { contactHash }, tx.Inner);

    /// <summary>Keyed, so a copy of the table is no list of working links, and a token cannot be tested offline.</summary>
    private string TokenHash(string token) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(platform.HashKey!, Encoding.UTF8.GetBytes("email-confirmation:" + token)));
}
