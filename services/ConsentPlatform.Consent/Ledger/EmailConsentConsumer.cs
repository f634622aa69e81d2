using ConsentPlatform.Contracts;
using ConsentPlatform.ServiceDefaults.Messaging;
using ConsentPlatform.Telephony;
using MassTransit;

namespace ConsentPlatform.Consent.Ledger;

/// <summary>
/// "Email only" with a new address (ADR 0030), as Responses announces it: the request becomes a requested ledger
/// row per purpose (the gate answers email_confirmation_pending until its link expires), the confirmation a granted
/// row (an ordinary consent). Each row keeps the evidence: the response, its short link, time, IP and user agent.
/// </summary>
public sealed class EmailConsentConsumer(ConsentDatabase database, LedgerStore ledger, PhoneNumberHasher hasher, ILogger<EmailConsentConsumer> logger)
    : IConsumer<EmailConsentRequested>, IConsumer<EmailConsentConfirmed>
{
    public const string Method = "double_opt_in";

    public Task Consume(ConsumeContext<EmailConsentRequested> context)
    {
        var m = context.Message;
        return RecordAsync(context, m.ConfirmationId, m.ResponseId, m.OrganizationId, m.ContactHash, m.Email,
            LedgerRow.Requested, m.RequestedAt, m.ExpiresAt, m.Language, m.Ip, m.UserAgent, $"short link {m.Code}");
    }

    public Task Consume(ConsumeContext<EmailConsentConfirmed> context)
    {
        var m = context.Message;
        return RecordAsync(context, m.ConfirmationId, m.ResponseId, m.OrganizationId, m.ContactHash, m.Email,
            LedgerRow.Granted, m.ConfirmedAt, null, null, m.Ip, m.UserAgent, "confirmation link");
    }

    private async Task RecordAsync<TMessage>(ConsumeContext<TMessage> context, Guid confirmationId, Guid responseId, string organizationId, string phoneHash,
        string email, string action, DateTimeOffset at, DateTimeOffset? expiresAt, string? language, string? ip, string? userAgent, string how)
        where TMessage : class
    {
        var emailHash = hasher.HashEmail(email);
        IReadOnlyList<LedgerRow> rows = [];
        var handled = await database.HandleOnceAsync(this, context, async tx =>
        {
            var purposes = await LedgerStore.PurposesConsentedAsync(tx, phoneHash, organizationId, context.CancellationToken);
            rows = purposes.Select(purpose => new LedgerRow
            {
                Id = Guid.NewGuid().ToString(), ReceiptId = "cnf_" + confirmationId.ToString("N"), SubjectId = "sub_" + confirmationId.ToString("N"),
                OrganizationId = organizationId, Action = action, Channel = Channels.Email, Purpose = purpose, Contact = PhoneNumberHasher.NormalizeEmail(email),
                ContactHash = emailHash, PhoneHash = phoneHash, EmailHash = emailHash, Language = language, Method = Method, RecordedAt = at.ToUnixTimeMilliseconds(),
                ExpiresAt = expiresAt?.ToUnixTimeMilliseconds(), SourceEvent = "short link answer: email only", Ip = ip, UserAgent = userAgent,
                Evidence = $"response {responseId}, {how}",
            }).ToList();
            await ledger.AppendAsync(tx, rows, context.CancellationToken);
        });
        if (!handled) return;
        logger.LogInformation("Email double opt-in {ConfirmationId} for organization {OrganizationId}: {Action}, {Rows} ledger rows", confirmationId, organizationId, action, rows.Count);
    }
}

public sealed class EmailConsentConsumerDefinition() : PlatformConsumerDefinition<EmailConsentConsumer>(Queues.ConsentEmailConfirmations);
