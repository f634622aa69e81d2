using ConsentPlatform.Responses.Links;
using ConsentPlatform.ServiceDefaults.Data;

namespace ConsentPlatform.Responses.ResponseForm;

/// <summary>
/// The CRM's part of recording a response: one delivery per enabled connector, queued in the response's
/// transaction. ResponseForm owns the interface and Crm implements it, because Crm reads the responses it
/// delivers and the form must not depend on Crm for this one call (issue 17, ADR 0037).
/// </summary>
public interface IResponseDeliveries
{
    /// <summary>How many deliveries were queued; they become visible when the transaction commits.</summary>
    Task<int> EnqueueAsync(Transaction tx, string organizationId, Guid responseId, string contactHash, DateTimeOffset now, CancellationToken ct);

    /// <summary>After the commit, when some were queued: the sender need not wait for its next poll.</summary>
    void Wake();
}

/// <summary>
/// The email double opt-in's part of recording an "email only" answer with an address (ADR 0030), in the
/// response's transaction. Confirmation implements it: its page uses the form's texts and checks, so it
/// depends on the form and not the other way round (issue 17).
/// </summary>
public interface IEmailConfirmationStart
{
    Task StartAsync(Transaction tx, ResponseLink link, Guid responseId, string email, string language, Requester requester, DateTimeOffset now, CancellationToken ct);
}

/// <summary>Who answered, for the evidence Consent records with the request and with the confirmation.</summary>
public sealed record Requester(string? Ip, string? UserAgent)
{
    private const int MaxUserAgent = 500;

    public static Requester Of(HttpContext context) => new(context.Connection.RemoteIpAddress?.ToString(),
        context.Request.Headers.UserAgent.ToString() is { Length: > 0 } ua ? ua[..Math.Min(ua.Length, MaxUserAgent)] : null);
}
