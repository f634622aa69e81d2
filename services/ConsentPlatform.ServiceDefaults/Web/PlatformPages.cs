using System.Reflection;
using System.Security.Claims;
using ConsentPlatform.ServiceDefaults.Identity;
using ConsentPlatform.ServiceDefaults.Recipients;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace ConsentPlatform.ServiceDefaults.Web;

/// <summary>The landing page, the stylesheet and icon, and signing in with an organization key.</summary>
public static class PlatformPages
{
    public static void MapPlatformPages(this IEndpointRouteBuilder app)
    {
        app.MapAsset("/assets/site.css", "site.css", "text/css; charset=utf-8");
        // The layout links the SVG; browsers, bookmarks and feed readers still ask for /favicon.ico
        // by name, and every service answers it rather than logging a 404 per page view.
        app.MapAsset("/assets/favicon.svg", "favicon.svg", "image/svg+xml");
        app.MapAsset("/favicon.ico", "favicon.ico", "image/x-icon");

        app.MapGet("/", (string? lang, HttpContext context, PlatformModules modules, IAntiforgery antiforgery) =>
        {
            var language = RecipientLanguage.Resolve(context.Request, lang);
            return new RazorComponentResult<LandingPage>(new
            {
                Title = modules.All.Count == 1 ? $"ConsentPlatform — {modules.All[0].TitleIn(language)}" : "ConsentPlatform",
                Lang = language,
                Modules = modules.All,
                SignedInAs = SignedInAs(context.User),
                Antiforgery = antiforgery.GetAndStoreTokens(context),
            });
        }).ExcludeFromDescription();

        app.MapGet("/signin", (HttpContext context, IAntiforgery antiforgery, string? returnUrl, string? lang) =>
            new RazorComponentResult<SignInPage>(new
            {
                Tokens = antiforgery.GetAndStoreTokens(context), ReturnUrl = returnUrl, Lang = RecipientLanguage.Resolve(context.Request, lang),
            }))
            .ExcludeFromDescription();

        app.MapPost("/signin", async Task<IResult> (HttpContext context, IAntiforgery antiforgery, IdentityStore store,
            [FromForm] string? key, [FromForm] string? returnUrl, [FromForm] string? lang) =>
        {
            var caller = string.IsNullOrWhiteSpace(key) ? null : await store.ValidateAsync(key, context.RequestAborted);
            if (caller is null)
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                return new RazorComponentResult<SignInPage>(new
                {
                    Tokens = antiforgery.GetAndStoreTokens(context),
                    ReturnUrl = returnUrl,
                    Lang = RecipientLanguage.Resolve(context.Request, lang),
                    Error = true,
                });
            }
            await context.SignInAsync(Authentication.SessionScheme, caller.ToPrincipal(Authentication.SessionScheme));
            // Only local paths: an open redirect here would turn the sign-in page into a phishing tool.
            var target = returnUrl is { Length: > 0 } && returnUrl.StartsWith('/') && !returnUrl.StartsWith("//") && !returnUrl.StartsWith("/\\") ? returnUrl : "/";
            return Results.LocalRedirect(target);
        }).RequireRateLimiting(Extensions.PublicRateLimit).ExcludeFromDescription();

        app.MapPost("/signout", async (HttpContext context) =>
        {
            await context.SignOutAsync(Authentication.SessionScheme);
            return Results.LocalRedirect("/");
        }).ExcludeFromDescription();
    }

    public static string? SignedInAs(ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated == true ? user.FindFirstValue(ClaimTypes.Name) : null;

    private static void MapAsset(this IEndpointRouteBuilder app, string path, string name, string contentType)
    {
        var bytes = ReadAsset(name);
        app.MapGet(path, (HttpContext context) =>
        {
            context.Response.Headers.CacheControl = "public, max-age=86400";
            return Results.Bytes(bytes, contentType);
        }).ExcludeFromDescription();
    }

    private static byte[] ReadAsset(string name)
    {
        var assembly = Assembly.GetExecutingAssembly();
        using var stream = assembly.GetManifestResourceStream($"{assembly.GetName().Name}.Assets.{name}")
            ?? throw new InvalidOperationException($"Missing embedded asset {name}");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }
}
