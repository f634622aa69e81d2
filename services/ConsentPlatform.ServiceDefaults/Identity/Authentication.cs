using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ConsentPlatform.ServiceDefaults.Identity;

/// <summary>
/// Organization credentials for every service: an API key (Authorization: Bearer cpk_… or
/// X-Api-Key) for machines, and a cookie session made from a key on the sign-in page for people.
/// </summary>
public static class Authentication
{
    public const string Scheme = "Organization";
    public const string ApiKeyScheme = "ApiKey";
    public const string SessionScheme = "Session";

    public static void AddPlatformAuthentication(this IServiceCollection services)
    {
        services.AddAuthentication(Scheme)
            .AddPolicyScheme(Scheme, "API key or session", o =>
                o.ForwardDefaultSelector = context => HasApiKey(context.Request) ? ApiKeyScheme : SessionScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyHandler>(ApiKeyScheme, null)
            .AddCookie(SessionScheme, o =>
            {
                o.Cookie.Name = "cp_session";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.LoginPath = "/signin";
                o.AccessDeniedPath = "/signin";
                o.ExpireTimeSpan = TimeSpan.FromHours(8);
                o.SlidingExpiration = true;
                o.Events.OnRedirectToLogin = context => ApiOrRedirect(context, StatusCodes.Status401Unauthorized);
                o.Events.OnRedirectToAccessDenied = context => ApiOrRedirect(context, StatusCodes.Status403Forbidden);
                o.Events.OnValidatePrincipal = async context =>
                {
                    // A session lives only as long as the key it was made from.
                    var keyId = context.Principal?.FindFirstValue(PlatformClaims.KeyId);
                    var store = context.HttpContext.RequestServices.GetRequiredService<IdentityStore>();
                    if (keyId is null || !await store.IsActiveAsync(keyId, context.HttpContext.RequestAborted))
                    {
                        context.RejectPrincipal();
                        await context.HttpContext.SignOutAsync(SessionScheme);
                    }
                };
            });

        services.AddAuthorizationBuilder().AddScopePolicies();
    }

    private static void AddScopePolicies(this Microsoft.AspNetCore.Authorization.AuthorizationBuilder builder)
    {
        foreach (var scope in Scopes.All)
            builder.AddPolicy(scope, p => p.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser().RequireClaim(PlatformClaims.Scope, scope));
    }

    public static ClaimsPrincipal ToPrincipal(this Caller caller, string scheme)
    {
        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, caller.OrganizationId),
            new(ClaimTypes.Name, caller.LegalName),
            new(PlatformClaims.OrganizationId, caller.OrganizationId),
            new(PlatformClaims.KeyId, caller.KeyId),
        };
        claims.AddRange(caller.Scopes.Select(s => new Claim(PlatformClaims.Scope, s)));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, scheme));
    }

    /// <summary>The calling organization's id; endpoints behind a scope policy always have one.</summary>
    public static string OrganizationId(this ClaimsPrincipal user) =>
        user.FindFirstValue(PlatformClaims.OrganizationId) ?? throw new InvalidOperationException("No organization on an authorized request.");

    private static bool HasApiKey(HttpRequest request) =>
        request.Headers.ContainsKey("X-Api-Key")
        || request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase);

    private static Task ApiOrRedirect(RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        if (context.Request.Path.StartsWithSegments("/api") || context.Request.Method != HttpMethods.Get)
        {
            context.Response.StatusCode = status;
            return Task.CompletedTask;
        }
        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }

    private sealed class ApiKeyHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, IdentityStore store)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            string? presented = Request.Headers["X-Api-Key"].FirstOrDefault();
            var authorization = Request.Headers.Authorization.ToString();
            if (presented is null && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
                presented = authorization["Bearer ".Length..];
            if (string.IsNullOrWhiteSpace(presented)) return AuthenticateResult.NoResult();

            var caller = await store.ValidateAsync(presented, Context.RequestAborted);
            return caller is null
                ? AuthenticateResult.Fail("The API key is unknown or revoked.")
                : AuthenticateResult.Success(new AuthenticationTicket(caller.ToPrincipal(ApiKeyScheme), ApiKeyScheme));
        }

        protected override Task HandleChallengeAsync(AuthenticationProperties properties)
        {
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            Response.Headers.WWWAuthenticate = "Bearer realm=\"ConsentPlatform\"";
            return Task.CompletedTask;
        }
    }
}
