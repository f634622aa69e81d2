using ConsentPlatform.Contracts;
using ConsentPlatform.Notices.Replica;
using ConsentPlatform.Notices.Sending;
using ConsentPlatform.ServiceDefaults.Messaging;
using ConsentPlatform.ServiceDefaults.Organizations;
using ConsentPlatform.Telephony;
using Dapper;
using MassTransit;

namespace ConsentPlatform.Notices.Verification;

/// <summary>
/// One-time codes for data-subject requests and number verification, by SMS or by email:
/// transactional, so no marketing consent or quiet hours apply — but an erased number or email is
/// never sent to. A command with both a number and an email, or neither, is dropped.
/// </summary>
public sealed class SendVerificationCodeConsumer(NoticesDatabase database, OutgoingStore outgoing, PhoneNumberHasher hasher, TimeProvider time, ILogger<SendVerificationCodeConsumer> logger)
    : IConsumer<SendVerificationCode>
{
    public async Task Consume(ConsumeContext<SendVerificationCode> context)
    {
        var m = context.Message;
        var byEmail = !string.IsNullOrWhiteSpace(m.Email);
        if (m.Code.Length is 0 or > 12 || string.IsNullOrWhiteSpace(m.PhoneNumber) == !byEmail)
        {
            logger.LogWarning("Verification code {RequestId} not sent: the code is malformed, or the command names both or neither of a number and an email", m.RequestId);
            // Recorded as handled (nothing else written): a redelivery is dropped the same way, and the drop is visible in the inbox.
            await database.HandleOnceAsync(this, context, _ => Task.CompletedTask);
            return;
        }
        // Read before the inbox transaction: the replica is another table of this database.
        var company = m.OrganizationId is { } organization ? (await OrganizationProfiles.FindAsync(database, organization, context.CancellationToken))?.LegalName : null;
        if (byEmail) await SendByEmailAsync(context, m.Email!, company);
        else await SendBySmsAsync(context, m.PhoneNumber!, company);
    }

    private async Task SendBySmsAsync(ConsumeContext<SendVerificationCode> context, string phoneNumber, string? company)
    {
        var m = context.Message;
        if (!PhoneNumbers.TryParse(phoneNumber, out var number) || !number.CanReceiveSms)
        {
            logger.LogWarning("Verification code {RequestId} not sent: the number cannot receive SMS", m.RequestId);
            await database.HandleOnceAsync(this, context, _ => Task.CompletedTask);
            return;
        }
        var candidates = hasher.CandidateHashes(number).ToArray();
        await database.HandleOnceAsync(this, context, async tx =>
        {
            if (await IsErasedAsync(tx, candidates)) return;
            // A repeated command for the same request (a retry upstream) sends nothing more: one SMS per request.
            if (await OutgoingStore.ExistsAsync(tx, m.RequestId)) return;
            var language = m.Language ?? (number.RegionCode == "JP" ? VoiceScript.Japanese : VoiceScript.English);
            var body = CodeTexts.Sms(m.Code, m.Purpose, company, m.ValidMinutes, language);
            await outgoing.EnqueueAsync(tx, m.RequestId, null, CodeAudience.Owner(m.Purpose, m.OrganizationId), OutgoingPurposes.Verification, candidates[0], number.E164, body, time.GetUtcNow(), context.CancellationToken);
        });
    }

    private async Task SendByEmailAsync(ConsumeContext<SendVerificationCode> context, string address, string? company)
    {
        var m = context.Message;
        if (address.Length > 254 || !System.Net.Mail.MailAddress.TryCreate(address.Trim(), out var parsed) || parsed.Address != address.Trim())
        {
            logger.LogWarning("Verification code {RequestId} not sent: the email is not a valid address", m.RequestId);
            await database.HandleOnceAsync(this, context, _ => Task.CompletedTask);
            return;
        }
        var candidates = hasher.CandidateEmailHashes(address).ToArray();
        await database.HandleOnceAsync(this, context, async tx =>
        {
            if (await IsErasedAsync(tx, candidates)) return;
            // Same request id, same email: the queue's insert is keyed on it.
            var email = new EmailToSend(m.RequestId.ToString(), CodeAudience.Owner(m.Purpose, m.OrganizationId), candidates[0], PhoneNumberHasher.NormalizeEmail(address),
                CodeTexts.EmailSubject(m.Purpose, company, m.Language ?? VoiceScript.Japanese),
                CodeTexts.EmailBody(m.Code, m.Purpose, company, m.ValidMinutes, m.Language ?? VoiceScript.Japanese));
            await EmailQueue.EnqueueAsync(tx, email, m.Purpose, time.GetUtcNow(), context.CancellationToken);
        });
    }

    private async Task<bool> IsErasedAsync(ServiceDefaults.Data.Transaction tx, string[] candidates)
    {
        var erased = await ReplicaStore.IsErasedAsync(tx, candidates);
        if (erased) logger.LogInformation("Verification code not sent: {Reason}", RefusalReasons.Erased);
        return erased;
    }
}

public sealed class SendVerificationCodeConsumerDefinition() : PlatformConsumerDefinition<SendVerificationCodeConsumer>(Queues.NoticesVerificationCodes);
