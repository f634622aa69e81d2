using ConsentPlatform.ServiceDefaults.Data;

namespace ConsentPlatform.Notices.Sending;

/// <summary>
/// The claim of the email and verification-call queues: a claimed row's next_attempt_at is the end of its claim,
/// so a row whose worker stopped comes due again (emails) or is given up (calls) once that time passes.
/// </summary>
internal static class DueQueue
{
    public static Task<T?> ClaimAsync<T>(NoticesDatabase database, TimeProvider time, string table, string claimable, string claimed, string returning,
        TimeSpan claimFor, CancellationToken ct)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        return database.ClaimFirstAsync<T>(table,
            due: $"status IN ({claimable}) AND next_attempt_at <= @now",
            order: "next_attempt_at",
            set: $"status = '{claimed}', attempts = attempts + 1, next_attempt_at = @until, updated_at = @now",
            returning, new { now, until = now + (long)claimFor.TotalMilliseconds }, ct);
    }
}
