using System.Security.Cryptography;
using ConsentPlatform.Contracts;
using ConsentPlatform.Notices.Replica;
using ConsentPlatform.Notices.Sending;
using ConsentPlatform.Notices.Templates;
using ConsentPlatform.ServiceDefaults.Data;
using ConsentPlatform.ServiceDefaults.Messaging;
using ConsentPlatform.Telephony;
using Dapper;

namespace ConsentPlatform.Notices.Calls;

/// <summary>
/// Plans calls and logs their outcomes; each asks the gate and, when allowed, writes the notice,
/// its outgoing SMS and ResponseLinkIssued in one transaction (the send worker sends it after).
/// </summary>
public sealed class CallPlanner(
    NoticesDatabase database, OutgoingStore outgoing, ReplicaIndex index, OptOuts optOuts, RulesStore rules, TemplateStore templates,
    PhoneNumberHasher hasher, NoticesOptions options, ShortLinks links, TimeProvider time, ILogger<CallPlanner> logger) : ISendRecheck, IContactErasure
{
    /// <summary>Calls' part of an erasure: planned calls keep the keyed hash, not the number.</summary>
    Task IContactErasure.EraseAsync(Transaction tx, string contactHash, DateTimeOffset now) => EraseAsync(tx, contactHash);

    public static Task EraseAsync(Transaction tx, string contactHash) =>
        tx.Connection.ExecuteAsync("UPDATE calls SET phone_number = '', masked_number = '' WHERE contact_hash = @contactHash", new { contactHash }, tx.Inner);

    private const string Base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    private sealed record CallRow(string Id, string OrganizationId, string ContactHash, string PhoneNumber, string MaskedNumber, string CallerName,
        string Topic, string Purpose, string CallingNumber, string Language, long PlannedAt, string? Outcome);

    private sealed record NoticeRow(string Id, string CallId, string Kind, string Status, string? Reason, string? Code, long CreatedAt, long UpdatedAt);

    public string NewCode() => RandomNumberGenerator.GetString(Base62, options.ShortCodeLength);

    public string LinkFor(string code) => links.For(code);

    /// <summary>
    /// The call is asked of the gate first: an erasure or a stop for calls refuses the call itself and
    /// nothing is written (the rep is told not to dial). Otherwise the call is recorded and its pre-call
    /// notice decided for the moment it will leave, Notices:PreCallLeadMinutes before the planned time.
    /// </summary>
    public async Task<PlanResult> PlanAsync(string organizationId, string? organizationName, PlanCallInput input, PhoneNumber number, PhoneNumber callingNumber,
        CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var purpose = input.Purpose!.Trim();
        if (!index.IsLoaded) return new PlanResult(null, [new DoNotCallReason(RefusalReasons.GateUnavailable, null, null, null, null, null)]);
        var doNotCall = GateDecider.DecideCall(organizationId, purpose, now, index.Find(hasher.CandidateHashes(number)));
        if (doNotCall.Count > 0)
        {
            logger.LogInformation("Call planning refused for organization {OrganizationId}: {Reasons}", organizationId, string.Join(", ", doNotCall.Select(r => r.Reason)));
            return new PlanResult(null, doNotCall);
        }

        var plannedAt = input.PlannedAt is { } planned && planned > now ? planned : now;
        var sendAt = plannedAt.AddMinutes(-options.PreCallLeadMinutes) is var lead && lead > now ? lead : now;
        var call = new CallRow(Guid.NewGuid().ToString("N"), organizationId, hasher.Hash(number), number.E164, number.FormatMasked(), input.CallerName!.Trim(),
            input.Topic!.Trim(), purpose, callingNumber.E164, input.Language ?? Languages.For(number), plannedAt.ToUnixTimeMilliseconds(), null);
        var company = await templates.CompanyNameAsync(organizationId, organizationName, ct);

        await using (var tx = await database.BeginAsync(ct))
        {
            // Written first: on SQLite this takes the write lock, so the frequency count below
            // cannot race another plan for the same recipient.
            const string sql = """
                INSERT INTO calls (id, organization_id, contact_hash, phone_number, masked_number, caller_name, topic, purpose, calling_number, language, planned_at, outcome, outcome_at, created_at)
                VALUES (@Id, @OrganizationId, @ContactHash, @PhoneNumber, @MaskedNumber, @CallerName, @Topic, @Purpose, @CallingNumber, @Language, @PlannedAt, NULL, NULL, @now)
                """;
            await tx.Connection.ExecuteAsync(new CommandDefinition(sql, new { call.Id, call.OrganizationId, call.ContactHash, call.PhoneNumber, call.MaskedNumber, call.CallerName,
                call.Topic, call.Purpose, call.CallingNumber, call.Language, call.PlannedAt, now = now.ToUnixTimeMilliseconds() }, tx.Inner, cancellationToken: ct));
            await IssueAsync(tx, call, NoticeKinds.PreCall, number, company, now, ct, sendAt, input.ExternalId?.Trim());
            await tx.CommitAsync(ct);
        }
        return new PlanResult(await FindAsync(organizationId, call.Id, ct), []);
    }

    /// <summary>Null when the call is not this organization's; a string when the outcome cannot be logged.</summary>
    public async Task<(CallView? Call, string? Problem)> LogOutcomeAsync(string organizationId, string? organizationName, string callId, string outcome, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var company = await templates.CompanyNameAsync(organizationId, organizationName, ct);
        CallRow? call;
        await using (var tx = await database.BeginAsync(ct))
        {
            const string update = """
                UPDATE calls SET outcome = @outcome, outcome_at = @now
                WHERE id = @callId AND organization_id = @organizationId AND outcome IS NULL
                """;
            var changed = await tx.Connection.ExecuteAsync(new CommandDefinition(update, new { outcome, now = now.ToUnixTimeMilliseconds(), callId, organizationId }, tx.Inner, cancellationToken: ct));
            call = await FindRowAsync(tx.Connection, tx.Inner, organizationId, callId, ct);
            if (call is null) return (null, null);
            if (changed == 0) return (await ToViewAsync(call, ct), $"The outcome of this call was already logged ({call.Outcome}).");

            if (outcome == CallOutcomes.Refused)
            {
                // 特商法 art. 17: a refusal stops every rep of the organization at once, here and (through Consent) everywhere.
                var optOut = new OptOutRequested
                {
                    RequestId = Guid.NewGuid(), ContactHash = call.ContactHash, OrganizationId = organizationId, Channels = [Channels.Call],
                    Purpose = call.Purpose, Source = OptOuts.CallRefused, RequestedAt = now,
                };
                await optOuts.RequestAsync(tx, optOut);
            }
            else if (PhoneNumbers.TryParse(call.PhoneNumber, out var number))
            {
                var kind = outcome == CallOutcomes.Missed ? NoticeKinds.PostCallMissed : NoticeKinds.PostCallAnswered;
                await IssueAsync(tx, call, kind, number, company, now, ct);
            }
            await tx.CommitAsync(ct);
        }
        return (await FindAsync(organizationId, callId, ct), null);
    }

    /// <param name="sendAt">When the notice will leave (a pre-call notice's lead time before the call); the gate decides for that moment.</param>
    /// <param name="externalId">The organization's reference for the contact, passed on to Responses' CRM connectors.</param>
    private async Task IssueAsync(Transaction tx, CallRow call, string kind, PhoneNumber number, string company, DateTimeOffset now, CancellationToken ct,
        DateTimeOffset? sendAt = null, string? externalId = null)
    {
        var noticeId = Guid.NewGuid();
        string? reason;
        string? code = null;
        string? body = null;
        try
        {
            reason = await DecideAsync(tx, call, number, sendAt ?? now, ct);
            if (reason is null)
            {
                var template = await templates.GetAsync(call.OrganizationId, kind, call.Language, ct);
                code = NewCode();
                var callingNumber = PhoneNumbers.TryParse(call.CallingNumber, out var calling) ? calling : default;
                var callback = call.Language == Languages.Japanese && calling.RegionCode == "JP" ? callingNumber.FormatNational() : callingNumber.FormatInternational();
                body = TemplateRenderer.Render(template.Body, new TemplateValues(company, call.CallerName, call.Topic, callback, LinkFor(code),
                    TemplateRenderer.FormatWhen(DateTimeOffset.FromUnixTimeMilliseconds(call.PlannedAt), number, call.Language)));
                if (SmsText.Analyze(body).Segments > template.MaxSegments) reason = RefusalReasons.MessageTooLong;
            }
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            // R11: a decision that cannot be made is a refusal, recorded like any other.
            logger.LogError(error, "Gate failed for notice {NoticeId} of call {CallId}; refusing", noticeId, call.Id);
            reason = RefusalReasons.GateUnavailable;
        }

        const string insert = """
            INSERT INTO notices (id, call_id, organization_id, kind, contact_hash, status, reason, code, created_at, updated_at)
            VALUES (@id, @callId, @organizationId, @kind, @contactHash, @status, @reason, @code, @now, @now)
            """;
        await tx.Connection.ExecuteAsync(new CommandDefinition(insert, new
        {
            id = noticeId.ToString(), callId = call.Id, organizationId = call.OrganizationId, kind, contactHash = call.ContactHash,
            status = reason is null ? NoticeStatuses.Queued : NoticeStatuses.Refused, reason, code = reason is null ? code : null,
            now = now.ToUnixTimeMilliseconds(),
        }, tx.Inner, cancellationToken: ct));

        if (reason is not null)
        {
            logger.LogInformation("Notice {NoticeId} ({Kind}) of call {CallId} refused: {Reason}", noticeId, kind, call.Id, reason);
            return;
        }

        await outgoing.EnqueueAsync(tx, Guid.NewGuid(), noticeId, call.OrganizationId, OutgoingPurposes.Notice, call.ContactHash, number.E164, body!, now, ct, sendAt);
        Outbox.Write(tx, new ResponseLinkIssued
        {
            Code = code!, NoticeId = noticeId, OrganizationId = call.OrganizationId, MaskedNumber = call.MaskedNumber,
            ContactHash = call.ContactHash, Topic = call.Topic, CallerName = call.CallerName, IssuedAt = now, ExternalId = externalId,
        });
        logger.LogInformation("Notice {NoticeId} ({Kind}) of call {CallId} queued", noticeId, kind, call.Id);
    }

    /// <summary>
    /// What the gate would answer for a notice to this number now, without planning or recording
    /// anything: a dialer asks before it dials. Null means a notice would go out.
    /// </summary>
    public async Task<string?> CheckAsync(string organizationId, PhoneNumber number, string purpose, PhoneNumber callingNumber, DateTimeOffset at, CancellationToken ct)
    {
        // A read: no write transaction, so it never queues behind the SQLite writers.
        await using var connection = await database.OpenAsync(ct);
        return await DecideAsync(connection, null, organizationId, number, purpose, callingNumber.E164, at, ct);
    }

    /// <summary>
    /// The gate once more as a queued notice is about to leave (R17): a stop, an erasure, a withdrawn
    /// consent or calling number, or quiet hours that began while it waited in the queue or for a retry
    /// refuse it now, and so does a pre-call notice more than Notices:PreCallGraceMinutes after its
    /// call's planned time. The frequency cap is not asked again: this notice is one of those it counts.
    /// Null when it may go (or is not a call's notice).
    /// </summary>
    public async Task<string?> RecheckBeforeSendAsync(string noticeId, string toNumber, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        const string sql = """
            SELECT c.organization_id AS Item1, c.purpose AS Item2, c.calling_number AS Item3, n.kind AS Item4, c.planned_at AS Item5
            FROM notices n JOIN calls c ON c.id = n.call_id WHERE n.id = @noticeId
            """;
        var call = await connection.QuerySingleOrDefaultAsync<(string, string, string, string, long)?>(new CommandDefinition(sql, new { noticeId }, cancellationToken: ct));
        var number = PhoneNumbers.Parse(toNumber);
        if (call is not var (organizationId, purpose, callingNumber, kind, plannedAt) || !number.IsValid) return null;
        var now = time.GetUtcNow();
        var refused = await DecideAsync(connection, null, organizationId, number.Number, purpose, callingNumber, now, ct, applyCap: false);
        if (refused is null && kind == NoticeKinds.PreCall && now > DateTimeOffset.FromUnixTimeMilliseconds(plannedAt).AddMinutes(options.PreCallGraceMinutes))
            return RefusalReasons.CallTimePassed;
        return refused;
    }

    private Task<string?> DecideAsync(Transaction tx, CallRow call, PhoneNumber number, DateTimeOffset now, CancellationToken ct) =>
        DecideAsync(tx.Connection, tx.Inner, call.OrganizationId, number, call.Purpose, call.CallingNumber, now, ct);

    private async Task<string?> DecideAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction? transaction, string organizationId,
        PhoneNumber number, string purpose, string callingNumber, DateTimeOffset now, CancellationToken ct, bool applyCap = true)
    {
        if (!index.IsLoaded) return RefusalReasons.GateUnavailable;
        var candidates = hasher.CandidateHashes(number).ToArray();
        var (orgRules, _) = await rules.GetAsync(connection, organizationId, transaction, ct);
        var count = 0L;
        if (applyCap)
        {
            var recent = $"""
                SELECT COUNT(*) FROM notices
                WHERE organization_id = @organizationId AND contact_hash {database.Dialect.InList("@candidates")} AND status <> 'refused' AND created_at >= @since
                """;
            count = await connection.ExecuteScalarAsync<long>(new CommandDefinition(recent, new
            {
                organizationId, candidates, since = now.AddHours(-orgRules.FrequencyHours).ToUnixTimeMilliseconds(),
            }, transaction, cancellationToken: ct));
        }
        var request = new GateRequest(organizationId, number, purpose, index.IsPublished(organizationId, callingNumber), now, (int)count);
        return GateDecider.Decide(request, index.Find(candidates), orgRules);
    }

    public async Task<CallView?> FindAsync(string organizationId, string callId, CancellationToken ct)
    {
        // A read: no write transaction, so it never queues behind the SQLite writers.
        await using var connection = await database.OpenAsync(ct);
        var row = await FindRowAsync(connection, null, organizationId, callId, ct);
        return row is null ? null : await ToViewAsync(row, ct);
    }

    private static async Task<CallRow?> FindRowAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction? transaction, string organizationId,
        string callId, CancellationToken ct)
    {
        const string sql = """
            SELECT id AS Id, organization_id AS OrganizationId, contact_hash AS ContactHash, phone_number AS PhoneNumber, masked_number AS MaskedNumber,
                   caller_name AS CallerName, topic AS Topic, purpose AS Purpose, calling_number AS CallingNumber, language AS Language,
                   planned_at AS PlannedAt, outcome AS Outcome
            FROM calls WHERE id = @callId AND organization_id = @organizationId
            """;
        return await connection.QuerySingleOrDefaultAsync<CallRow>(new CommandDefinition(sql, new { callId, organizationId }, transaction, cancellationToken: ct));
    }

    private async Task<CallView> ToViewAsync(CallRow call, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        const string sql = """
            SELECT id AS Id, call_id AS CallId, kind AS Kind, status AS Status, reason AS Reason, code AS Code, created_at AS CreatedAt, updated_at AS UpdatedAt
            FROM notices WHERE call_id = @id ORDER BY created_at
            """;
        var notices = await connection.QueryAsync<NoticeRow>(new CommandDefinition(sql, new { id = call.Id }, cancellationToken: ct));
        return new CallView(call.Id, call.MaskedNumber, call.CallerName, call.Topic, call.Purpose, call.CallingNumber,
            DateTimeOffset.FromUnixTimeMilliseconds(call.PlannedAt), call.Outcome, notices.Select(ToView).ToList());
    }

    private NoticeView ToView(NoticeRow n) => new(Guid.Parse(n.Id), n.CallId, n.Kind, n.Status, n.Reason, n.Code is null ? null : LinkFor(n.Code),
        DateTimeOffset.FromUnixTimeMilliseconds(n.CreatedAt), DateTimeOffset.FromUnixTimeMilliseconds(n.UpdatedAt));

    public async Task<IReadOnlyList<(CallView Call, DateTimeOffset CreatedAt)>> RecentCallsAsync(string organizationId, int limit, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var sql = $"""
            SELECT id AS Id, organization_id AS OrganizationId, contact_hash AS ContactHash, phone_number AS PhoneNumber, masked_number AS MaskedNumber,
                   caller_name AS CallerName, topic AS Topic, purpose AS Purpose, calling_number AS CallingNumber, language AS Language,
                   planned_at AS PlannedAt, outcome AS Outcome
            FROM calls WHERE organization_id = @organizationId ORDER BY created_at DESC {database.Dialect.FirstRows("@limit")}
            """;
        var rows = await connection.QueryAsync<CallRow>(new CommandDefinition(sql, new { organizationId, limit }, cancellationToken: ct));
        var result = new List<(CallView, DateTimeOffset)>();
        foreach (var row in rows) result.Add((await ToViewAsync(row, ct), DateTimeOffset.FromUnixTimeMilliseconds(row.PlannedAt)));
        return result;
    }
}

/// <summary>A planned call, or (Call null) why the call itself must not be made; nothing is recorded then.</summary>
public sealed record PlanResult(CallView? Call, IReadOnlyList<DoNotCallReason> DoNotCall);

public static class NoticeStatuses
{
    public const string Refused = "refused";
    public const string Queued = "queued";
    public const string Sent = "sent";
    public const string Delivered = "delivered";
    public const string Undelivered = "undelivered";
    public const string Failed = "failed";
}
