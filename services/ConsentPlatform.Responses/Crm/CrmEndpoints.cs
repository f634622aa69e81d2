using System.Security.Cryptography;
using ConsentPlatform.Responses.ResponseForm;
using ConsentPlatform.ServiceDefaults.Identity;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConsentPlatform.Responses.Crm;

public sealed record ConnectorCreated(ConnectorInfo Connector, string? SigningSecret);
/// <param name="Preferences">Preference changes from every channel after <c>preferencesAfter</c>, oldest first: a contact's last one is its current preference.</param>
public sealed record FeedPage(IReadOnlyList<CrmResponse> Items, long Cursor, bool More, IReadOnlyList<FeedPreference> Preferences, long PreferenceCursor, bool MorePreferences);
public sealed record FeedPreference(long Sequence, CrmPreference Preference);
public sealed record DeliveryInfo(
    string DeliveryId, string ConnectorId, string ResponseId, string Status, int Attempts, DateTimeOffset NextAttemptAt,
    string? LastError, DateTimeOffset CreatedAt, DateTimeOffset? DeliveredAt)
{
    public static DeliveryInfo From(Delivery d) => new(d.DeliveryId, d.ConnectorId, d.ResponseId, d.Status, d.Attempts,
        DateTimeOffset.FromUnixTimeMilliseconds(d.NextAttemptAt), d.LastError, DateTimeOffset.FromUnixTimeMilliseconds(d.CreatedAt),
        d.DeliveredAt is { } at ? DateTimeOffset.FromUnixTimeMilliseconds(at) : null);
}

/// <summary>The organization's API: responses, the pull feed, connectors and the delivery log.</summary>
public static class CrmEndpoints
{
    public const int MaxPage = 500;

    public static void MapCrmApi(this RouteGroupBuilder api)
    {
        api.MapGet("/responses", async Task<Results<Ok<IReadOnlyList<CrmResponse>>, ValidationProblem>> (
                string? status, bool? flagged, DateTimeOffset? from, DateTimeOffset? to, long? before, int? take, HttpContext context, ResponseStore store) =>
            {
                if (status is not null && !ResponseInput.Statuses.Contains(status))
                    return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["status"] = [$"Unknown status; one of {string.Join(", ", ResponseInput.Statuses)}."] });
                var rows = await store.ListAsync(context.User.OrganizationId(), new ResponseFilter(status, flagged, from, to), null, before, Math.Clamp(take ?? 100, 1, MaxPage), context.RequestAborted);
                return TypedResults.Ok<IReadOnlyList<CrmResponse>>(rows.Select(CrmResponse.From).ToList());
            })
            .WithSummary("Responses, newest first, with filters (status, flagged, from, to) and paging by sequence (before)");

        api.MapGet("/feed", async Task<Ok<FeedPage>> (long? after, long? preferencesAfter, int? take, HttpContext context, ResponseStore store, ResponsesDatabase database) =>
            {
                var size = Math.Clamp(take ?? 100, 1, MaxPage);
                var cursor = Math.Max(after ?? 0, 0);
                var preferenceCursor = Math.Max(preferencesAfter ?? 0, 0);
                var organizationId = context.User.OrganizationId();
                var rows = await store.ListAsync(organizationId, new ResponseFilter(), cursor, null, size, context.RequestAborted);
                var changes = await PreferenceChangeConsumer.ListAsync(database, organizationId, preferenceCursor, size, context.RequestAborted);
                return TypedResults.Ok(new FeedPage(rows.Select(CrmResponse.From).ToList(), rows.Count > 0 ? rows[^1].Sequence : cursor, rows.Count == size,
                    changes.Select(c => new FeedPreference(c.Sequence, c.Preference)).ToList(), changes.Count > 0 ? changes[^1].Sequence : preferenceCursor, changes.Count == size));
            })
            .WithSummary("Pull feed for CRMs that poll: responses and preference changes (every channel) after their cursors, oldest first")
            .WithDescription("Start with after=0 and preferencesAfter=0; pass the returned cursor and preferenceCursor next time. Neither list is ever reordered, " +
                "so a cursor is never skipped past. A contact's latest preference change is its current preference, whichever channel it came from.");

        api.MapGet("/connectors", async Task<Ok<IReadOnlyList<ConnectorInfo>>> (HttpContext context, ConnectorStore store) =>
                TypedResults.Ok<IReadOnlyList<ConnectorInfo>>((await store.ListAsync(context.User.OrganizationId(), context.RequestAborted)).Select(ConnectorInfo.From).ToList()))
            .WithSummary("The organization's CRM connectors (secrets are never returned)");

        api.MapPost("/connectors", async Task<Results<Created<ConnectorCreated>, ValidationProblem>> (
                ConnectorInput input, HttpContext context, ConnectorStore store, OutboundUrlPolicy policy) =>
            {
                var errors = await input.ValidateAsync(null, policy, context.RequestAborted);
                if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
                var generated = input.Kind == ConnectorKinds.Webhook && string.IsNullOrWhiteSpace(input.Secret);
                var secret = generated ? NewSecret() : input.Secret!.Trim();
                var connector = await store.CreateAsync(context.User.OrganizationId(), input, secret, context.RequestAborted);
                return TypedResults.Created($"/api/responses/connectors/{connector.ConnectorId}",
                    new ConnectorCreated(ConnectorInfo.From(connector), generated ? secret : null));
            })
            .WithSummary("Add a webhook or Salesforce connector; every later response is delivered to it")
            .WithDescription("The url must be https and lead to a public address. Webhook: a signing secret generated for you is returned once; " +
                "a secret you give is never returned. Salesforce: url is the org's My Domain URL.");

        api.MapPut("/connectors/{connectorId}", async Task<Results<Ok<ConnectorInfo>, ValidationProblem, NotFound>> (
                string connectorId, ConnectorInput input, HttpContext context, ConnectorStore store, OutboundUrlPolicy policy) =>
            {
                var existing = (await store.ListAsync(context.User.OrganizationId(), context.RequestAborted)).FirstOrDefault(c => c.ConnectorId == connectorId);
                if (existing is null) return TypedResults.NotFound();
                var errors = await input.ValidateAsync(existing, policy, context.RequestAborted);
                if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
                var updated = await store.UpdateAsync(context.User.OrganizationId(), connectorId, input, ConnectorInput.Clean(input.Secret), context.RequestAborted);
                return updated is null ? TypedResults.NotFound() : TypedResults.Ok(ConnectorInfo.From(updated));
            })
            .WithSummary("Change a connector (name, url, enabled, credentials; an empty secret keeps the stored one, unless the url changes: then the secret is required)");

        api.MapGet("/deliveries", async Task<Results<Ok<IReadOnlyList<DeliveryInfo>>, ValidationProblem>> (
                string? status, string? connectorId, long? before, int? take, HttpContext context, DeliveryStore store) =>
            {
                if (status is not null && status is not (DeliveryStatus.Pending or DeliveryStatus.Delivered or DeliveryStatus.Dead))
                    return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["status"] = ["Unknown status; one of pending, delivered, dead."] });
                var rows = await store.ListAsync(context.User.OrganizationId(), status, connectorId, before, Math.Clamp(take ?? 100, 1, MaxPage), context.RequestAborted);
                return TypedResults.Ok<IReadOnlyList<DeliveryInfo>>(rows.Select(DeliveryInfo.From).ToList());
            })
            .WithSummary("The delivery log; status=dead lists the dead letters");

        api.MapGet("/deliveries/{deliveryId}", async Task<Results<Ok<DeliveryInfo>, NotFound>> (string deliveryId, HttpContext context, DeliveryStore store) =>
                await store.FindAsync(context.User.OrganizationId(), deliveryId, context.RequestAborted) is { } d ? TypedResults.Ok(DeliveryInfo.From(d)) : TypedResults.NotFound())
            .WithSummary("One delivery with its attempts and last error");

        api.MapPost("/deliveries/{deliveryId}/redeliver", async Task<Results<Accepted, NotFound>> (string deliveryId, HttpContext context, DeliveryStore store, TimeProvider time) =>
                await store.RedeliverAsync(context.User.OrganizationId(), deliveryId, time.GetUtcNow(), context.RequestAborted)
                    ? TypedResults.Accepted($"/api/responses/deliveries/{deliveryId}") : TypedResults.NotFound())
            .WithSummary("Put a dead letter (or a failing delivery) back in line with a fresh attempt budget");
    }

    public static string NewSecret() => "whsec_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
}
