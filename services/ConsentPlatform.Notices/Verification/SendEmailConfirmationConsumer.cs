using ConsentPlatform.Contracts;
using ConsentPlatform.Notices.Templates;
using ConsentPlatform.Notices.Replica;
using ConsentPlatform.Notices.Sending;
using ConsentPlatform.ServiceDefaults.Messaging;
using ConsentPlatform.ServiceDefaults.Organizations;
using ConsentPlatform.Telephony;
using MassTransit;

namespace ConsentPlatform.Notices.Verification;

/// <summary>
/// The double opt-in email for an address typed on the short-link form (ADR 0030): transactional like a one-time
/// code, queued on the same email path, never to an erased address, and the person's own (no organization lists it).
/// </summary>
public sealed class SendEmailConfirmationConsumer(NoticesDatabase database, PhoneNumberHasher hasher, ShortLinks links, TimeProvider time,
    ILogger<SendEmailConfirmationConsumer> logger) : IConsumer<SendEmailConfirmation>
{
    public const string Purpose = "email_confirmation";

    public async Task Consume(ConsumeContext<SendEmailConfirmation> context)
    {
        var m = context.Message;
        var address = m.Email.Trim();
        if (address.Length > 254 || !System.Net.Mail.MailAddress.TryCreate(address, out var parsed) || parsed.Address != address)
        {
            logger.LogWarning("Email confirmation {RequestId} not sent: the email is not a valid address", m.RequestId);
            await database.HandleOnceAsync(this, context, _ => Task.CompletedTask);
            return;
        }
        var company = (await OrganizationProfiles.FindAsync(database, m.OrganizationId, context.CancellationToken))?.LegalName;
        var candidates = hasher.CandidateEmailHashes(address).ToArray();
        var language = m.Language ?? VoiceScript.Japanese;
        await database.HandleOnceAsync(this, context, async tx =>
        {
            if (await ReplicaStore.IsErasedAsync(tx, candidates))
            {
                logger.LogInformation("Email confirmation not sent: {Reason}", RefusalReasons.Erased);
                return;
            }
            var email = new EmailToSend(m.RequestId.ToString(), null, candidates[0], PhoneNumberHasher.NormalizeEmail(address),
                ConfirmationTexts.Subject(company, language), ConfirmationTexts.Body(company, links.For(m.LinkPath), m.ValidHours, language));
            await EmailQueue.EnqueueAsync(tx, email, Purpose, time.GetUtcNow(), context.CancellationToken);
        });
    }
}

public sealed class SendEmailConfirmationConsumerDefinition() : PlatformConsumerDefinition<SendEmailConfirmationConsumer>(Queues.NoticesEmailConfirmations);

/// <summary>The confirmation email's words: who asks (the company the person answered), what the link does, and that ignoring it changes nothing.</summary>
public static class ConfirmationTexts
{
    public static string Subject(string? company, string language) =>
        VoiceScript.Normalize(language) == VoiceScript.Japanese
            ? $"【{company ?? CodeTexts.Platform}】メールでのご連絡先の確認"
            : $"[{company ?? CodeTexts.Platform}] Please confirm your email address";

    public static string Body(string? company, string link, int validHours, string language) =>
        VoiceScript.Normalize(language) == VoiceScript.Japanese
            ? $"""
              {company ?? CodeTexts.Platform}からのご連絡について、「メールのみ可」とご回答いただき、このアドレスをご記入いただきました。
              今後このアドレスにメールでご連絡してよい場合は、次のリンクを開き、「確認する」ボタンを押してください（{validHours}時間有効）。
              {link}
              お心当たりがなければ、このメールは破棄してください。確認されない限り、このアドレスにご連絡することはありません。
              """
            : $"""
              You answered that {company ?? CodeTexts.Platform} may contact you by email only, and gave this address.
              If they may email you here, open this link and press "Confirm" (valid {validHours} hours):
              {link}
              If you did not ask for this, ignore this email: unless you confirm, nobody will write to this address.
              """;
}
