using System.Security.Cryptography;
using System.Text;
using ConsentPlatform.Contracts;
using ConsentPlatform.Responses.Links;
using ConsentPlatform.ServiceDefaults.Messaging;
using ConsentPlatform.ServiceDefaults.Recipients;
using ConsentPlatform.Telephony;
using Dapper;

namespace ConsentPlatform.Responses.ResponseForm;

/// <summary>
/// The opt-out for people without a working link: they prove they hold the number with a
/// one-time code sent to it (Notices sends it), then every organization that reached that number
/// through this service gets an OptOutRequested. Codes are stored only as hashes.
/// </summary>
public sealed class GenericOptOut(ResponsesDatabase database, LinkStore links, PhoneNumberHasher hasher, RecipientLimit recipients, TimeProvider time,
    ILogger<GenericOptOut> logger)
{
    public const string Purpose = "responses_opt_out";
    public static readonly TimeSpan CodeLifetime = TimeSpan.FromMinutes(10);
    public const int MaxAttempts = 5;

    /// <summary>The challenge whose code went out, or none and how long until the number may have another.</summary>
    public async Task<(Guid? ChallengeId, TimeSpan RetryAfter)> StartAsync(PhoneNumber number, string language, CancellationToken ct)
    {
        var challengeId = Guid.NewGuid();
        var code = RandomNumberGenerator.GetInt32(0, 1_000_000).ToString("D6");
        var now = time.GetUtcNow();
        var contactHash = hasher.Hash(number);
        await using var tx = await database.BeginAsync(ct);
        if (await recipients.TryTakeAsync(tx, contactHash, ct) is { } wait)
        {
            logger.LogInformation("Generic opt-out code not sent: the number's code limit is reached");
            return (null, wait);
        }
        const string sql = """
            INSERT INTO opt_out_challenges (challenge_id, contact_hash, code_hash, attempts, expires_at, created_at)
            VALUES (@challengeId, @contactHash, @codeHash, 0, @expiresAt, @now)
            """;
        await tx.Connection.ExecuteAsync(new CommandDefinition(sql, new
        {
            challengeId = challengeId.ToString(), contactHash, codeHash = HashCode(challengeId, code),
            expiresAt = now.Add(CodeLifetime).ToUnixTimeMilliseconds(), now = now.ToUnixTimeMilliseconds(),
        }, tx.Inner, cancellationToken: ct));
        Outbox.Write(tx, new SendVerificationCode
        {
            RequestId = challengeId, PhoneNumber = number.E164, Code = code, Purpose = Purpose, Language = language, ValidMinutes = (int)CodeLifetime.TotalMinutes,
        });
        await tx.CommitAsync(ct);
        logger.LogInformation("Generic opt-out challenge {ChallengeId} started", challengeId);
        return (challengeId, TimeSpan.Zero);
    }

    public enum Outcome { WrongCode, Expired, Stopped, NothingToStop }

    public async Task<Outcome> ConfirmAsync(Guid challengeId, string code, CancellationToken ct)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        await using var tx = await database.BeginAsync(ct);
        const string find = """
            SELECT contact_hash, code_hash, attempts, expires_at, used_at FROM opt_out_challenges WHERE challenge_id = @id
            """;
        var row = await tx.Connection.QuerySingleOrDefaultAsync<(string ContactHash, string CodeHash, long Attempts, long ExpiresAt, long? UsedAt)>(
            new CommandDefinition(find, new { id = challengeId.ToString() }, tx.Inner, cancellationToken: ct));
        if (row.ContactHash is null || row.UsedAt is not null || row.ExpiresAt < now || row.Attempts >= MaxAttempts) return Outcome.Expired;

        var expected = Encoding.ASCII.GetBytes(row.CodeHash);
        if (!CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(HashCode(challengeId, code.Trim()))))
        {
            const string count = "UPDATE opt_out_challenges SET attempts = attempts + 1 WHERE challenge_id = @id";
            await tx.Connection.ExecuteAsync(new CommandDefinition(count, new { id = challengeId.ToString() }, tx.Inner, cancellationToken: ct));
            await tx.CommitAsync(ct);
            return Outcome.WrongCode;
        }

        const string use = "UPDATE opt_out_challenges SET used_at = @now WHERE challenge_id = @id AND used_at IS NULL";
        await tx.Connection.ExecuteAsync(new CommandDefinition(use, new { id = challengeId.ToString(), now }, tx.Inner, cancellationToken: ct));
        var organizations = await links.OrganizationsForContactAsync([row.ContactHash], ct);
        foreach (var organizationId in organizations)
        {
            Outbox.Write(tx, new OptOutRequested
            {
                RequestId = Guid.NewGuid(), ContactHash = row.ContactHash, OrganizationId = organizationId, Channels = [],
                Source = "responses", RequestedAt = time.GetUtcNow(),
            });
        }
        await tx.CommitAsync(ct);
        logger.LogInformation("Generic opt-out {ChallengeId} confirmed for {Count} organizations", challengeId, organizations.Count);
        return organizations.Count > 0 ? Outcome.Stopped : Outcome.NothingToStop;
    }

    private static string HashCode(Guid challengeId, string code) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{challengeId:N}:{code}")));
}
