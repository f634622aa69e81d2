using ConsentPlatform.Responses.Crm;
using ConsentPlatform.Responses.ResponseForm;
using ConsentPlatform.ServiceDefaults.Identity;
using ConsentPlatform.ServiceDefaults.Web;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace ConsentPlatform.Responses.Organization;

/// <summary>Pages for the organization's staff (cookie session from /signin): responses, connectors, delivery log.</summary>
public static class OrganizationPages
{
    public static void MapOrganizationPages(this IEndpointRouteBuilder app)
    {
        var pages = app.MapGroup("/responses").RequireAuthorization(Scopes.Responses).ExcludeFromDescription();

        pages.MapGet("/list", async (string? status, string? flagged, string? from, string? to, long? before, HttpContext context, ResponseStore store, IAntiforgery antiforgery) =>
        {
            var filter = new ResponseFilter(
                ResponseInput.Statuses.Contains(status ?? "") ? status : null,
                flagged is "yes" ? true : flagged is "no" ? false : null,
                DateOnly.TryParse(from, out var f) ? new DateTimeOffset(f.ToDateTime(TimeOnly.MinValue), TimeSpan.FromHours(9)) : null,
                DateOnly.TryParse(to, out var t) ? new DateTimeOffset(t.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.FromHours(9)) : null);
            var rows = await store.ListAsync(context.User.OrganizationId(), filter, null, before, 50, context.RequestAborted);
            return new RazorComponentResult<ResponsesListPage>(new
            {
                Rows = rows, Status = filter.Status, Flagged = flagged, From = from, To = to,
                SignedInAs = PlatformPages.SignedInAs(context.User), Tokens = antiforgery.GetAndStoreTokens(context),
            });
        });

        pages.MapGet("/connectors", async (HttpContext context, ConnectorStore store, IAntiforgery antiforgery) =>
            await ConnectorsPage(context, store, antiforgery, new ConnectorInput { Kind = ConnectorKinds.Webhook }, null, null));

        pages.MapPost("/connectors", async (HttpContext context, ConnectorStore store, IAntiforgery antiforgery, OutboundUrlPolicy policy, [FromForm] ConnectorInput input) =>
        {
            var errors = await input.ValidateAsync(null, policy, context.RequestAborted);
            if (errors.Count > 0)
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                return await ConnectorsPage(context, store, antiforgery, input, errors, null);
            }
            var secret = input.Kind == ConnectorKinds.Webhook && string.IsNullOrWhiteSpace(input.Secret) ? CrmEndpoints.NewSecret() : input.Secret!.Trim();
            var created = await store.CreateAsync(context.User.OrganizationId(), input, secret, context.RequestAborted);
            var notice = created.Kind == ConnectorKinds.Webhook
                ? $"Connector “{created.Name}” added. Its signing secret (shown only now): {secret}"
                : $"Connector “{created.Name}” added.";
            return await ConnectorsPage(context, store, antiforgery, new ConnectorInput { Kind = ConnectorKinds.Webhook }, null, notice);
        });

        pages.MapPost("/connectors/{connectorId}/enabled", async (string connectorId, [FromForm] bool enabled, HttpContext context, ConnectorStore store, IAntiforgery antiforgery) =>
        {
            var existing = (await store.ListAsync(context.User.OrganizationId(), context.RequestAborted)).FirstOrDefault(c => c.ConnectorId == connectorId);
            if (existing is null) return Results.NotFound();
            await store.UpdateAsync(context.User.OrganizationId(), connectorId,
                new ConnectorInput { Kind = existing.Kind, Name = existing.Name, Url = existing.Url, Enabled = enabled, ClientId = existing.ClientId, ExternalIdField = existing.ExternalIdField }, null, context.RequestAborted);
            return Results.LocalRedirect("/responses/connectors");
        });

        pages.MapGet("/deliveries", async (string? status, string? connectorId, long? before, HttpContext context, DeliveryStore store, ConnectorStore connectors, IAntiforgery antiforgery) =>
        {
            var filter = status is DeliveryStatus.Pending or DeliveryStatus.Delivered or DeliveryStatus.Dead ? status : null;
            var rows = await store.ListAsync(context.User.OrganizationId(), filter, string.IsNullOrWhiteSpace(connectorId) ? null : connectorId, before, 100, context.RequestAborted);
            return new RazorComponentResult<DeliveriesPage>(new
            {
                Rows = rows, Status = filter, Connectors = await connectors.ListAsync(context.User.OrganizationId(), context.RequestAborted),
                SignedInAs = PlatformPages.SignedInAs(context.User), Tokens = antiforgery.GetAndStoreTokens(context),
            });
        });

        pages.MapPost("/deliveries/{deliveryId}/redeliver", async (string deliveryId, HttpContext context, DeliveryStore store, TimeProvider time) =>
            await store.RedeliverAsync(context.User.OrganizationId(), deliveryId, time.GetUtcNow(), context.RequestAborted)
                ? Results.LocalRedirect("/responses/deliveries?status=dead") : Results.NotFound());
    }

    private static async Task<IResult> ConnectorsPage(HttpContext context, ConnectorStore store, IAntiforgery antiforgery, ConnectorInput input,
        Dictionary<string, string[]>? errors, string? notice) =>
        new RazorComponentResult<ConnectorsPage>(new
        {
            Connectors = await store.ListAsync(context.User.OrganizationId(), context.RequestAborted),
            Input = input, Errors = errors ?? new Dictionary<string, string[]>(), Notice = notice,
            SignedInAs = PlatformPages.SignedInAs(context.User), Tokens = antiforgery.GetAndStoreTokens(context),
        });
}
