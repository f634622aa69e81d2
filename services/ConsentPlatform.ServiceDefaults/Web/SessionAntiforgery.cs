using ConsentPlatform.ServiceDefaults.Identity;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ConsentPlatform.ServiceDefaults.Web;

/// <summary>
/// Antiforgery for every state change a signed-in browser makes (ADR 0017). ASP.NET checks the
/// token only on endpoints that bind a form, so a cookie-authenticated POST that reads nothing
/// (sign out, withdraw a number, redeliver) or reads JSON ran for any site that could make the
/// browser send it. Here every POST, PUT, PATCH and DELETE whose caller is the session cookie must
/// carry the session's token, in the form field or the <c>RequestVerificationToken</c> header.
/// Requests with an API key are not checked (a browser never adds one to a cross-site request),
/// nor endpoints that opt out with their own proof (the public forms' FormTokens, signed webhooks).
/// </summary>
public static class SessionAntiforgery
{
    public static void UseSessionAntiforgery(this WebApplication app) =>
        // Not async unless a token must be checked: API-key and anonymous requests pass straight through.
        app.Use(static (context, next) => NeedsToken(context) ? CheckThenNextAsync(context, next) : next(context));

    private static async Task CheckThenNextAsync(HttpContext context, RequestDelegate next)
    {
        if (!await context.RequestServices.GetRequiredService<IAntiforgery>().IsRequestValidAsync(context))
        {
            var options = context.RequestServices.GetRequiredService<IOptions<AntiforgeryOptions>>().Value;
            await Results.ValidationProblem(
                new Dictionary<string, string[]>
                {
                    [options.FormFieldName] = [$"A signed-in change needs the page's antiforgery token (form field {options.FormFieldName} or header {options.HeaderName}); reload the page and try again."],
                },
                title: "The request did not come from one of our pages.").ExecuteAsync(context);
            return;
        }
        await next(context);
    }

    private static bool NeedsToken(HttpContext context) =>
        !(HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)
          || HttpMethods.IsOptions(context.Request.Method) || HttpMethods.IsTrace(context.Request.Method))
        && context.User.Identity is { IsAuthenticated: true, AuthenticationType: Authentication.SessionScheme }
        // Endpoints that bind a form were already checked by UseAntiforgery; their binding refuses a bad token.
        && context.Features.Get<IAntiforgeryValidationFeature>() is null
        && context.GetEndpoint()?.Metadata.GetMetadata<IAntiforgeryMetadata>() is not { RequiresValidation: false };
}
