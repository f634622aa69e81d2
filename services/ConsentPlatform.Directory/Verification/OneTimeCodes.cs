using System.Security.Cryptography;
using System.Text;
using ConsentPlatform.Contracts;
using ConsentPlatform.ServiceDefaults;
using ConsentPlatform.ServiceDefaults.Data;
using ConsentPlatform.ServiceDefaults.Messaging;
using ConsentPlatform.Telephony;
using Dapper;

namespace ConsentPlatform.Directory.Verification;

public static class CodePurposes
{
    public const string Verification = "directory_verification";
    public const string OptOut = "directory_opt_out";
}

public static class CodeMethods
{
    public const string Sms = "sms";
    public const string Call = "call";

    /// <summary>SMS where the line takes it; otherwise a call that reads the code out (landlines).</summary>
    public static string For(PhoneNumber number) => number.CanReceiveSms ? Sms : Call;
}

/// <summary>A code that was issued: the challenge to confirm against, and how the code travels.</summary>
public sealed record IssuedCode(Guid ChallengeId, string Method, DateTimeOffset ExpiresAt);

/// <summary>A code check: <see cref="CodeCheck.Kind"/> says what happened; failures left before the lock when wrong.</summary>
public sealed record CodeCheck(CodeCheckKind Kind, int AttemptsLeft = 0, DateTimeOffset? LockedUntil = null);

public enum CodeCheckKind { Accepted, Wrong, Locked, NoPendingCode }

/// <summary>
/// One-time codes for number verification and opt-out from an entry. Codes come from a CSPRNG and
/// are stored only as an HMAC bound to their challenge; the code itself leaves Directory only inside
/// the outbox command that delivers it (SMS through Notices, or a call for landlines). Wrong codes
/// are counted per target number, and <see cref="DirectoryOptions.MaxCodeFailures"/> of them lock
/// that number for <see cref="DirectoryOptions.LockDuration"/>; sends are capped per hour.
/// </summary>
public sealed class OneTimeCodes(PlatformOptions platform, DirectoryOptions options, TimeProvider time)
{
    private readonly byte[] _key = SHA256.HashData([.. "directory-one-time-codes:"u8, .. platform.HashKey ?? []]);

    public static string NewCode() => RandomNumberGenerator.GetInt32(0, 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The lock that still holds for <paramref name="target"/>, if any.</summary>
    public async Task<DateTimeOffset?> LockedUntilAsync(Transaction transaction, string target, CancellationToken cancellationToken)
    {
        const string sql = "SELECT locked_until FROM code_failures WHERE target = @target";
        var until = await transaction.Connection.ExecuteScalarAsync<long?>(new CommandDefinition(sql, new { target }, transaction.Inner, cancellationToken: cancellationToken));
        return until is { } ms && ms > time.GetUtcNow().ToUnixTimeMilliseconds() ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
    }

    /// <summary>How many codes went to this subject in the last hour (the send cap).</summary>
    public async Task<bool> SendCapReachedAsync(Transaction transaction, string purpose, string subject, CancellationToken cancellationToken)
    {
        const string sql = "SELECT COUNT(*) FROM code_challenges WHERE purpose = @purpose AND subject = @subject AND created_at > @since";
        var since = time.GetUtcNow().AddHours(-1).ToUnixTimeMilliseconds();
        var sent = await transaction.Connection.ExecuteScalarAsync<int>(new CommandDefinition(sql, new { purpose, subject, since }, transaction.Inner, cancellationToken: cancellationToken));
        return sent >= options.MaxCodesPerHour;
    }

    /// <summary>
    /// Records a new challenge (earlier open ones for the subject stop counting) and writes the
    /// command that delivers the code, in the caller's transaction.
    /// </summary>
    public async Task<IssuedCode> IssueAsync(Transaction transaction, string purpose, string subject, string organizationId, PhoneNumber number, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var challengeId = Guid.NewGuid();
        var code = NewCode();
        var method = CodeMethods.For(number);
        var expiresAt = now.Add(options.CodeLifetime);

        const string close = "UPDATE code_challenges SET completed_at = @now WHERE purpose = @purpose AND subject = @subject AND completed_at IS NULL";
        await transaction.Connection.ExecuteAsync(new CommandDefinition(close, new { purpose, subject, now = now.ToUnixTimeMilliseconds() }, transaction.Inner, cancellationToken: cancellationToken));
        const string insert = """
            INSERT INTO code_challenges (id, purpose, subject, organization_id, method, code_hash, created_at, expires_at, completed_at)
            VALUES (@id, @purpose, @subject, @organizationId, @method, @codeHash, @createdAt, @expiresAt, NULL)
            """;
        await transaction.Connection.ExecuteAsync(new CommandDefinition(insert, new
        {
            id = challengeId.ToString(), purpose, subject, organizationId, method,
            codeHash = HashCode(challengeId, code),
            createdAt = now.ToUnixTimeMilliseconds(), expiresAt = expiresAt.ToUnixTimeMilliseconds(),
        }, transaction.Inner, cancellationToken: cancellationToken));

        if (method == CodeMethods.Sms)
            Outbox.Write(transaction, new SendVerificationCode
            {
                RequestId = challengeId, PhoneNumber = number.E164, Code = code, Purpose = purpose, OrganizationId = organizationId,
                ValidMinutes = (int)options.CodeLifetime.TotalMinutes,
            });
        else
            Outbox.Write(transaction, new PlaceVerificationCall
            {
                RequestId = challengeId, PhoneNumber = number.E164, Code = code, Purpose = purpose, OrganizationId = organizationId,
            });
        return new IssuedCode(challengeId, method, expiresAt);
    }

    /// <summary>
    /// Checks <paramref name="code"/> against the open challenge <paramref name="challengeId"/> (or
    /// the subject's latest when null). A wrong code is counted against <paramref name="target"/>;
    /// the caller must commit even when the answer is <see cref="CodeCheckKind.Wrong"/>, so failures stick.
    /// </summary>
    public async Task<CodeCheck> CheckAsync(Transaction transaction, string purpose, string subject, Guid? challengeId, string target, string? code, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (await LockedUntilAsync(transaction, target, cancellationToken) is { } locked)
            return new CodeCheck(CodeCheckKind.Locked, LockedUntil: locked);

        const string open = """
            SELECT id, code_hash FROM code_challenges
            WHERE purpose = @purpose AND subject = @subject AND completed_at IS NULL AND expires_at > @now
              AND (@challengeId IS NULL OR id = @challengeId)
            ORDER BY created_at DESC
            """;
        var challenge = (await transaction.Connection.QueryAsync<(string Id, string CodeHash)>(new CommandDefinition(open, new
        {
            purpose, subject, now = now.ToUnixTimeMilliseconds(), challengeId = challengeId?.ToString(),
        }, transaction.Inner, cancellationToken: cancellationToken))).FirstOrDefault();
        if (challenge.Id is null) return new CodeCheck(CodeCheckKind.NoPendingCode);

        var normalized = Normalize(code);
        var presented = normalized is null ? "" : HashCode(Guid.Parse(challenge.Id), normalized);
        if (CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(presented.PadRight(challenge.CodeHash.Length)), Encoding.ASCII.GetBytes(challenge.CodeHash)))
        {
            const string complete = "UPDATE code_challenges SET completed_at = @now WHERE id = @id";
            await transaction.Connection.ExecuteAsync(new CommandDefinition(complete, new { id = challenge.Id, now = now.ToUnixTimeMilliseconds() }, transaction.Inner, cancellationToken: cancellationToken));
            const string reset = "DELETE FROM code_failures WHERE target = @target";
            await transaction.Connection.ExecuteAsync(new CommandDefinition(reset, new { target }, transaction.Inner, cancellationToken: cancellationToken));
            return new CodeCheck(CodeCheckKind.Accepted);
        }
        var failed = await RecordFailureAsync(transaction, target, now, cancellationToken);
        if (failed.Kind == CodeCheckKind.Locked) await VoidOpenAsync(transaction, purpose, subject, cancellationToken);
        return failed;
    }

    private async Task<CodeCheck> RecordFailureAsync(Transaction transaction, string target, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var insert = transaction.Database.Dialect.InsertIfAbsent(
            "code_failures",
            "target, failures, locked_until, updated_at",
            "@target, 0, NULL, @now",
            key: "target");
        const string count = "UPDATE code_failures SET failures = failures + 1, updated_at = @now WHERE target = @target";
        const string read = "SELECT failures FROM code_failures WHERE target = @target";
        var args = new { target, now = now.ToUnixTimeMilliseconds() };
        await transaction.Connection.ExecuteAsync(new CommandDefinition(insert, args, transaction.Inner, cancellationToken: cancellationToken));
        await transaction.Connection.ExecuteAsync(new CommandDefinition(count, args, transaction.Inner, cancellationToken: cancellationToken));
        var failures = await transaction.Connection.ExecuteScalarAsync<int>(new CommandDefinition(read, args, transaction.Inner, cancellationToken: cancellationToken));
        if (failures < options.MaxCodeFailures) return new CodeCheck(CodeCheckKind.Wrong, options.MaxCodeFailures - failures);

        // Locked: the count starts again when the lock ends; the caller voids the open codes, so
        // guessing cannot continue against a code issued before the lock.
        var until = now.Add(options.LockDuration);
        const string lockIt = "UPDATE code_failures SET failures = 0, locked_until = @until WHERE target = @target";
        await transaction.Connection.ExecuteAsync(new CommandDefinition(lockIt, new { target, until = until.ToUnixTimeMilliseconds() }, transaction.Inner, cancellationToken: cancellationToken));
        return new CodeCheck(CodeCheckKind.Locked, LockedUntil: until);
    }

    /// <summary>An open, unexpired challenge by id: what it is for and whom it concerns.</summary>
    public async Task<(string Subject, string OrganizationId)?> FindOpenAsync(Transaction transaction, string purpose, Guid challengeId, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT subject AS Subject, organization_id AS OrganizationId FROM code_challenges
            WHERE id = @id AND purpose = @purpose AND completed_at IS NULL AND expires_at > @now
            """;
        var row = await transaction.Connection.QuerySingleOrDefaultAsync<(string Subject, string OrganizationId)>(new CommandDefinition(sql, new
        {
            id = challengeId.ToString(), purpose, now = time.GetUtcNow().ToUnixTimeMilliseconds(),
        }, transaction.Inner, cancellationToken: cancellationToken));
        return row.Subject is null ? null : row;
    }

    /// <summary>Codes' part of an erasure: the challenges about the contact and the failures counted against it go.</summary>
    public static async Task EraseAsync(Transaction transaction, string subject, string target, CancellationToken cancellationToken)
    {
        await transaction.Connection.ExecuteAsync(new CommandDefinition("DELETE FROM code_challenges WHERE subject = @subject", new { subject },
            transaction.Inner, cancellationToken: cancellationToken));
        await transaction.Connection.ExecuteAsync(new CommandDefinition("DELETE FROM code_failures WHERE target = @target", new { target },
            transaction.Inner, cancellationToken: cancellationToken));
    }

    /// <summary>Voids every open challenge of a subject (after a lock).</summary>
    public async Task VoidOpenAsync(Transaction transaction, string purpose, string subject, CancellationToken cancellationToken)
    {
        const string sql = "UPDATE code_challenges SET completed_at = @now WHERE purpose = @purpose AND subject = @subject AND completed_at IS NULL";
        await transaction.Connection.ExecuteAsync(new CommandDefinition(sql, new { purpose, subject, now = time.GetUtcNow().ToUnixTimeMilliseconds() }, transaction.Inner, cancellationToken: cancellationToken));
    }

    /// <summary>Digits only, full-width accepted ("１２３ ４５６" is what a phone keyboard may give); null when not 6 digits.</summary>
    public static string? Normalize(string? code)
    {
        if (code is null || code.Length > 32) return null;
        var digits = new StringBuilder(6);
        foreach (var c in code)
        {
            if (c is >= '0' and <= '9') digits.Append(c);
            else if (c is >= '０' and <= '９') digits.Append((char)('0' + (c - '０')));
            else if (c is not (' ' or '-' or '　')) return null;
        }
        return digits.Length == 6 ? digits.ToString() : null;
    }

    private string HashCode(Guid challengeId, string code) =>
        Convert.ToBase64String(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes($"{challengeId:N}:{code}")));
}
