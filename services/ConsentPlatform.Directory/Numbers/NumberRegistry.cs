using System.Text.Json;
using ConsentPlatform.Contracts;
using ConsentPlatform.Directory.Organizations;
using ConsentPlatform.Directory.Verification;
using ConsentPlatform.ServiceDefaults.Data;
using ConsentPlatform.ServiceDefaults.Messaging;

namespace ConsentPlatform.Directory.Numbers;

public enum NumberOutcomeKind
{
    Ok, Invalid, NotFound, NoProfile, AlreadyAdded, NotPending, PublishedElsewhere, Locked, SendCapReached, NoPendingCode, WrongCode, NotLive,
}

/// <summary>What an operation on a caller number came to; the endpoints and pages turn it into HTTP.</summary>
public sealed record NumberOutcome(NumberOutcomeKind Kind)
{
    public CallerNumber? Number { get; init; }
    public Dictionary<string, string[]>? Errors { get; init; }
    public VerificationStarted? Verification { get; init; }
    public int AttemptsLeft { get; init; }
    public DateTimeOffset? LockedUntil { get; init; }

    public string Describe() => Kind switch
    {
        NumberOutcomeKind.NotFound => "No such number in this organization.",
        NumberOutcomeKind.NoProfile => "Publish the organization profile first: a published number shows who is calling.",
        NumberOutcomeKind.AlreadyAdded => "This number is already in the organization's list.",
        NumberOutcomeKind.NotPending => "This number is not waiting for verification.",
        NumberOutcomeKind.PublishedElsewhere => "Another organization publishes this number; it must withdraw it first.",
        NumberOutcomeKind.Locked => $"Too many wrong codes: verification of this number is locked until {LockedUntil:u}.",
        NumberOutcomeKind.SendCapReached => "Too many codes were sent to this number in the last hour; try again later.",
        NumberOutcomeKind.NoPendingCode => "No code is waiting for this number (none sent, expired, or already used); request a new one.",
        NumberOutcomeKind.WrongCode => $"The code is wrong. {AttemptsLeft} attempt(s) left before verification of this number is locked.",
        NumberOutcomeKind.NotLive => "This number is already withdrawn or expired.",
        _ => Kind.ToString(),
    };
}

/// <summary>
/// Adds, verifies and withdraws an organization's caller numbers. Every state change and the
/// message announcing it commit together (outbox); the public snapshot is refreshed after commit.
/// </summary>
public sealed class NumberRegistry(DirectoryDatabase database, OneTimeCodes codes, IPublishedView published, TimeProvider time, ILogger<NumberRegistry> logger)
{
    public async Task<NumberOutcome> AddAsync(string organizationId, CallerNumberInput input, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var errors = input.Validate(now, out var phone);
        if (errors.Count > 0) return new NumberOutcome(NumberOutcomeKind.Invalid) { Errors = errors };

        await using var transaction = await database.BeginAsync(cancellationToken);
        if (await DirectoryProfiles.FindAsync(transaction.Connection, transaction.Inner, organizationId, cancellationToken) is null)
            return new NumberOutcome(NumberOutcomeKind.NoProfile);
        if (await CallerNumberStore.IsLiveAsync(transaction, organizationId, phone.E164, cancellationToken))
            return new NumberOutcome(NumberOutcomeKind.AlreadyAdded);

        var number = new CallerNumber
        {
            Id = Guid.NewGuid(), OrganizationId = organizationId, E164 = phone.E164,
            NumberType = JsonNamingPolicy.SnakeCaseLower.ConvertName(phone.Type.ToString()),
            Department = string.IsNullOrWhiteSpace(input.Department) ? null : input.Department.Trim(),
            Purposes = input.CleanPurposes(),
            HoursStart = CallerNumberInput.ParseTime(input.CallingHoursStart)!.Value.ToString("HH:mm"),
            HoursEnd = CallerNumberInput.ParseTime(input.CallingHoursEnd)!.Value.ToString("HH:mm"),
            ValidFrom = input.ValidFrom, ValidUntil = input.ValidUntil,
            Status = NumberStatus.Pending, CreatedAt = now, UpdatedAt = now,
        };
        await CallerNumberStore.InsertAsync(transaction, number, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        logger.LogInformation("Caller number {CallerNumberId} added by {OrganizationId}", number.Id, organizationId);
        return new NumberOutcome(NumberOutcomeKind.Ok) { Number = number };
    }

    /// <summary>Sends a code to the number (SMS through Notices, or a call for a landline).</summary>
    public async Task<NumberOutcome> StartVerificationAsync(string organizationId, Guid id, CancellationToken cancellationToken)
    {
        await using var transaction = await database.BeginAsync(cancellationToken);
        var number = await CallerNumberStore.FindAsync(transaction.Connection, transaction.Inner, organizationId, id, cancellationToken);
        if (number is null) return new NumberOutcome(NumberOutcomeKind.NotFound);
        if (number.Status != NumberStatus.Pending) return new NumberOutcome(NumberOutcomeKind.NotPending) { Number = number };
        if (await codes.LockedUntilAsync(transaction, LockTarget(number), cancellationToken) is { } locked)
            return new NumberOutcome(NumberOutcomeKind.Locked) { Number = number, LockedUntil = locked };
        if (await codes.SendCapReachedAsync(transaction, CodePurposes.Verification, Subject(number), cancellationToken))
            return new NumberOutcome(NumberOutcomeKind.SendCapReached) { Number = number };

        var issued = await codes.IssueAsync(transaction, CodePurposes.Verification, Subject(number), organizationId, number.Number, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        logger.LogInformation("Verification code for caller number {CallerNumberId} sent by {Method}", id, issued.Method);
        return new NumberOutcome(NumberOutcomeKind.Ok) { Number = number, Verification = new VerificationStarted(id, issued.ChallengeId, issued.Method, issued.ExpiresAt) };
    }

    /// <summary>Checks the code; a right one verifies the number and publishes it when its validity has begun.</summary>
    public async Task<NumberOutcome> ConfirmAsync(string organizationId, Guid id, string? code, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        NumberOutcome outcome;
        await using (var transaction = await database.BeginAsync(cancellationToken))
        {
            var number = await CallerNumberStore.FindAsync(transaction.Connection, transaction.Inner, organizationId, id, cancellationToken);
            if (number is null) return new NumberOutcome(NumberOutcomeKind.NotFound);
            if (number.Status != NumberStatus.Pending) return new NumberOutcome(NumberOutcomeKind.NotPending) { Number = number };

            var check = await codes.CheckAsync(transaction, CodePurposes.Verification, Subject(number), null, LockTarget(number), code, cancellationToken);
            outcome = check.Kind switch
            {
                CodeCheckKind.Accepted => await VerifiedAsync(transaction, number, now, cancellationToken),
                CodeCheckKind.Wrong => new NumberOutcome(NumberOutcomeKind.WrongCode) { Number = number, AttemptsLeft = check.AttemptsLeft },
                CodeCheckKind.Locked => new NumberOutcome(NumberOutcomeKind.Locked) { Number = number, LockedUntil = check.LockedUntil },
                _ => new NumberOutcome(NumberOutcomeKind.NoPendingCode) { Number = number },
            };
            if (outcome.Kind == NumberOutcomeKind.PublishedElsewhere) return outcome; // rolled back: the code stays usable
            // Committed whatever the answer: a wrong code must count even though the request fails.
            await transaction.CommitAsync(cancellationToken);
        }

        logger.LogInformation("Verification of caller number {CallerNumberId}: {Outcome}", id, outcome.Kind);
        if (outcome.Kind == NumberOutcomeKind.Ok) await published.RefreshAsync(cancellationToken);
        return outcome;
    }

    private async Task<NumberOutcome> VerifiedAsync(Transaction transaction, CallerNumber number, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var active = number.ValidFrom is not { } from || from <= now;
        if (active && await CallerNumberStore.IsPublishedElsewhereAsync(transaction, number.OrganizationId, number.E164, cancellationToken))
            return new NumberOutcome(NumberOutcomeKind.PublishedElsewhere) { Number = number };

        await CallerNumberStore.TransitionAsync(transaction, number.Id, NumberStatus.Pending, active ? NumberStatus.Published : NumberStatus.Verified, now, now, cancellationToken);
        if (active) AnnouncePublished(transaction, number, now);
        var updated = await CallerNumberStore.FindAsync(transaction.Connection, transaction.Inner, number.OrganizationId, number.Id, cancellationToken);
        return new NumberOutcome(NumberOutcomeKind.Ok) { Number = updated };
    }

    public async Task<NumberOutcome> WithdrawAsync(string organizationId, Guid id, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using (var transaction = await database.BeginAsync(cancellationToken))
        {
            var number = await CallerNumberStore.FindAsync(transaction.Connection, transaction.Inner, organizationId, id, cancellationToken);
            if (number is null) return new NumberOutcome(NumberOutcomeKind.NotFound);
            if (!number.IsLive) return new NumberOutcome(NumberOutcomeKind.NotLive) { Number = number };
            if (!await CallerNumberStore.TransitionAsync(transaction, id, number.Status, NumberStatus.Withdrawn, now, null, cancellationToken))
                return new NumberOutcome(NumberOutcomeKind.NotLive) { Number = number };
            if (number.Status == NumberStatus.Published) AnnounceWithdrawn(transaction, number, now);
            await codes.VoidOpenAsync(transaction, CodePurposes.Verification, Subject(number), cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        logger.LogInformation("Caller number {CallerNumberId} withdrawn by {OrganizationId}", id, organizationId);
        await published.RefreshAsync(cancellationToken);
        var withdrawn = await FindAsync(organizationId, id, cancellationToken);
        return new NumberOutcome(NumberOutcomeKind.Ok) { Number = withdrawn };
    }

    /// <summary>
    /// Applies the validity windows: publishes verified numbers whose validity has begun and
    /// expires published ones whose validity has ended. Each row moves at most once, even with
    /// several instances running (the transition checks the old status).
    /// </summary>
    public async Task<int> ApplyValidityAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var changed = 0;
        await using (var transaction = await database.BeginAsync(cancellationToken))
        {
            foreach (var number in await CallerNumberStore.ListDueAsync(transaction, now, cancellationToken))
            {
                if (number.ValidUntil is { } until && until <= now)
                {
                    if (!await CallerNumberStore.TransitionAsync(transaction, number.Id, number.Status, NumberStatus.Expired, now, null, cancellationToken)) continue;
                    if (number.Status == NumberStatus.Published) AnnounceWithdrawn(transaction, number, now);
                }
                else
                {
                    // Another organization still publishing the number keeps this one waiting.
                    if (await CallerNumberStore.IsPublishedElsewhereAsync(transaction, number.OrganizationId, number.E164, cancellationToken)) continue;
                    if (!await CallerNumberStore.TransitionAsync(transaction, number.Id, NumberStatus.Verified, NumberStatus.Published, now, null, cancellationToken)) continue;
                    AnnouncePublished(transaction, number, now);
                }
                changed++;
            }
            await transaction.CommitAsync(cancellationToken);
        }
        if (changed > 0) logger.LogInformation("{Count} caller numbers changed with their validity", changed);
        return changed;
    }

    public async Task<CallerNumber?> FindAsync(string organizationId, Guid id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await CallerNumberStore.FindAsync(connection, null, organizationId, id, cancellationToken);
    }

    private static void AnnouncePublished(Transaction transaction, CallerNumber number, DateTimeOffset now) =>
        Outbox.Write(transaction, new CallerNumberPublished
        {
            OrganizationId = number.OrganizationId, CallerNumberId = number.Id, PhoneNumber = number.E164, Department = number.Department, PublishedAt = now,
        });

    private static void AnnounceWithdrawn(Transaction transaction, CallerNumber number, DateTimeOffset now) =>
        Outbox.Write(transaction, new CallerNumberWithdrawn
        {
            OrganizationId = number.OrganizationId, CallerNumberId = number.Id, PhoneNumber = number.E164, WithdrawnAt = now,
        });

    private static string Subject(CallerNumber number) => number.Id.ToString();

    /// <summary>Wrong codes count per organization and number, so re-adding the number does not reset them.</summary>
    private static string LockTarget(CallerNumber number) => $"verify:{number.OrganizationId}:{number.E164}";
}
