using ConsentPlatform.Contracts;
using ConsentPlatform.Notices.Gate;
using ConsentPlatform.Notices.Sending;
using ConsentPlatform.ServiceDefaults.Messaging;
using ConsentPlatform.Telephony;
using Dapper;
using MassTransit;

namespace ConsentPlatform.Notices.Verification;

/// <summary>
/// One-time codes for data-subject requests and number verification: transactional, so no
/// marketing consent or quiet hours apply — but an erased number is never texted.
/// </summary>
public sealed class SendVerificationCodeConsumer(NoticesDatabase database, PhoneNumberHasher hasher, TimeProvider time, ILogger<SendVerificationCodeConsumer> logger)
    : IConsumer<SendVerificationCode>
{
    public async Task Consume(ConsumeContext<SendVerificationCode> context)
    {
        var m = context.Message;
        if (!PhoneNumbers.TryParse(m.PhoneNumber, out var number) || !number.CanReceiveSms || m.Code.Length is 0 or > 12)
        {
            logger.LogWarning("Verification code {RequestId} not sent: the number cannot receive SMS or the code is malformed", m.RequestId);
            return;
        }
        var candidates = hasher.CandidateHashes(number).ToArray();
        await database.HandleOnceAsync(context, "notices.send-verification-code", async tx =>
        {
            // Read in the transaction rather than from the index: an erasure consumed a moment ago on another instance counts.
            var erased = await tx.Connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM erasures WHERE contact_hash IN @candidates", new { candidates }, tx.Inner);
            if (erased > 0)
            {
                logger.LogInformation("Verification code {RequestId} not sent: {Reason}", m.RequestId, RefusalReasons.Erased);
                return;
            }
            // A repeated command for the same request (a retry upstream) sends nothing more: one SMS per request.
            var queued = await tx.Connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM outgoing_messages WHERE id = @id", new { id = m.RequestId.ToString() }, tx.Inner);
            if (queued > 0) return;
            var body = number.RegionCode == "JP"
                ? $"認証コード: {m.Code} (10分間有効)。心当たりがない場合は無視してください。"
                : $"Your verification code is {m.Code} (valid 10 minutes). If you did not ask for it, ignore this message.";
            await OutgoingStore.EnqueueAsync(tx, m.RequestId, null, m.OrganizationId, OutgoingPurposes.Verification, candidates[0], number.E164, body, time.GetUtcNow(), context.CancellationToken);
        });
    }
}

public sealed class SendVerificationCodeConsumerDefinition : ConsumerDefinition<SendVerificationCodeConsumer>
{
    public SendVerificationCodeConsumerDefinition()
    {
        EndpointName = "notices-verification-codes";
        ConcurrentMessageLimit = 8;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<SendVerificationCodeConsumer> consumerConfigurator,
        IRegistrationContext context) =>
        endpointConfigurator.UseMessageRetry(r => r.Exponential(10, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(200)));
}
