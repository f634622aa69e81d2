using ConsentPlatform.Notices.Replica;
using ConsentPlatform.ServiceDefaults.Work;
using Polly;
using Polly.Retry;

namespace ConsentPlatform.Notices.Sending;

/// <summary>
/// Sends queued SMS: claims a message, waits for the sender's rate slot, sends it and records the
/// provider's sid. Only failures that certainly did not reach the provider are retried (with
/// backoff); a send that may have reached it is resolved by looking it up, never by sending again.
/// Several workers (and several instances) run at once; the claim keeps each message to one.
/// </summary>
public sealed class SendWorker(
    OutgoingStore store, SendSignal signal, ISmsSender sender, SenderPacing pacing, ISendRecheck recheck, NoticesOptions options, TimeProvider time, ILogger<SendWorker> logger)
    : BackgroundService
{
    private readonly string _workerId = $"{Environment.ProcessId}-{Guid.NewGuid():N}";
    private readonly ResiliencePipeline<SendOutcome> _retry = new ResiliencePipelineBuilder<SendOutcome>()
        .AddRetry(new RetryStrategyOptions<SendOutcome>
        {
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result?.Kind == SendOutcomeKind.RetrySafe),
            MaxRetryAttempts = 3,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = TimeSpan.FromMilliseconds(200),
            MaxDelay = TimeSpan.FromSeconds(10),
            // The provider's Retry-After, when it gives one, wins over our own backoff.
            DelayGenerator = args => ValueTask.FromResult(args.Outcome.Result?.RetryAfter is { } after && after > TimeSpan.Zero ? after : (TimeSpan?)null),
        })
        .Build();

    private TimeSpan ClaimFor => TimeSpan.FromSeconds(options.RequestTimeoutSeconds * 5 + 60);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        new WorkLoop("Send worker", time, logger)
        {
            Lanes = options.SendConcurrency, Poll = TimeSpan.FromMilliseconds(options.PollMilliseconds), Wake = signal, Recover = RecoverAsync,
        }.RunAsync(SendNextAsync, stoppingToken);

    private async Task RecoverAsync(CancellationToken ct)
    {
        var (requeued, unknown) = await store.RecoverAbandonedAsync(ct);
        if (requeued > 0)
            logger.LogWarning("{Count} messages were claimed by a stopped worker before any request; they are queued again", requeued);
        if (unknown > 0)
            logger.LogWarning("{Count} messages were left mid-send by a stopped worker; they will be looked up, not sent again", unknown);
    }

    private async Task<bool> SendNextAsync(CancellationToken ct)
    {
        if (await store.ClaimAsync(_workerId, ClaimFor, ct) is not { } row) return false;
        if (row.Status == MessageStatuses.Unknown) await LookUpAsync(row, ct);
        else await SendAsync(row, ct);
        return true;
    }

    private SmsToSend ToSms(OutgoingRow row) => new(Guid.Parse(row.Id), row.OrganizationId, row.ToNumber, row.Body,
        DateTimeOffset.FromUnixTimeMilliseconds(row.FirstSentAt ?? row.CreatedAt));

    private async Task SendAsync(OutgoingRow row, CancellationToken ct)
    {
        var sms = ToSms(row);
        string? refused = null;
        var claimLost = false;
        var outcome = await _retry.ExecuteAsync(async token =>
        {
            // Asked once the slot is reserved, at most a second before the request: at a low rate the wait for a slot is long.
            var wanted = await pacing.WaitForSlotAsync(options.SenderKey, token, async t =>
            {
                if (row.NoticeId is { } notice && (refused = await recheck.RecheckBeforeSendAsync(notice, row.ToNumber, t)) is not null) return false;
                // From here the request may leave: a worker killed after this is looked up, one killed before is queued again.
                if (await store.MarkRequestStartingAsync(row.Id, _workerId, t)) return true;
                claimLost = true;
                return false;
            });
            return wanted ? await sender.SendAsync(sms, token) : SendOutcome.Rejected(refused ?? "claim_lost");
        }, ct);
        if (claimLost)
        {
            // Stalled past the claim: recovery queued the message again and it is another worker's now.
            logger.LogWarning("Message {MessageId} not sent by this worker: its claim lapsed and the message was queued again", row.Id);
            return;
        }
        if (refused is not null && row.NoticeId is { } noticeId)
        {
            if (refused == RefusalReasons.GateUnavailable)
                // The replica is still loading: not a refusal, so the message waits rather than be dropped.
                await store.RescheduleAsync(row.Id, _workerId, refused, TimeSpan.FromSeconds(1), ct);
            else
            {
                await store.RefuseAsync(row.Id, noticeId, refused, ct);
                logger.LogInformation("Message {MessageId} of notice {NoticeId} not sent: {Reason} since it was queued", row.Id, noticeId, refused);
            }
            return;
        }

        switch (outcome.Kind)
        {
            case SendOutcomeKind.Accepted:
                await store.AdvanceAsync(row.Id, outcome.Sid, MessageStatuses.FromProvider(outcome.Status) ?? MessageStatuses.Queued, null, ct);
                logger.LogInformation("Message {MessageId} accepted by the provider as {Sid}", row.Id, outcome.Sid);
                break;
            case SendOutcomeKind.RetrySafe when row.Attempts < options.MaxAttempts:
                var backoff = TimeSpan.FromSeconds(Math.Min(300, Math.Pow(2, row.Attempts)));
                await store.RescheduleAsync(row.Id, _workerId, outcome.ErrorCode ?? "retry", outcome.RetryAfter is { } after && after > backoff ? after : backoff, ct);
                logger.LogInformation("Message {MessageId} not taken by the provider ({Error}); retrying in {Backoff}", row.Id, outcome.ErrorCode, backoff);
                break;
            case SendOutcomeKind.RetrySafe:
                await store.AdvanceAsync(row.Id, null, MessageStatuses.Failed, "retries_exhausted:" + outcome.ErrorCode, ct);
                logger.LogWarning("Message {MessageId} failed after {Attempts} attempts ({Error})", row.Id, row.Attempts, outcome.ErrorCode);
                break;
            case SendOutcomeKind.Rejected:
                await store.AdvanceAsync(row.Id, null, MessageStatuses.Failed, outcome.ErrorCode, ct);
                logger.LogWarning("Message {MessageId} rejected by the provider ({Error})", row.Id, outcome.ErrorCode);
                break;
            default:
                await store.MarkUnknownAsync(row.Id, _workerId, outcome.ErrorCode ?? "unknown", TimeSpan.FromSeconds(1), countLookup: false, ct);
                logger.LogWarning("Message {MessageId} may have reached the provider ({Error}); looking it up instead of sending again", row.Id, outcome.ErrorCode);
                break;
        }
    }

    private async Task LookUpAsync(OutgoingRow row, CancellationToken ct)
    {
        var sms = ToSms(row);
        LookupOutcome found;
        try
        {
            found = await sender.LookupAsync(sms, ct);
        }
        catch (Exception error) when (error is HttpRequestException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            found = new LookupOutcome(false);
            logger.LogWarning("Lookup of message {MessageId} failed: {Error}", row.Id, error.Message);
        }

        if (found.Found)
        {
            await store.AdvanceAsync(row.Id, found.Sid, MessageStatuses.FromProvider(found.Status) ?? MessageStatuses.Queued, null, ct);
            logger.LogInformation("Message {MessageId} found at the provider as {Sid}", row.Id, found.Sid);
            return;
        }
        var age = time.GetUtcNow() - sms.FirstAttemptAt;
        if (age > TimeSpan.FromSeconds(options.LookupGiveUpSeconds))
        {
            // Never re-sent: a duplicate notice is worse than a missing one (R18).
            await store.AdvanceAsync(row.Id, null, MessageStatuses.Failed, "outcome_unknown", ct);
            logger.LogWarning("Message {MessageId} was not found at the provider after {Age}; marked failed, not re-sent", row.Id, age);
            return;
        }
        await store.MarkUnknownAsync(row.Id, _workerId, "lookup_pending", TimeSpan.FromSeconds(Math.Min(60, Math.Pow(2, Math.Min(row.Lookups + 1, 6)))), countLookup: true, ct);
    }
}
