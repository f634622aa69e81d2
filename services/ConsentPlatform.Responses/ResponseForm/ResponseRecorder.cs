using ConsentPlatform.Contracts;
using ConsentPlatform.Responses.Links;
using ConsentPlatform.ServiceDefaults.Data;
using ConsentPlatform.ServiceDefaults.Messaging;
using ConsentPlatform.Telephony;
using Dapper;

namespace ConsentPlatform.Responses.ResponseForm;

/// <param name="ResumesAt">For "not now": the moment the opt-out ends, exactly as Consent's gate is told it, so the page says the gate's day.</param>
/// <param name="ConfirmationSent">"Email only" with an address: a link to confirm it went there, and email waits for it.</param>
public sealed record RecordedResponse(Guid ResponseId, string PreferredContact, DateTimeOffset? ResumesAt, string? Email, bool OptOutFlagged, bool OptOutRequested,
    bool ConfirmationSent = false);

/// <summary>
/// Stores a response and, in the same transaction, everything that must follow from it: the
/// opt-out for Consent, RecipientResponded, and one CRM delivery per enabled connector. Either
/// all of it commits or none.
/// </summary>
public sealed class ResponseRecorder(ResponsesDatabase database, IResponseDeliveries crm, IEmailConfirmationStart confirmations, TimeProvider time, ILogger<ResponseRecorder> logger)
{
    /// <summary>The channels a status stops; null when it stops nothing. Empty means every channel.</summary>
    public static IReadOnlyList<string>? StoppedChannels(string status) => status switch
    {
        "no_further_contact" => [],
        "email_only" => [Channels.Call, Channels.Sms],
        "sms_only" => [Channels.Call, Channels.Email],
        "not_now" => [],
        _ => null,
    };

    /// <summary>
    /// "Not now" ends at 00:00 of the chosen day in Japan time, the recipients' zone (the link knows only a masked number):
    /// the one boundary both the opt-out sent to Consent and the thank-you page are built from.
    /// </summary>
    public static DateTimeOffset ResumesAt(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), TimeSpan.FromHours(9));

    public async Task<RecordedResponse> RecordAsync(ResponseLink link, ResponseInput input, string language, Requester requester, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var responseId = Guid.NewGuid();
        var status = input.PreferredContact!;
        var contactAfter = status == "not_now" ? input.ContactAfterDate : null;
        DateTimeOffset? resumesAt = contactAfter is { } day ? ResumesAt(day) : null;
        // R26: a free-text "please stop" is flagged for a person to review, not acted on blindly.
        var detection = OptOutDetector.Detect(string.Join("\n", new[] { input.CleanReasonText, input.CleanComments }.Where(t => t is not null)));
        var flagged = detection.IsOptOut;

        await using var tx = await database.BeginAsync(ct);
        const string insert = """
            INSERT INTO responses (response_id, code, organization_id, contact_hash, masked_number, topic, email, preferred_contact,
                contact_after, reason, reason_text, comments, opt_out_flagged, opt_out_phrase, language, responded_at)
            VALUES (@responseId, @Code, @OrganizationId, @ContactHash, @MaskedNumber, @Topic, @email, @status,
                @contactAfter, @reason, @reasonText, @comments, @flagged, @phrase, @language, @now)
            """;
        // A CRM's pull feed follows responses by id.
        await tx.LockFollowedInsertsAsync(ct);
        await tx.Connection.ExecuteAsync(new CommandDefinition(insert, new
        {
            responseId = responseId.ToString(), link.Code, link.OrganizationId, link.ContactHash, link.MaskedNumber, link.Topic,
            email = input.CleanEmail, status, contactAfter = contactAfter?.ToString("yyyy-MM-dd"), reason = input.CleanReason,
            reasonText = input.CleanReasonText, comments = input.CleanComments, flagged = flagged ? 1 : 0, phrase = detection.Matched,
            language, now = now.ToUnixTimeMilliseconds(),
        }, tx.Inner, cancellationToken: ct));

        var stopped = StoppedChannels(status);
        if (stopped is not null)
        {
            Outbox.Write(tx, new OptOutRequested
            {
                RequestId = responseId,
                ContactHash = link.ContactHash,
                OrganizationId = link.OrganizationId,
                Channels = stopped,
                Source = "responses",
                RequestedAt = now,
                Until = resumesAt,
            });
        }
        Outbox.Write(tx, new RecipientResponded
        {
            ResponseId = responseId,
            OrganizationId = link.OrganizationId,
            Code = link.Code,
            ContactHash = link.ContactHash,
            PreferredContact = status,
            ContactAfter = contactAfter,
            Reason = input.CleanReason,
            OptOutIntentFlagged = flagged,
            RespondedAt = now,
        });
        // ADR 0030: the typed address becomes an email consent only when its owner confirms it.
        var confirm = status == "email_only" && input.CleanEmail is not null;
        if (confirm) await confirmations.StartAsync(tx, link, responseId, input.CleanEmail!, language, requester, now, ct);
        var deliveries = await crm.EnqueueAsync(tx, link.OrganizationId, responseId, link.ContactHash, now, ct);
        await tx.CommitAsync(ct);
        if (deliveries > 0) crm.Wake();

        logger.LogInformation("Response {ResponseId} for {OrganizationId}: {Status}, opt-out requested {OptOut}, flagged {Flagged}, {Deliveries} CRM deliveries, email confirmation {Confirm}",
            responseId, link.OrganizationId, status, stopped is not null, flagged, deliveries, confirm);
        return new RecordedResponse(responseId, status, resumesAt, input.CleanEmail, flagged, stopped is not null, confirm);
    }
}
