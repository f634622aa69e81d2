using ConsentPlatform.Contracts;
using ConsentPlatform.ServiceDefaults.Messaging;
using ConsentPlatform.ServiceDefaults.Data;
using ConsentPlatform.ServiceDefaults.Work;
using Dapper;

namespace ConsentPlatform.Consent.Ledger;

/// <summary>
/// A consent with an expiry ends without anyone acting, so nothing else would tell the CRM (issue 13): every
/// <see cref="ConsentOptions.ExpirySweepSeconds"/> the ledger's granted contact-channel consents whose expires_at has
/// passed, not withdrawn and not yet announced, are announced as <see cref="ConsentExpired"/> through the outbox.
/// Each batch is one transaction that also records the announcement in consent_expiries; its primary key means
/// two replicas sweeping at once announce an expiry once (the one whose insert lands writes the message).
/// </summary>
public sealed class ExpiryAnnouncer(ConsentDatabase database, ConsentOptions options, TimeProvider time, ILogger<ExpiryAnnouncer> logger) : BackgroundService
{
    private const int BatchSize = 500;

    // A failed sweep waits for the next one, which finds what this one did not announce.
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var every = TimeSpan.FromSeconds(options.ExpirySweepSeconds);
        return new WorkLoop("Consent expiry sweep", time, logger) { Poll = every, FirstBackoff = every, MaxBackoff = every }.PollAsync(async ct =>
        {
            if (await SweepAsync(ct) is > 0 and var announced) logger.LogInformation("Announced {Count} expired consents", announced);
        }, stoppingToken);
    }

    /// <summary>Announces every expiry that has passed by now and was not announced; returns how many this call announced.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var total = 0;
        while (true)
        {
            var (read, announced) = await AnnounceBatchAsync(time.GetUtcNow(), cancellationToken);
            total += announced;
            if (read < BatchSize) return total;
        }
    }

    /// <summary>
    /// Expired, unwithdrawn, unannounced grants, a batch at a time. Both lookups per grant are indexed (Consent 0012):
    /// a plan test holds it, since a scan here runs inside a write transaction.
    /// </summary>
    public static string DueGrantsSql(SqlDialect dialect) => $"""
        SELECT {LedgerStore.Columns} FROM consent_ledger g
        WHERE g.action = 'granted' AND g.channel IN ('call', 'sms', 'email') AND g.expires_at IS NOT NULL AND g.expires_at <= @now
          AND NOT EXISTS (SELECT 1 FROM consent_ledger w WHERE w.withdraws = g.id)
          AND NOT EXISTS (SELECT 1 FROM consent_expiries x WHERE x.consent_id = g.id)
        ORDER BY g.seq {dialect.FirstRows("@batch")}
        """;

    private async Task<(int Read, int Announced)> AnnounceBatchAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var sql = DueGrantsSql(database.Dialect);
        var record = database.Dialect.InsertIfAbsent("consent_expiries", "consent_id, announced_at", "@id, @at", key: "consent_id");
        await using var transaction = await database.BeginAsync(cancellationToken);
        var expired = (await transaction.Connection.QueryAsync<LedgerRow>(new CommandDefinition(
            sql, new { now = now.ToUnixTimeMilliseconds(), batch = BatchSize }, transaction.Inner, cancellationToken: cancellationToken))).ToList();
        var announced = 0;
        foreach (var grant in expired)
        {
            // Another replica's sweep recorded it first: that one announces it.
            if (await transaction.Connection.ExecuteAsync(new CommandDefinition(
                    record, new { id = grant.Id, at = now.ToUnixTimeMilliseconds() }, transaction.Inner, cancellationToken: cancellationToken)) == 0)
                continue;
            Outbox.Write(transaction, LedgerStore.Expired(grant));
            announced++;
        }
        await transaction.CommitAsync(cancellationToken);
        return (expired.Count, announced);
    }
}
