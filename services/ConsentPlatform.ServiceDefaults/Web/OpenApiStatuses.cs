using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.OpenApi;

namespace ConsentPlatform.ServiceDefaults.Web;

/// <summary>
/// What every operation can answer besides what its handler declares, added from the endpoint's
/// own metadata so the documents stay true as endpoints change: the API-key security scheme and,
/// where they apply, 400 (the input filter and the bad-request handler), 401/403 (authorization),
/// 404 (a path parameter that names nothing), 415 (a body of the wrong type) and 429 (rate limit).
/// </summary>
public static class OpenApiStatuses
{
    public const string SecuritySchemeName = "apiKey";

    public static void Describe(OpenApiOptions options)
    {
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[SecuritySchemeName] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "An organization API key (cpk_…), as Authorization: Bearer <key> or X-Api-Key: <key>.",
            };
            return Task.CompletedTask;
        });
        options.AddOperationTransformer((operation, context, _) =>
        {
            var metadata = context.Description.ActionDescriptor.EndpointMetadata;
            var parameters = context.Description.ParameterDescriptions;
            operation.Responses ??= new OpenApiResponses();
            void Declare(int status, string description) => operation.Responses.TryAdd(status.ToString(System.Globalization.CultureInfo.InvariantCulture), new OpenApiResponse { Description = description });

            if (parameters.Count > 0 || operation.RequestBody is not null)
                Declare(StatusCodes.Status400BadRequest, "Bad input: problem details naming the field (JSON path) or parameter.");
            if (metadata.OfType<IAuthorizeData>().Any() && !metadata.OfType<IAllowAnonymous>().Any())
            {
                operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SecuritySchemeName, context.Document)] = [] }];
                Declare(StatusCodes.Status401Unauthorized, "No API key, or an unknown or revoked one.");
                Declare(StatusCodes.Status403Forbidden, "The key lacks this service's scope.");
            }
            if (parameters.Any(p => p.Source == BindingSource.Path))
                Declare(StatusCodes.Status404NotFound, "Nothing with that id for this organization.");
            if (operation.RequestBody is not null)
                Declare(StatusCodes.Status415UnsupportedMediaType, "The body is not of a content type this operation reads.");
            if (metadata.OfType<EnableRateLimitingAttribute>().Any())
                Declare(StatusCodes.Status429TooManyRequests, "Too many requests from this client; Retry-After says when to try again.");
            return Task.CompletedTask;
        });
    }
}
