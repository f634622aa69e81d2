using System.Data;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;

namespace ConsentPlatform.Consent.Gate;

public sealed record AuditRecord(
    string CheckId, string OrganizationId, string ContactHash, string Channel, string Purpose,
    string Decision, string Reasons, long At, long CheckedAt, string Source, string? KeyId = null, string? ContactMasked = null);

/// <summary>
/// Records every check (R10) without putting a synchronous disk write on the gate's hot path:
/// checks are queued and written in batches, one transaction per batch. If the queue is full
/// the check cannot be recorded, and the gate answers deny (it fails closed rather than unaudited).
/// </summary>
public sealed class CheckAudit(ConsentDatabase database, ILogger<CheckAudit> logger) : BackgroundService
{
    private const int BatchSize = 2_000;
    private readonly Channel<AuditRecord> _queue = System.Threading.Channels.Channel.CreateBounded<AuditRecord>(
        new BoundedChannelOptions(200_000) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite });

    public bool TryRecord(AuditRecord record) => _queue.Writer.TryWrite(record);

    /// <summary>Written so far is everything queued before this call (for tests and shutdown).</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        while (_queue.Reader.Count > 0 || _writing)
            await Task.Delay(10, cancellationToken);
    }

    private volatile bool _writing;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<AuditRecord>(BatchSize);
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken))
            {
                _writing = true;
                while (batch.Count < BatchSize && _queue.Reader.TryRead(out var record)) batch.Add(record);
                await WriteWithRetryAsync(batch, stoppingToken);
                batch.Clear();
                _writing = false;
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: write what is still queued.
            while (_queue.Reader.TryRead(out var record)) batch.Add(record);
            if (batch.Count > 0) await WriteAsync(batch, CancellationToken.None);
        }
    }

    private async Task WriteWithRetryAsync(List<AuditRecord> batch, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await WriteAsync(batch, cancellationToken);
                return;
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                logger.LogWarning(error, "Writing {Count} check audit records failed (attempt {Attempt}); retrying", batch.Count, attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5_000, 100 * attempt)), cancellationToken);
            }
        }
    }

    private static readonly (string Name, DbType Type, Func<AuditRecord, object?> Value)[] Columns =
    [
        ("@CheckId", DbType.String, r => r.CheckId), ("@OrganizationId", DbType.String, r => r.OrganizationId),
        ("@ContactHash", DbType.String, r => r.ContactHash), ("@Channel", DbType.String, r => r.Channel), ("@Purpose", DbType.String, r => r.Purpose),
        ("@Decision", DbType.String, r => r.Decision), ("@Reasons", DbType.String, r => r.Reasons), ("@At", DbType.Int64, r => r.At),
        ("@CheckedAt", DbType.Int64, r => r.CheckedAt), ("@Source", DbType.String, r => r.Source), ("@KeyId", DbType.String, r => r.KeyId),
        ("@ContactMasked", DbType.String, r => r.ContactMasked),
    ];

    private const string InsertSql = """
        INSERT INTO check_audit (check_id, organization_id, contact_hash, channel, purpose, decision, reasons, at, checked_at, source, key_id, contact_masked)
        VALUES (@CheckId, @OrganizationId, @ContactHash, @Channel, @Purpose, @Decision, @Reasons, @At, @CheckedAt, @Source, @KeyId, @ContactMasked)
        """;

    /// <summary>
    /// The batch's rows in one transaction through <see cref="Transaction.ExecuteForEachAsync{TRow}"/>: at full load this
    /// writer shares the cores with the checks themselves, so it neither re-binds a dozen named parameters per row (what a
    /// list passed to Dapper does) nor, on a server database, waits for a round trip per row.
    /// </summary>
    private async Task WriteAsync(List<AuditRecord> batch, CancellationToken cancellationToken)
    {
        await using var transaction = await database.BeginAsync(cancellationToken);
        await transaction.ExecuteForEachAsync(InsertSql, Columns, batch, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }
}
