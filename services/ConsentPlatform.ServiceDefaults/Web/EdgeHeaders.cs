using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Net.Http.Headers;

namespace ConsentPlatform.ServiceDefaults.Web;

/// <summary>
/// What every response carries at the edge, in one place rather than per page (issue 12, finding 14):
/// nosniff, a Referrer-Policy (except on JSON), a Content-Security-Policy that forbids framing unless the endpoint set
/// its own (the embeddable consent form keeps its per-form frame-ancestors), HSTS outside
/// Development, and the client's real address and scheme from configured reverse proxies, so the
/// session cookie is Secure behind a TLS-terminating proxy and rate limits key on the client.
/// </summary>
public static class EdgeHeaders
{
    private const string ReferrerPolicy = "Referrer-Policy";

    /// <summary>
    /// Our own scripts, styles and images only; no framing. Pages that need more (the organizer's
    /// preview frames, the embeddable form) set their own policy, which this never replaces.
    /// </summary>
    public const string DefaultContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

    /// <summary>
    /// For JSON, which nosniff keeps from ever being rendered as a document: nothing may load and it may
    /// not be framed (OWASP's REST headers). A Referrer-Policy matters only where a browser navigates
    /// on, from a page or a redirect, so JSON goes without it; at the gate's full load the longer set
    /// on every answer was a measurable part of a check's cost (issue 12, acceptance 5).
    /// </summary>
    public const string JsonContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'";

    public static void AddEdgeHeaders(this IServiceCollection services, PlatformOptions options)
    {
        services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            // Only the proxies named in configuration; the framework's default trusts loopback.
            o.KnownIPNetworks.Clear();
            o.KnownProxies.Clear();
            foreach (var proxy in options.KnownProxies) o.KnownProxies.Add(proxy);
            // Walk back through every listed proxy, stopping at the first address that is not one.
            o.ForwardLimit = null;
        });
        services.AddHsts(o => o.MaxAge = TimeSpan.FromDays(365));
    }

    /// <summary>First in the pipeline, before routing, so short-circuited endpoints (the short link) get it too.</summary>
    public static void UseEdgeHeaders(this WebApplication app)
    {
        if (app.Services.GetRequiredService<PlatformOptions>().KnownProxies.Count > 0) app.UseForwardedHeaders();
        if (!app.Environment.IsDevelopment()) app.UseHsts();
        app.Use(static (context, next) =>
        {
            context.Response.OnStarting(Apply, context);
            return next(context);
        });
    }

    private static Task Apply(object state)
    {
        var response = ((HttpContext)state).Response;
        var headers = response.Headers;
        headers.XContentTypeOptions = "nosniff";
        var json = IsJson(response.ContentType);
        if (!json && !headers.ContainsKey(ReferrerPolicy)) headers[ReferrerPolicy] = "no-referrer";
        if (!headers.ContainsKey(HeaderNames.ContentSecurityPolicy))
            headers.ContentSecurityPolicy = json ? JsonContentSecurityPolicy : DefaultContentSecurityPolicy;
        return Task.CompletedTask;
    }

    /// <summary><c>application/json</c> and <c>application/problem+json</c>, with or without a charset.</summary>
    private static bool IsJson(string? contentType) =>
        contentType is not null
        && (contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase)
            || contentType.StartsWith("application/problem+json", StringComparison.OrdinalIgnoreCase));
}
