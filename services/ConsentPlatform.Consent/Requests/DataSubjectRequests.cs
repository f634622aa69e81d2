using System.Security.Cryptography;
using System.Text;
using ConsentPlatform.Consent.Gate;
using ConsentPlatform.Consent.Ledger;
using ConsentPlatform.Consent.Suppression;
using ConsentPlatform.Contracts;
using ConsentPlatform.ServiceDefaults.Messaging;
using ConsentPlatform.ServiceDefaults.Recipients;
using ConsentPlatform.Telephony;
using Dapper;

namespace ConsentPlatform.Consent.Requests;

public sealed record RequestView(string RequestId, string Kind, string Status, DateTimeOffset CreatedAt, DateTimeOffset DueAt, DateTimeOffset? CompletedAt);

/// <summary>
/// Stop-use, erasure and stop-third-party-provision requests (R31-R32), by phone number or by email. Identity is checked by a
/// one-time code that Notices sends to that number or address (SendVerificationCode through the
/// outbox); until it is entered the request waits as pending_verification. Carrying out an erasure
/// deletes the person's ledger rows here, keeps a keyed-hash suppression entry (reason erased) for
/// the contact and, by email, for every number given with that email, so they are never contacted
/// again, and asks the other services to erase too (one ErasureRequested per contact). Stopping
/// third-party provision withdraws only the person's grants to share with named recipients; what they
/// agreed to be contacted by stays as it was.
/// </summary>
public sealed class DataSubjectRequests(ConsentDatabase database, SuppressionStore suppressions, LedgerStore ledger,
    PhoneNumberHasher hasher, RecipientLimit recipients, ConsentOptions options, TimeProvider time, ILogger<DataSubjectRequests> logger)
{
    public const string StopUse = "stop_use";
    public const string Erasure = "erasure";
    public const string StopThirdParty = "stop_third_party_provision";
    public static readonly IReadOnlyList<string> Kinds = [Erasure, StopUse, StopThirdParty];
    public const string Pending = "pending_verification";
    public const string Completed = "completed";
    public const string Failed = "failed";
    public const int MaxAttempts = 5;
    private static readonly TimeSpan CodeLifetime = TimeSpan.FromMinutes(30);
    // JP: without delay (a number of days the operator sets); EU: one month. Consent:RequestDeadlineDays.
    private TimeSpan Deadline => TimeSpan.FromDays(options.RequestDeadlineDays);

    public const string ByPhone = "phone";
    public const string ByEmail = "email";

    /// <summary>A request opened (View), or, when the contact has had its share of codes for now, none and how long to wait.</summary>
    public sealed record Opened(RequestView? View, TimeSpan RetryAfter);

    /// <summary>Opens a request for a checked input, by email or by number.</summary>
    public Task<Opened> OpenAsync(RequestInput input, CancellationToken cancellationToken) =>
        input.ByEmail ? OpenByEmailAsync(input.Kind, input.Email!, cancellationToken) : OpenAsync(input.Kind, input.Number, cancellationToken);

    public Task<Opened> OpenAsync(string kind, PhoneNumber number, CancellationToken cancellationToken) =>
        OpenAsync(kind, ByPhone, number.E164, hasher.Hash(number), cancellationToken);

    /// <summary>A request by email: the code goes to the address; the ledger is matched by the email's keyed hash.</summary>
    public Task<Opened> OpenByEmailAsync(string kind, string email, CancellationToken cancellationToken)
    {
        var normalized = PhoneNumberHasher.NormalizeEmail(email);
        return OpenAsync(kind, ByEmail, normalized, hasher.HashEmail(normalized), cancellationToken);
    }

    private async Task<Opened> OpenAsync(string kind, string contactKind, string contact, string contactHash, CancellationToken cancellationToken)
    {
        var id = "dsr_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(10));
        var code = RandomNumberGenerator.GetInt32(0, 1_000_000).ToString("D6");
        var now = time.GetUtcNow();
        await using var transaction = await database.BeginAsync(cancellationToken);
        if (await recipients.TryTakeAsync(transaction, contactHash, cancellationToken) is { } wait)
        {
            logger.LogInformation("Data-subject request (by {ContactKind}) refused: the contact's code limit is reached", contactKind);
            return new Opened(null, wait);
        }
        const string sql = """
            INSERT INTO data_subject_requests (id, kind, contact_kind, contact_hash, contact, code_hash, attempts, status, created_at, code_expires_at, due_at)
            VALUES (@id, @kind, @contactKind, @contactHash, @contact, @codeHash, 0, @status, @now, @codeExpires, @due)
            """;
        await transaction.Connection.ExecuteAsync(new CommandDefinition(sql, new
        {
            id, kind, contactKind, contactHash, contact, codeHash = CodeHash(id, code), status = Pending,
            now = now.ToUnixTimeMilliseconds(), codeExpires = (now + CodeLifetime).ToUnixTimeMilliseconds(), due = (now + Deadline).ToUnixTimeMilliseconds(),
        }, transaction.Inner, cancellationToken: cancellationToken));
        var command = contactKind == ByEmail
            ? new SendVerificationCode { RequestId = Guid.NewGuid(), Email = contact, Code = code, Purpose = "dsr", ValidMinutes = (int)CodeLifetime.TotalMinutes }
            : new SendVerificationCode { RequestId = Guid.NewGuid(), PhoneNumber = contact, Code = code, Purpose = "dsr", ValidMinutes = (int)CodeLifetime.TotalMinutes };
        Outbox.Write(transaction, command);
        await RequestActions.WriteAsync(transaction, id, now, RequestActions.Received, contactKind, cancellationToken: cancellationToken);
        await RequestActions.LinkOrganizationsAsync(transaction, id, contactHash, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        logger.LogInformation("Data-subject request {RequestId} ({Kind}, by {ContactKind}) opened, pending verification", id, kind, contactKind);
        return new Opened(new RequestView(id, kind, Pending, now, now + Deadline, null), TimeSpan.Zero);
    }

    private sealed record Row(string Id, string Kind, string? ContactKind, string ContactHash, string CodeHash, long Attempts, string Status, long CreatedAt, long CodeExpiresAt, long DueAt, long? CompletedAt)
    {
        public RequestView View() => new(Id, Kind, Status, DateTimeOffset.FromUnixTimeMilliseconds(CreatedAt), DateTimeOffset.FromUnixTimeMilliseconds(DueAt),
            CompletedAt is { } c ? DateTimeOffset.FromUnixTimeMilliseconds(c) : null);
    }

    private const string Columns = """
        id AS Id, kind AS Kind, contact_kind AS ContactKind, contact_hash AS ContactHash, code_hash AS CodeHash, attempts AS Attempts, status AS Status, created_at AS CreatedAt,
        code_expires_at AS CodeExpiresAt, due_at AS DueAt, completed_at AS CompletedAt
        """;

    public async Task<RequestView?> FindAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition($"SELECT {Columns} FROM data_subject_requests WHERE id = @id", new { id }, cancellationToken: cancellationToken)))?.View();
    }

    /// <summary>Why a code was not accepted; each surface says it in its own words.</summary>
    public enum Refusal { None, NotPending, ExpiredOrTooManyAttempts, WrongCode }

    /// <summary>Checks the code and, when it matches, carries the request out. Null view when not found.</summary>
    public async Task<(RequestView? View, Refusal Refusal)> VerifyAsync(string id, string code, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        IReadOnlyList<LedgerRow> withdrawn = [];
        IReadOnlyList<string> erasedHashes = [];
        Row? row;
        await using (var transaction = await database.BeginAsync(cancellationToken))
        {
            row = await transaction.Connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition($"SELECT {Columns} FROM data_subject_requests WHERE id = @id", new { id },
                transaction.Inner, cancellationToken: cancellationToken));
            if (row is null) return (null, Refusal.None);
            if (row.Status != Pending) return (row.View(), row.Status == Completed ? Refusal.None : Refusal.NotPending);
            if (row.CodeExpiresAt < now.ToUnixTimeMilliseconds() || row.Attempts >= MaxAttempts)
            {
                await SetStatusAsync(transaction, id, Failed, null, cancellationToken);
                await RequestActions.WriteAsync(transaction, id, now, RequestActions.Failed, row.Attempts >= MaxAttempts ? "too_many_attempts" : "code_expired", cancellationToken: cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                return (row.View() with { Status = Failed }, Refusal.ExpiredOrTooManyAttempts);
            }
            if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(CodeHash(id, code.Trim())), Encoding.ASCII.GetBytes(row.CodeHash)))
            {
                await transaction.Connection.ExecuteAsync(new CommandDefinition("UPDATE data_subject_requests SET attempts = attempts + 1 WHERE id = @id", new { id },
                    transaction.Inner, cancellationToken: cancellationToken));
                await transaction.CommitAsync(cancellationToken);
                return (row.View(), Refusal.WrongCode);
            }

            var hashes = await ContactHashesAsync(transaction, row, cancellationToken);
            await RequestActions.WriteAsync(transaction, id, now, RequestActions.Verified, $"{hashes.Count}", cancellationToken: cancellationToken);
            if (row.Kind == StopThirdParty)
            {
                // Provision to others stops; the person's own choices about being contacted do not change.
                withdrawn = await ledger.WithdrawAsync(transaction, hashes, null, [LedgerRow.ShareChannel], null, "dsr_" + row.Kind, now, cancellationToken);
            }
            else
            {
                var reason = row.Kind == Erasure ? ReasonCodes.Erased : ReasonCodes.OptedOut;
                var suppressed = 0;
                foreach (var hash in hashes)
                    suppressed += (await suppressions.SuppressAsync(transaction, new SuppressionRequest(hash, null, [], null, reason, "dsr_" + row.Kind, null, now), cancellationToken)).Count;
                await RequestActions.WriteAsync(transaction, id, now, RequestActions.Suppressed, $"{suppressed}", cancellationToken: cancellationToken);
            }
            if (row.Kind == Erasure)
            {
                var erased = await ledger.EraseAsync(transaction, hashes, cancellationToken);
                await RequestActions.WriteAsync(transaction, id, now, RequestActions.Erased, $"{erased}", cancellationToken: cancellationToken);
                foreach (var hash in hashes)
                {
                    var erasure = new ErasureRequested { RequestId = Guid.NewGuid(), ContactHash = hash, RequestedAt = now };
                    Outbox.Write(transaction, erasure);
                    await RequestActions.WriteAsync(transaction, id, now, RequestActions.ErasureRequested, null, erasure.RequestId, cancellationToken);
                }
                erasedHashes = hashes;
                logger.LogInformation("Data-subject request {RequestId}: {Rows} ledger rows erased for {Contacts} contacts", id, erased, hashes.Count);
            }
            else if (row.Kind == StopUse)
            {
                withdrawn = await ledger.WithdrawAsync(transaction, hashes, null, [], null, "dsr_stop_use", now, cancellationToken);
            }
            if (withdrawn.Count > 0) await RequestActions.WriteAsync(transaction, id, now, RequestActions.Withdrawn, $"{withdrawn.Count}", cancellationToken: cancellationToken);
            await SetStatusAsync(transaction, id, Completed, now, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        if (erasedHashes.Count > 0) await database.ForgetErasedAsync(cancellationToken);
        return (row.View() with { Status = Completed, CompletedAt = now }, Refusal.None);
    }

    /// <summary>
    /// The contacts a verified request covers: the number, or the email and every number given with it
    /// in the ledger (the person named those numbers in the same submission as the address they proved).
    /// </summary>
    private static async Task<IReadOnlyList<string>> ContactHashesAsync(ServiceDefaults.Data.Transaction transaction, Row row, CancellationToken cancellationToken)
    {
        if (row.ContactKind != ByEmail) return [row.ContactHash];
        var numbers = await LedgerStore.NumbersGivenWithEmailAsync(transaction, row.ContactHash, cancellationToken);
        return [row.ContactHash, .. numbers.Where(n => n != row.ContactHash)];
    }

    private static async Task SetStatusAsync(ServiceDefaults.Data.Transaction transaction, string id, string status, DateTimeOffset? completedAt, CancellationToken cancellationToken)
    {
        // Once carried out, the number itself is no longer needed here: only its keyed hash stays.
        const string sql = "UPDATE data_subject_requests SET status = @status, completed_at = @completedAt, contact = NULL WHERE id = @id";
        await transaction.Connection.ExecuteAsync(new CommandDefinition(sql, new { id, status, completedAt = completedAt?.ToUnixTimeMilliseconds() },
            transaction.Inner, cancellationToken: cancellationToken));
    }

    private static string CodeHash(string id, string code) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id + ":" + code)));
}
