using ConsentPlatform.Contracts;
using ConsentPlatform.Directory.Published;
using ConsentPlatform.Directory.Verification;
using ConsentPlatform.ServiceDefaults.Messaging;
using ConsentPlatform.ServiceDefaults.Recipients;
using ConsentPlatform.Telephony;

namespace ConsentPlatform.Directory.OptOut;

public enum OptOutOutcomeKind { CodeSent, Invalid, Locked, SendCapReached, OptedOut, NoPendingCode, WrongCode }

public sealed record OptOutOutcome(OptOutOutcomeKind Kind)
{
    public Dictionary<string, string[]>? Errors { get; init; }
    public IssuedCode? Code { get; init; }
    public string? OrganizationName { get; init; }
    public int AttemptsLeft { get; init; }
    public DateTimeOffset? LockedUntil { get; init; }

    public string Describe() => Kind switch
    {
        OptOutOutcomeKind.Locked => $"Too many wrong codes for this number; try again after {LockedUntil:u}.",
        OptOutOutcomeKind.SendCapReached => "Too many codes were sent to this number; try again later.",
        OptOutOutcomeKind.NoPendingCode => "This code request is unknown, expired or already used; start again from the entry.",
        OptOutOutcomeKind.WrongCode => $"The code is wrong. {AttemptsLeft} attempt(s) left.",
        _ => Kind.ToString(),
    };
}

/// <summary>
/// "Stop calls from this company" from a directory entry (R30). The person proves the number is
/// theirs with a one-time code sent to it; then Directory asks Consent to suppress that number for
/// the organization on every channel (<see cref="OptOutRequested"/>, Source "directory"). Only the
/// keyed hash of the person's number is stored here; the number itself travels only in the
/// command that delivers the code.
/// </summary>
public sealed class EntryOptOut(DirectoryDatabase database, OneTimeCodes codes, PublishedDirectory published, PhoneNumberHasher hasher,
    RecipientLimit recipients, TimeProvider time, ILogger<EntryOptOut> logger)
{
    public const string Source = "directory";

    public async Task<OptOutOutcome> StartAsync(string? callerNumber, string? phoneNumber, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var snapshot = await published.GetAsync(cancellationToken);
        var caller = PhoneNumbers.Parse(callerNumber);
        PublishedNumber? entry = null;
        if (!caller.IsValid) errors["callerNumber"] = [$"The caller's number is not valid: {caller.ErrorMessage}"];
        else if ((entry = snapshot.Find(caller.Number.E164, time.GetUtcNow())) is null) errors["callerNumber"] = ["This number is not registered in the directory."];
        var own = PhoneNumbers.Parse(phoneNumber);
        if (!own.IsValid) errors["phoneNumber"] = [$"Your phone number is not valid: {own.ErrorMessage}"];
        if (errors.Count > 0) return new OptOutOutcome(OptOutOutcomeKind.Invalid) { Errors = errors };

        var contactHash = hasher.Hash(own.Number);
        await using var transaction = await database.BeginAsync(cancellationToken);
        if (await codes.LockedUntilAsync(transaction, LockTarget(contactHash), cancellationToken) is { } locked)
            return new OptOutOutcome(OptOutOutcomeKind.Locked) { LockedUntil = locked };
        // The platform's per-recipient cap, not Directory's per-number verification cap: a person's
        // number gets the same few codes an hour whichever public form asked for them.
        if (await recipients.TryTakeAsync(transaction, contactHash, cancellationToken) is { } wait)
            return new OptOutOutcome(OptOutOutcomeKind.SendCapReached) { LockedUntil = time.GetUtcNow() + wait };
        var issued = await codes.IssueAsync(transaction, CodePurposes.OptOut, contactHash, entry!.Organization.Id, own.Number, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        logger.LogInformation("Opt-out code {RequestId} sent by {Method} for organization {OrganizationId}", issued.ChallengeId, issued.Method, entry.Organization.Id);
        return new OptOutOutcome(OptOutOutcomeKind.CodeSent) { Code = issued, OrganizationName = entry.Organization.Profile.LegalName };
    }

    public async Task<OptOutOutcome> ConfirmAsync(Guid requestId, string? code, CancellationToken cancellationToken)
    {
        await using var transaction = await database.BeginAsync(cancellationToken);
        var challenge = await codes.FindOpenAsync(transaction, CodePurposes.OptOut, requestId, cancellationToken);
        if (challenge is null) return new OptOutOutcome(OptOutOutcomeKind.NoPendingCode);
        var (contactHash, organizationId) = challenge.Value;

        var check = await codes.CheckAsync(transaction, CodePurposes.OptOut, contactHash, requestId, LockTarget(contactHash), code, cancellationToken);
        var outcome = check.Kind switch
        {
            CodeCheckKind.Accepted => new OptOutOutcome(OptOutOutcomeKind.OptedOut),
            CodeCheckKind.Wrong => new OptOutOutcome(OptOutOutcomeKind.WrongCode) { AttemptsLeft = check.AttemptsLeft },
            CodeCheckKind.Locked => new OptOutOutcome(OptOutOutcomeKind.Locked) { LockedUntil = check.LockedUntil },
            _ => new OptOutOutcome(OptOutOutcomeKind.NoPendingCode),
        };
        if (outcome.Kind == OptOutOutcomeKind.OptedOut)
        {
            Outbox.Write(transaction, new OptOutRequested
            {
                RequestId = requestId, ContactHash = contactHash, OrganizationId = organizationId, Channels = [], Source = Source,
                RequestedAt = time.GetUtcNow(),
            });
        }
        // Committed whatever the answer: a wrong code must count.
        await transaction.CommitAsync(cancellationToken);
        logger.LogInformation("Opt-out {RequestId}: {Outcome}", requestId, outcome.Kind);
        var name = (await published.GetAsync(cancellationToken)).FindOrganization(organizationId)?.Profile.LegalName;
        return outcome with { OrganizationName = name };
    }

    public static string LockTarget(string contactHash) => "optout:" + contactHash;
}
