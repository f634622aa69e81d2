using ConsentPlatform.ServiceDefaults.Work;

namespace ConsentPlatform.Notices.Sending;

/// <summary>
/// Places queued verification calls one at a time, each after a rate slot of the account's calls
/// per second (<see cref="SenderPacing"/> under its own key, so calls and SMS keep separate limits).
/// As for SMS (R18), only a request that certainly did not reach the provider (429, 503, connection
/// refused) is made again, with backoff; after a timeout or a 5xx the call is recorded as unknown and
/// never placed again — a second call reading the same code is worse than the person asking anew.
/// </summary>
public sealed class VoiceCallWorker(VoiceCallQueue queue, IVoiceCaller caller, VoicePacing pacing, NoticesOptions options, TimeProvider time, ILogger<VoiceCallWorker> logger)
    : BackgroundService
{
    /// <summary>The slot is taken before the claim, so the claim only has to outlast one request.</summary>
    private TimeSpan ClaimFor => TimeSpan.FromSeconds(options.RequestTimeoutSeconds * 2 + 60);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        new WorkLoop("Voice call worker", time, logger) { Poll = TimeSpan.FromMilliseconds(options.PollMilliseconds), Recover = GiveUpAbandonedAsync }
            .RunAsync(PlaceNextAsync, stoppingToken);

    private async Task GiveUpAbandonedAsync(CancellationToken ct)
    {
        if (await queue.GiveUpAbandonedAsync(ct) is > 0 and var abandoned)
            logger.LogWarning("{Count} verification calls were left mid-request by a stopped worker; marked unknown, not placed again", abandoned);
    }

    private async Task<bool> PlaceNextAsync(CancellationToken ct)
    {
        if (!await queue.AnyDueAsync(ct)) return false;
        await pacing.WaitForSlotAsync(ct);
        // Another instance may have taken it meanwhile: the slot is then given up, never the rule.
        if (await queue.ClaimAsync(ClaimFor, ct) is { } call) await PlaceAsync(call, ct);
        return true;
    }

    private async Task PlaceAsync(QueuedCall queued, CancellationToken ct)
    {
        var parsed = Telephony.PhoneNumbers.Parse(queued.ToNumber);
        if (!parsed.IsValid)
        {
            // Cleared by an erasure between the claim's check and its read.
            await queue.FinishAsync(queued.Id, VoiceCallQueue.Cancelled, null, "no_number", ct);
            return;
        }
        var number = parsed.Number;
        var call = new VoiceCall(Guid.Parse(queued.Id), queued.OrganizationId, queued.ContactHash, number.E164, number.FormatMasked(), queued.Code, queued.Language);
        var outcome = await caller.PlaceAsync(call, ct);
        switch (outcome.Kind)
        {
            case SendOutcomeKind.Accepted:
                await queue.FinishAsync(queued.Id, VoiceCallQueue.Placed, outcome.Sid, null, ct);
                logger.LogInformation("Verification call {RequestId} placed as {Sid}", queued.Id, outcome.Sid);
                break;
            case SendOutcomeKind.RetrySafe when queued.Attempts < options.MaxAttempts:
                var backoff = TimeSpan.FromSeconds(Math.Min(300, 0.5 * Math.Pow(2, queued.Attempts - 1)));
                if (outcome.RetryAfter is { } after && after > backoff) backoff = after;
                await queue.RescheduleAsync(queued.Id, outcome.ErrorCode ?? "retry", backoff, ct);
                logger.LogInformation("Verification call {RequestId} not taken by the provider ({Error}); retrying in {Backoff}", queued.Id, outcome.ErrorCode, backoff);
                break;
            case SendOutcomeKind.RetrySafe:
                await queue.FinishAsync(queued.Id, VoiceCallQueue.Failed, null, "retries_exhausted:" + outcome.ErrorCode, ct);
                logger.LogWarning("Verification call {RequestId} failed after {Attempts} attempts ({Error})", queued.Id, queued.Attempts, outcome.ErrorCode);
                break;
            case SendOutcomeKind.Rejected:
                await queue.FinishAsync(queued.Id, VoiceCallQueue.Failed, null, outcome.ErrorCode, ct);
                logger.LogWarning("Verification call {RequestId} rejected by the provider ({Error})", queued.Id, outcome.ErrorCode);
                break;
            default:
                await queue.FinishAsync(queued.Id, VoiceCallQueue.Unknown, null, outcome.ErrorCode, ct);
                logger.LogWarning("Verification call {RequestId} may have reached the provider ({Error}); not placed again", queued.Id, outcome.ErrorCode);
                break;
        }
    }
}

/// <summary>
/// The account's calls-per-second limit: <see cref="SenderPacing"/> reused with the voice rate and a
/// sender key of its own, so the limit binds every instance exactly as the SMS rate does.
/// </summary>
public sealed class VoicePacing(NoticesDatabase database, NoticesOptions options)
{
    private readonly SenderPacing _pacing = new(database, options.VoiceCallsPerSecond, options.RateJitterMilliseconds);

    public Task WaitForSlotAsync(CancellationToken ct) => _pacing.WaitForSlotAsync(options.VoiceSenderKey, ct);
}
