using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Net.Http.Headers;

namespace ConsentPlatform.ServiceDefaults.Web;

/// <summary>
/// What every response carries at the edge, in one place rather than per page (issue 12, finding 14):
/// nosniff, a Referrer-Policy, a Content-Security-Policy that forbids framing unless the endpoint set
/// its own (the embeddable consent form keeps its per-form frame-ancestors), HSTS outside
/// Development, and the client's real address and scheme from configured reverse proxies, so the
/// session cookie is Secure behind a TLS-terminating proxy and rate limits key on the client.
/// </summary>
public static class EdgeHeaders
{
    /// <summary>
    /// Our own scripts, styles and images only; no framing. Pages that need more (the organizer's
    /// preview frames, the embeddable form) set their own policy, which this never replaces.
    /// </summary>
    private const string ReferrerPolicy = "Referrer-Policy";

    public const string DefaultContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

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
        var headers = ((HttpContext)state).Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        if (!headers.ContainsKey(ReferrerPolicy)) headers[ReferrerPolicy] = "no-referrer";
        if (!headers.ContainsKey(HeaderNames.ContentSecurityPolicy)) headers.ContentSecurityPolicy = DefaultContentSecurityPolicy;
        return Task.CompletedTask;
    }
}
