using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json;
using ConsentPlatform.ServiceDefaults.Data;
using ConsentPlatform.ServiceDefaults.Telemetry;
using ConsentPlatform.ServiceDefaults.Work;
using Dapper;
using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ConsentPlatform.ServiceDefaults.Messaging;

/// <summary>
/// Publishes committed outbox rows. It claims a batch (so several relays never publish the
/// same claimed row), publishes with publisher confirms, then marks the rows sent. A relay that
/// dies between publish and mark-sent leaves its claim to expire (on a server database, its row
/// locks to drop with its connection), and another publishes again with the same MessageId:
/// at-least-once, and the consumers' inbox makes it once in effect.
/// </summary>
public sealed class OutboxRelay<TDatabase>(
    TDatabase database, IBus bus, PlatformOptions options, ILogger<OutboxRelay<TDatabase>> logger, IHostApplicationLifetime? lifetime = null) : BackgroundService
    where TDatabase : ServiceDatabase
{
    private static readonly Meter Meter = new("ConsentPlatform.Outbox");
    private static readonly Counter<long> Published = Meter.CreateCounter<long>("outbox.published");
    private static readonly Dictionary<string, Type> ContractTypes = typeof(Contracts.Channels).Assembly.GetExportedTypes()
        .Where(t => t.FullName is not null).ToDictionary(t => t.FullName!, StringComparer.Ordinal);

    /// <summary>Distinguishes relays in the claim column (one per process and database).</summary>
    public string RelayId { get; } = $"{Environment.ProcessId}-{Guid.NewGuid():N}";

    private bool HoldsByLock => database.Dialect.LockOutboxBatch is not null;

    private sealed record Row(long Id, string MessageId, string MessageType, string Body, string? TraceParent);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The relay starts before the bus (the database registers it first). A row published before
        // the consumers' endpoints are bound reaches no queue on the in-memory transport (the embedded
        // default) and is still marked sent: rows left from before a restart were lost that way.
        if (lifetime is not null && !await StartedAsync(lifetime.ApplicationStarted, stoppingToken)) return;
        var cleanedAt = database.Time.GetTimestamp();
        var loop = new WorkLoop($"Outbox relay for {database.Name}", database.Time, logger)
        {
            Poll = TimeSpan.FromMilliseconds(options.OutboxPollMilliseconds),
            Wake = database.OutboxSignal,
            // Broker or database unavailable: nothing is lost, unsent rows stay in the table.
            FirstBackoff = TimeSpan.FromMilliseconds(500),
        };
        await loop.RunAsync(async ct =>
        {
            var published = await RelayBatchAsync(ct);
            if (database.Time.GetElapsedTime(cleanedAt) > TimeSpan.FromMinutes(10))
            {
                await DeleteSentAsync(TimeSpan.FromDays(7), ct);
                cleanedAt = database.Time.GetTimestamp();
            }
            return published > 0;
        }, stoppingToken);
    }

    private static async Task<bool> StartedAsync(CancellationToken started, CancellationToken stopping)
    {
        var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (started.Register(() => signal.TrySetResult()))
        using (stopping.Register(() => signal.TrySetCanceled(stopping)))
        {
            try { await signal.Task; }
            catch (OperationCanceledException) { return false; }
        }
        return true;
    }

    /// <summary>Claims, publishes and marks one batch; returns how many rows were published.</summary>
    public async Task<int> RelayBatchAsync(CancellationToken cancellationToken)
    {
        if (!await AnyUnsentAsync(cancellationToken)) return 0;
        // A server database: one transaction holds the rows' locks from the claim to the mark (SqlDialect.LockOutboxBatch).
        await using var held = HoldsByLock ? await database.BeginAsync(cancellationToken) : null;
        var rows = held is null ? await ClaimAsync(cancellationToken) : await LockAsync(held, cancellationToken);
        if (rows.Count == 0) return 0;

        using var publishTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        publishTimeout.CancelAfter(TimeSpan.FromSeconds(Math.Max(5, options.OutboxClaimSeconds / 2)));
        var results = await Task.WhenAll(rows.Select(row => PublishAsync(row, publishTimeout.Token)));

        var sent = rows.Where((_, i) => results[i] is null).ToArray();
        var failed = rows.Where((_, i) => results[i] is not null).Select(r => r.Id).ToArray();
        var error = results.FirstOrDefault(r => r is not null);
        await using (var transaction = held is null ? await database.BeginAsync(cancellationToken) : null)
        {
            var finishing = held ?? transaction!;
            await MarkSentAsync(finishing, sent.Where(r => !Outbox.ForgottenOncePublished.Contains(r.MessageType)).Select(r => r.Id).ToArray(),
                sent.Where(r => Outbox.ForgottenOncePublished.Contains(r.MessageType)).Select(r => r.Id).ToArray(), cancellationToken);
            if (error is not null) await ReleaseAsync(finishing, failed, error, cancellationToken);
            await finishing.CommitAsync(cancellationToken);
        }
        Published.Add(sent.Length, new KeyValuePair<string, object?>("database", database.Name));

        if (error is not null)
            throw new InvalidOperationException($"{failed.Length} of {rows.Count} outbox messages could not be published", error);
        return sent.Length;
    }

    private async Task<Exception?> PublishAsync(Row row, CancellationToken cancellationToken)
    {
        try
        {
            var type = ContractTypes.GetValueOrDefault(row.MessageType)
                ?? throw new InvalidOperationException($"Unknown message type {row.MessageType}");
            var message = JsonSerializer.Deserialize(row.Body, type, Outbox.Json)!;
            var messageId = Guid.Parse(row.MessageId);
            // Publishing inside the writer's trace makes MassTransit's send span (and so every consumer's) its child.
            using var activity = row.TraceParent is { } parent && ActivityContext.TryParse(parent, null, out var context)
                ? PlatformTelemetry.Source.StartActivity("outbox publish " + type.Name, ActivityKind.Producer, context)
                : null;
            await bus.Publish(message, type, Pipe.Execute<PublishContext>(context => context.MessageId = messageId), cancellationToken);
            return null;
        }
        catch (Exception error)
        {
            return error;
        }
    }

    private async Task<bool> AnyUnsentAsync(CancellationToken cancellationToken)
    {
        // Nothing to claim is the common case when idle: a read needs no write lock.
        await using var reader = await database.OpenAsync(cancellationToken);
        const string any = "SELECT CASE WHEN EXISTS (SELECT 1 FROM outbox_messages WHERE sent_at IS NULL) THEN 1 ELSE 0 END";
        return await reader.ExecuteScalarAsync<long>(new CommandDefinition(any, cancellationToken: cancellationToken)) != 0;
    }

    private async Task<IReadOnlyList<Row>> ClaimAsync(CancellationToken cancellationToken)
    {
        await using var transaction = await database.BeginAsync(cancellationToken);
        var now = database.Time.GetUtcNow();
        var rows = (await transaction.Connection.QueryAsync<Row>(new CommandDefinition(database.Dialect.ClaimOutboxBatch, new
        {
            relay = RelayId,
            now = now.ToUnixTimeMilliseconds(),
            until = now.AddSeconds(options.OutboxClaimSeconds).ToUnixTimeMilliseconds(),
            batch = options.OutboxBatchSize,
        }, transaction.Inner, cancellationToken: cancellationToken))).OrderBy(r => r.Id).ToList();
        await transaction.CommitAsync(cancellationToken);
        return rows;
    }

    private async Task<IReadOnlyList<Row>> LockAsync(Transaction transaction, CancellationToken cancellationToken) =>
        (await transaction.Connection.QueryAsync<Row>(new CommandDefinition(database.Dialect.LockOutboxBatch!, new
        {
            now = database.Time.GetUtcNow().ToUnixTimeMilliseconds(),
            batch = options.OutboxBatchSize,
        }, transaction.Inner, cancellationToken: cancellationToken))).AsList();

    /// <summary>
    /// Marks <paramref name="kept"/> sent (kept a while for inspection) and deletes <paramref name="forgotten"/> at once.
    /// A claim written in the table is checked to be still this relay's (it may have expired and been taken);
    /// a row held by lock cannot have been, and its publish is counted here instead of at the claim.
    /// </summary>
    private async Task MarkSentAsync(Transaction transaction, long[] kept, long[] forgotten, CancellationToken cancellationToken)
    {
        var inIds = database.Dialect.InList("@ids");
        var mine = HoldsByLock ? "" : " AND claimed_by = @relay";
        var counted = HoldsByLock ? ", attempts = attempts + 1" : "";
        if (kept.Length > 0)
            await transaction.Connection.ExecuteAsync(new CommandDefinition(
                $"UPDATE outbox_messages SET sent_at = @now, claimed_until = NULL, last_error = NULL{counted} WHERE id {inIds}{mine}",
                new { ids = kept, relay = RelayId, now = database.Time.GetUtcNow().ToUnixTimeMilliseconds() }, transaction.Inner, cancellationToken: cancellationToken));
        if (forgotten.Length > 0)
            await transaction.Connection.ExecuteAsync(new CommandDefinition($"DELETE FROM outbox_messages WHERE id {inIds}{mine}",
                new { ids = forgotten, relay = RelayId }, transaction.Inner, cancellationToken: cancellationToken));
    }

    private async Task ReleaseAsync(Transaction transaction, long[] ids, Exception error, CancellationToken cancellationToken)
    {
        var release = HoldsByLock ? "attempts = attempts + 1" : "claimed_until = NULL";
        var mine = HoldsByLock ? "" : " AND claimed_by = @relay";
        var sql = $"""
            UPDATE outbox_messages SET {release}, last_error = @error
            WHERE id {database.Dialect.InList("@ids")}{mine} AND sent_at IS NULL
            """;
        var message = error.GetType().Name + ": " + error.Message;
        await transaction.Connection.ExecuteAsync(new CommandDefinition(sql, new { ids, relay = RelayId, error = message[..Math.Min(message.Length, 1000)] }, transaction.Inner, cancellationToken: cancellationToken));
    }

    private async Task DeleteSentAsync(TimeSpan olderThan, CancellationToken cancellationToken)
    {
        await using var transaction = await database.BeginAsync(cancellationToken);
        const string sql = "DELETE FROM outbox_messages WHERE sent_at IS NOT NULL AND sent_at < @before";
        await transaction.Connection.ExecuteAsync(new CommandDefinition(sql, new { before = database.Time.GetUtcNow().Subtract(olderThan).ToUnixTimeMilliseconds() }, transaction.Inner, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
    }
}
