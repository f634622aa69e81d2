using ConsentPlatform.Contracts;
using ConsentPlatform.Notices.Replica;
using ConsentPlatform.Notices.Sending;
using ConsentPlatform.ServiceDefaults.Messaging;
using ConsentPlatform.Telephony;
using MassTransit;

namespace ConsentPlatform.Notices.Verification;

/// <summary>
/// Directory's one-time code for a number that cannot take SMS (a landline), read out by an
/// automated call. The call is queued in the inbox transaction (one per request, however often the
/// command arrives) and placed by <see cref="VoiceCallWorker"/>. Transactional, so no marketing
/// consent is needed; an erased number is never called, and a number that does not parse is dropped.
/// Quiet hours do not apply either: the person asked for this call a moment ago on the directory
/// page and is waiting by the phone for the code, which expires in minutes.
/// </summary>
public sealed class PlaceVerificationCallConsumer(NoticesDatabase database, PhoneNumberHasher hasher, TimeProvider time, ILogger<PlaceVerificationCallConsumer> logger)
    : IConsumer<PlaceVerificationCall>
{
    public async Task Consume(ConsumeContext<PlaceVerificationCall> context)
    {
        var m = context.Message;
        var parsed = PhoneNumbers.Parse(m.PhoneNumber, "JP");
        if (!IsReadable(m.Code) || !parsed.IsValid)
        {
            logger.LogWarning("Verification call {RequestId} not placed: the code is not 4-12 digits, or the number is not valid", m.RequestId);
            // Recorded as handled (nothing else written): a redelivery is dropped the same way, and the drop is visible in the inbox.
            await database.HandleOnceAsync(this, context, _ => Task.CompletedTask);
            return;
        }
        var number = parsed.Number;
        var candidates = hasher.CandidateHashes(number).ToArray();
        await database.HandleOnceAsync(this, context, async tx =>
        {
            if (await ReplicaStore.IsErasedAsync(tx, candidates))
            {
                logger.LogInformation("Verification call {RequestId} not placed: {Reason}", m.RequestId, RefusalReasons.Erased);
                return;
            }
            // Keyed on the request id: the same command re-sent under a new message id queues nothing more.
            var queued = await VoiceCallQueue.EnqueueAsync(tx, m.RequestId, CodeAudience.Owner(m.Purpose, m.OrganizationId), m.Purpose, candidates[0], number.E164, m.Code,
                VoiceScript.Normalize(m.Language), time.GetUtcNow(), context.CancellationToken);
            if (queued) logger.LogInformation("Verification call {RequestId} queued", m.RequestId);
        });
    }

    /// <summary>Digits only: the call reads them one by one.</summary>
    private static bool IsReadable(string? code) => code is { Length: >= 4 and <= 12 } && code.All(char.IsAsciiDigit);
}

public sealed class PlaceVerificationCallConsumerDefinition() : PlatformConsumerDefinition<PlaceVerificationCallConsumer>(Queues.NoticesVerificationCall);
