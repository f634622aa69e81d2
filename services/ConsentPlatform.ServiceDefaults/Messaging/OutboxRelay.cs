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
/// dies between publish and mark-sent leaves its claim to expire, and another publishes again
/// with the same MessageId: at-least-once, and the consumers' inbox makes it once in effect.
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
        var rows = await ClaimAsync(cancellationToken);
        if (rows.Count == 0) return 0;

        using var publishTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        publishTimeout.CancelAfter(TimeSpan.FromSeconds(Math.Max(5, options.OutboxClaimSeconds / 2)));
        var results = await Task.WhenAll(rows.Select(row => PublishAsync(row, publishTimeout.Token)));

        var sent = rows.Where((_, i) => results[i] is null).ToArray();
        await MarkSentAsync(sent.Where(r => !Outbox.ForgottenOncePublished.Contains(r.MessageType)).Select(r => r.Id).ToArray(),
            sent.Where(r => Outbox.ForgottenOncePublished.Contains(r.MessageType)).Select(r => r.Id).ToArray(), cancellationToken);
        Published.Add(sent.Length, new KeyValuePair<string, object?>("database", database.Name));

        var failed = rows.Where((_, i) => results[i] is not null).ToArray();
        if (failed.Length > 0)
        {
            await ReleaseAsync(failed.Select(r => r.Id).ToArray(), results.First(r => r is not null)!, cancellationToken);
            throw new InvalidOperationException($"{failed.Length} of {rows.Count} outbox messages could not be published", results.First(r => r is not null));
        }
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

    private async Task<IReadOnlyList<Row>> ClaimAsync(CancellationToken cancellationToken)
    {
        // Nothing to claim is the common case when idle: a read needs no write lock.
        await using (var reader = await database.OpenAsync(cancellationToken))
        {
            const string any = "SELECT CASE WHEN EXISTS (SELECT 1 FROM outbox_messages WHERE sent_at IS NULL) THEN 1 ELSE 0 END";
            if (await reader.ExecuteScalarAsync<long>(new CommandDefinition(any, cancellationToken: cancellationToken)) == 0) return [];
        }

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

    /// <summary>Marks <paramref name="kept"/> sent (kept a while for inspection) and deletes <paramref name="forgotten"/> at once.</summary>
    private async Task MarkSentAsync(long[] kept, long[] forgotten, CancellationToken cancellationToken)
    {
        if (kept.Length + forgotten.Length == 0) return;
        await using var transaction = await database.BeginAsync(cancellationToken);
        var inIds = database.Dialect.InList("@ids");
        var sql = $"""
            UPDATE outbox_messages SET sent_at = @now, claimed_until = NULL, last_error = NULL
            WHERE id {inIds} AND claimed_by = @relay
            """;
        var delete = $"DELETE FROM outbox_messages WHERE id {inIds} AND claimed_by = @relay";
        if (kept.Length > 0)
            await transaction.Connection.ExecuteAsync(new CommandDefinition(sql, new { ids = kept, relay = RelayId, now = database.Time.GetUtcNow().ToUnixTimeMilliseconds() }, transaction.Inner, cancellationToken: cancellationToken));
        if (forgotten.Length > 0)
            await transaction.Connection.ExecuteAsync(new CommandDefinition(delete, new { ids = forgotten, relay = RelayId }, transaction.Inner, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
    }

    private async Task ReleaseAsync(long[] ids, Exception error, CancellationToken cancellationToken)
    {
        await using var transaction = await database.BeginAsync(cancellationToken);
        var sql = $"""
            UPDATE outbox_messages SET claimed_until = NULL, last_error = @error
            WHERE id {database.Dialect.InList("@ids")} AND claimed_by = @relay AND sent_at IS NULL
            """;
        var message = error.GetType().Name + ": " + error.Message;
        await transaction.Connection.ExecuteAsync(new CommandDefinition(sql, new { ids, relay = RelayId, error = message[..Math.Min(message.Length, 1000)] }, transaction.Inner, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
    }

    private async Task DeleteSentAsync(TimeSpan olderThan, CancellationToken cancellationToken)
    {
        await using var transaction = await database.BeginAsync(cancellationToken);
        const string sql = "DELETE FROM outbox_messages WHERE sent_at IS NOT NULL AND sent_at < @before";
        await transaction.Connection.ExecuteAsync(new CommandDefinition(sql, new { before = database.Time.GetUtcNow().Subtract(olderThan).ToUnixTimeMilliseconds() }, transaction.Inner, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
    }
}
