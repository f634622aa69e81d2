using System.Security;
using ConsentPlatform.Contracts;
using ConsentPlatform.Notices.Replica;
using ConsentPlatform.Notices.Sending;
using ConsentPlatform.ServiceDefaults.Messaging;
using ConsentPlatform.ServiceDefaults.Organizations;
using ConsentPlatform.Telephony;

namespace ConsentPlatform.Notices.Webhooks;

/// <summary>
/// Twilio's webhooks: delivery status (R19) and inbound replies (R20). Public and rate-limited;
/// a request without a valid X-Twilio-Signature is answered 403 and changes nothing.
/// </summary>
public static class WebhookEndpoints
{
    public static void MapTwilioWebhooks(this IEndpointRouteBuilder app)
    {
        var hooks = app.MapGroup("").RequireRateLimiting(ServiceDefaults.Extensions.PublicRateLimit).AllowAnonymous().DisableAntiforgery().ExcludeFromDescription();
        hooks.MapPost(TwilioSender.StatusCallbackPath, StatusAsync);
        hooks.MapPost(TwilioSender.InboundPath, InboundAsync);
    }

    /// <summary>The URL Twilio signed: the configured public base (behind a proxy the request's own host differs), else the request's.</summary>
    public static string SignedUrl(HttpRequest request, NoticesOptions options) =>
        (options.PublicBaseUrl ?? $"{request.Scheme}://{request.Host}{request.PathBase}") + request.Path + request.QueryString;

    private static async Task<List<KeyValuePair<string, string>>?> VerifiedFormAsync(HttpContext context, NoticesOptions options)
    {
        if (!context.Request.HasFormContentType || options.TwilioAuthToken is null) return null;
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var parameters = form.SelectMany(f => f.Value.Select(v => new KeyValuePair<string, string>(f.Key, v ?? ""))).ToList();
        return TwilioSignature.IsValid(options.TwilioAuthToken, SignedUrl(context.Request, options), parameters, context.Request.Headers["X-Twilio-Signature"])
            ? parameters
            : null;
    }

    private static string? Get(List<KeyValuePair<string, string>> form, string name) => form.FirstOrDefault(p => p.Key == name).Value;

    private static async Task<IResult> StatusAsync(HttpContext context, NoticesOptions options, OutgoingStore store, ILoggerFactory logs)
    {
        var form = await VerifiedFormAsync(context, options);
        if (form is null) return Results.Problem(statusCode: 403, title: "Invalid signature", detail: "The X-Twilio-Signature header does not match this request.");

        var sid = Get(form, "MessageSid") ?? Get(form, "SmsSid");
        var status = MessageStatuses.FromProvider(Get(form, "MessageStatus") ?? Get(form, "SmsStatus"));
        if (sid is null || status is null) return Results.Ok();
        // The marker resolves a message whose send timed out before we learnt its sid.
        var id = context.Request.Query[TwilioSender.MarkerParameter].ToString() is { Length: 32 } marker && Guid.TryParseExact(marker, "N", out var messageId)
            ? messageId.ToString()
            : await store.FindIdBySidAsync(sid, context.RequestAborted);
        if (id is null) return Results.Ok();
        var moved = await store.AdvanceAsync(id, sid, status, Get(form, "ErrorCode"), context.RequestAborted);
        logs.CreateLogger("ConsentPlatform.Notices.Webhooks").LogInformation("Status {Status} for message {MessageId} ({Applied})", status, id, moved ? "applied" : "stale, ignored");
        return Results.Ok();
    }

    private static async Task<IResult> InboundAsync(HttpContext context, NoticesOptions options, NoticesDatabase database, PhoneNumberHasher hasher,
        ReplicaStore replica, OptOuts optOuts, TimeProvider time, ILoggerFactory logs)
    {
        var form = await VerifiedFormAsync(context, options);
        if (form is null) return Results.Problem(statusCode: 403, title: "Invalid signature", detail: "The X-Twilio-Signature header does not match this request.");
        var logger = logs.CreateLogger("ConsentPlatform.Notices.Webhooks");

        var sid = Get(form, "MessageSid") ?? Get(form, "SmsSid");
        if (sid is null || !PhoneNumbers.TryParse(Get(form, "From"), out var from)) return Twiml(null);
        var detection = OptOutDetector.Detect(Get(form, "Body"));
        // A reply is the recipient answering our notice, so "もう連絡しないで" stops like STOP does (R20);
        // resuming or HELP, which act in the other direction, need the exact keyword.
        var intent = detection.Confidence == OptOutConfidence.Keyword || detection is { Intent: OptOutIntent.OptOut, Confidence: OptOutConfidence.Phrase }
            ? detection.Intent
            : OptOutIntent.None;
        var hash = hasher.Hash(from);
        var now = time.GetUtcNow();

        string? reply = null;
        await using (var tx = await database.BeginAsync(context.RequestAborted))
        {
            // Twilio retries webhooks: a reply handled before changes nothing and gets no second answer.
            if (!await InboundReplyStore.TryRecordAsync(tx, sid, hash, intent, now))
                return Twiml(null);

            // The organizations that texted this person are the ones the reply is addressed to.
            var organizations = await OutgoingStore.OrganizationsNotifiedAsync(tx, hash);
            var company = organizations.Count > 0 ? await CompanyAsync(database, organizations[^1], context.RequestAborted) : null;

            switch (intent)
            {
                case OptOutIntent.OptOut:
                    var repeated = await InboundReplyStore.StoppedBeforeAsync(tx, hash, sid);
                    foreach (var organizationId in organizations)
                    {
                        var optOut = new OptOutRequested
                        {
                            RequestId = Guid.NewGuid(), ContactHash = hash, OrganizationId = organizationId, Channels = [Channels.Sms],
                            Source = OptOuts.SmsReply, RequestedAt = now,
                        };
                        await optOuts.RequestAsync(tx, optOut);
                    }
                    // At most one confirmation, and no marketing in it.
                    if (!repeated) reply = company is null ? "You will not receive further messages. Reply START to resume." : $"{company.LegalName}: you will not receive further messages. Reply START to resume.";
                    break;
                case OptOutIntent.OptIn:
                    await replica.LiftReplyOptOutsAsync(tx, hash, now);
                    foreach (var organizationId in organizations)
                        Outbox.Write(tx, new OptInRequested { RequestId = Guid.NewGuid(), ContactHash = hash, OrganizationId = organizationId, Channels = [Channels.Sms], Source = OptOuts.SmsReply, RequestedAt = now });
                    reply = "You can receive messages again. Reply STOP to stop.";
                    break;
                case OptOutIntent.Help:
                    reply = company is null
                        ? "Reply STOP to stop these messages."
                        : $"{company.LegalName}: contact {company.ContactPhone ?? company.ContactEmail ?? company.WebsiteUrl ?? "the sender"}. Reply STOP to stop these messages.";
                    break;
            }
            await tx.CommitAsync(context.RequestAborted);
        }
        logger.LogInformation("Inbound reply {Sid}: {Intent}", sid, intent);
        return Twiml(reply);
    }

    private static Task<OrganizationProfile?> CompanyAsync(NoticesDatabase database, string organizationId, CancellationToken ct) =>
        OrganizationProfiles.FindAsync(database, organizationId, ct);

    private static IResult Twiml(string? message) => Results.Content(
        message is null ? "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>"
            : $"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Message>{SecurityElement.Escape(message)}</Message></Response>",
        "application/xml");
}
