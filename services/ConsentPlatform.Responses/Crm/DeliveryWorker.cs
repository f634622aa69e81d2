using System.Collections.Concurrent;
using ConsentPlatform.Responses.ResponseForm;
using ConsentPlatform.ServiceDefaults.Work;
using Polly;
using Polly.CircuitBreaker;

namespace ConsentPlatform.Responses.Crm;

/// <summary>
/// Sends due CRM deliveries. Retries live in the database (next_attempt_at with capped
/// exponential backoff), so they survive restarts; each connector has its own Polly circuit
/// breaker and timeout, so one CRM that is down neither slows the others nor burns the attempt
/// budget of its own deliveries (attempts refused by an open circuit are postponed, not counted).
/// </summary>
public sealed class DeliveryWorker(
    ResponsesDatabase database, DeliveryStore deliveries, ConnectorStore connectors, ResponseStore responses, WebhookSender webhook, SalesforceSender salesforce,
    OutboundUrlPolicy policy, ResponsesOptions options, TimeProvider time, ILogger<DeliveryWorker> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<string, (long Version, ResiliencePipeline Pipeline)> _pipelines = new();

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        new WorkLoop("CRM delivery worker", time, logger) { Poll = options.CrmPoll, Wake = deliveries.Signal }
            .RunAsync(async ct => await RunOnceAsync(ct) > 0, stoppingToken);

    /// <summary>One round: claims the deliveries first in line for their contact and sends them; returns how many were tried.</summary>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        var claimFor = options.CrmTimeout * 3 + TimeSpan.FromSeconds(5);
        var due = await deliveries.ClaimDueAsync(time.GetUtcNow(), claimFor, options.CrmBatchSize, ct);
        if (due.Count == 0) return 0;
        // Claimed rows are distinct contacts per connector, so sending them side by side keeps per-contact order.
        await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct },
            async (delivery, token) => await DeliverAsync(delivery, token));
        return due.Count;
    }

    private async Task DeliverAsync(Delivery delivery, CancellationToken ct)
    {
        var connector = await connectors.FindAsync(delivery.ConnectorId, ct);
        Func<CancellationToken, Task>? send = null;
        if (connector is not null && delivery.Kind == DeliveryKinds.Preference)
        {
            await using var connection = await database.OpenAsync(ct);
            if (await PreferenceChangeConsumer.FindAsync(connection, delivery.ResponseId, ct) is { } preference)
                send = token => webhook.SendAsync(connector, delivery.DeliveryId, preference, token);
        }
        else if (connector is not null && await responses.FindAsync(delivery.ResponseId, ct) is { } response)
        {
            var payload = CrmResponse.From(response);
            send = token => connector.Kind == ConnectorKinds.Salesforce
                ? salesforce.SendAsync(connector, delivery.DeliveryId, payload, token)
                : webhook.SendAsync(connector, delivery.DeliveryId, payload, token);
        }
        if (connector is null || send is null)
        {
            await deliveries.MarkFailedAsync(delivery, connector is null ? "The connector was deleted" : $"The {delivery.Kind} no longer exists", time.GetUtcNow(), 1, ct);
            return;
        }
        // Saved before the policy existed (or allowed by a setting since removed): never sent.
        if (policy.FormRefusal(connector.Url) is { } refused)
        {
            await deliveries.MarkFailedAsync(delivery, refused, time.GetUtcNow(), 1, ct);
            return;
        }
        if (!connector.Enabled)
        {
            await deliveries.PostponeAsync(delivery.Id, time.GetUtcNow().Add(options.CrmMaxBackoff), "Connector disabled; waiting", ct);
            return;
        }

        var pipeline = PipelineFor(connector);
        try
        {
            await pipeline.ExecuteAsync(async token => await send(token), ct);
            await deliveries.MarkDeliveredAsync(delivery.Id, time.GetUtcNow(), CancellationToken.None);
            logger.LogDebug("Delivered {DeliveryId} to connector {ConnectorId}", delivery.DeliveryId, connector.ConnectorId);
        }
        catch (BrokenCircuitException open)
        {
            var until = time.GetUtcNow().Add(open.RetryAfter ?? options.CrmBreakDuration);
            await deliveries.PostponeAsync(delivery.Id, until, "Circuit open: the CRM failed repeatedly; waiting before trying again", CancellationToken.None);
        }
        catch (Exception error) when (!ct.IsCancellationRequested)
        {
            var attempt = delivery.Attempts + 1;
            var next = time.GetUtcNow().Add(Backoff(attempt));
            await deliveries.MarkFailedAsync(delivery, $"{error.GetType().Name}: {error.Message}", next, options.CrmMaxAttempts, CancellationToken.None);
            if (attempt >= options.CrmMaxAttempts)
                logger.LogWarning("Delivery {DeliveryId} to connector {ConnectorId} is a dead letter after {Attempts} attempts: {Error}",
                    delivery.DeliveryId, connector.ConnectorId, attempt, error.Message);
        }
    }

    /// <summary>Capped exponential backoff with ±20 % jitter, so many deliveries do not retry in lock-step.</summary>
    public TimeSpan Backoff(int attempt)
    {
        var raw = options.CrmFirstRetry.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 20));
        var capped = Math.Min(raw, options.CrmMaxBackoff.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(capped * (0.8 + Random.Shared.NextDouble() * 0.4));
    }

    private ResiliencePipeline PipelineFor(Connector connector)
    {
        if (_pipelines.TryGetValue(connector.ConnectorId, out var known) && known.Version == connector.UpdatedAt) return known.Pipeline;
        var pipeline = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                FailureRatio = 0.5,
                MinimumThroughput = 5,
                SamplingDuration = TimeSpan.FromSeconds(30),
                BreakDuration = options.CrmBreakDuration < TimeSpan.FromMilliseconds(500) ? TimeSpan.FromMilliseconds(500) : options.CrmBreakDuration,
                ShouldHandle = new PredicateBuilder().Handle<Exception>(e => e is not OperationCanceledException || e is Polly.Timeout.TimeoutRejectedException),
            })
            .AddTimeout(options.CrmTimeout)
            .Build();
        _pipelines[connector.ConnectorId] = (connector.UpdatedAt, pipeline);
        return pipeline;
    }
}
