using System.Threading.RateLimiting;
using ConsentPlatform.ServiceDefaults.Data;
using ConsentPlatform.ServiceDefaults.Identity;
using ConsentPlatform.ServiceDefaults.Messaging;
using ConsentPlatform.ServiceDefaults.Recipients;
using ConsentPlatform.ServiceDefaults.Telemetry;
using ConsentPlatform.ServiceDefaults.Web;
using ConsentPlatform.Telephony;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ConsentPlatform.ServiceDefaults;

public static class Extensions
{
    /// <summary>Rate-limiting policy for endpoints anyone may call (forms, short links, lookup, webhooks).</summary>
    public const string PublicRateLimit = "public";

    /// <summary>
    /// Everything a service needs besides its own features: configuration checks, databases
    /// and migrations, the bus with outbox and inbox, credentials, problem details, health,
    /// OpenAPI, rate limiting and the page layout.
    /// </summary>
    public static WebApplicationBuilder AddServiceDefaults(this WebApplicationBuilder builder, params PlatformModule[] modules)
    {
        var options = PlatformOptions.Read(builder.Configuration);
        var services = builder.Services;
        services.AddCheckedSettings(options);
        services.AddSingleton(new PlatformModules(modules));
        services.TryAddTimeProvider();

        // Registered first: hosted services start in order, so configuration is checked and
        // databases migrated before the bus starts consuming or a relay starts publishing.
        services.AddHostedService<StartupPreparation>();
        services.AddSingleton<IdentityDatabase>();
        services.AddSingleton<IdentityStore>();
        // Null only when the key is missing or invalid, which start-up then reports by its key.
        if (options.HashKey is { Length: >= PhoneNumberHasher.MinimumKeyLength })
            services.AddSingleton(new PhoneNumberHasher(options.HashKeyId!, options.HashKey));

        foreach (var module in modules) module.AddServices(builder);
        services.AddPlatformBus(options, modules);
        builder.AddPlatformTelemetry(options, modules);

        services.AddPlatformAuthentication();
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "cp_af";
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });
        services.AddEdgeHeaders(options);
        // One key ring for every service, so a sign-in cookie and an antiforgery token made by one
        // service are accepted by the others when they run as separate processes.
        services.AddSingleton<FormTokens>();
        services.AddSingleton<PublicRequestLimiter>();
        services.AddSingleton<RecipientLimit>();
        services.AddDataProtection().SetApplicationName("ConsentPlatform").PersistKeysToFileSystem(new DirectoryInfo(options.KeysFolder));
        services.AddRazorComponents();
        // Ahead of the default writer, which would otherwise answer a browser's */* with JSON.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProblemDetailsWriter, HtmlProblemWriter>());
        services.AddProblemDetails();
        services.AddExceptionHandler<BadRequestHandler>();
        // In every environment, so input that does not bind reaches BadRequestHandler and is named
        // there (by default only Development throws; Production answered a bare "Bad Request").
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddHealthChecks();
        foreach (var module in modules)
            services.AddOpenApi(module.Name, o =>
            {
                o.ShouldInclude = d => d.GroupName == module.Name;
                OpenApiStatuses.Describe(o);
            });
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.AddPolicy(PublicRateLimit, context => PublicRequestLimiter.Partition(context, options.PublicRequestsPerMinute));
            o.OnRejected = async (context, token) =>
            {
                context.HttpContext.Response.Headers.RetryAfter = "10";
                await Results.Problem(statusCode: 429, title: "Too many requests", detail: "Slow down and try again in a few seconds.")
                    .ExecuteAsync(context.HttpContext);
            };
        });

        // The host's own failure log repeats the stack trace; RunPlatformAsync prints one clear line instead.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
        // Its request lines print full URLs, query strings included; RequestLog logs the route instead.
        builder.Logging.AddFilter(RequestLog.FrameworkCategory, LogLevel.Warning);
        return builder;
    }

    public static WebApplication MapServiceDefaults(this WebApplication app)
    {
        app.UseEdgeHeaders();
        app.UseRequestLog();
        // Explicit, so the two above run before it: a short-circuited endpoint skips what follows.
        app.UseRouting();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRateLimiter();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();
        app.UseSessionAntiforgery();

        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") });
        app.MapOpenApi("/openapi/{documentName}.json");
        // Every endpoint a caller reaches is mapped inside this group, so the text rule (and the
        // names in its errors) hold for each of them without any endpoint opting in.
        var edge = app.MapGroup("");
        edge.AddEndpointFilterFactory(EmptyFormFilter.Create);
        edge.AddEndpointFilterFactory(FreeTextFilter.Create);
        edge.MapPlatformPages();
        foreach (var module in app.Services.GetRequiredService<PlatformModules>().All)
            module.MapEndpoints(edge);
        return app;
    }

    /// <summary>
    /// Runs the app; a start-up failure ends the process with one clear line naming the
    /// setting (exit code 2) rather than a stack trace.
    /// </summary>
    public static async Task<int> RunPlatformAsync(this WebApplication app)
    {
        // Resolved first: after a failed start the service provider is already disposed.
        var options = app.Services.GetRequiredService<PlatformOptions>();
        try
        {
            await app.RunAsync();
            return 0;
        }
        catch (Exception error)
        {
            await Console.Error.WriteLineAsync("ConsentPlatform could not start: " + StartupFailure.Describe(error, options));
            return 2;
        }
    }

    private static void TryAddTimeProvider(this IServiceCollection services)
    {
        if (services.All(d => d.ServiceType != typeof(TimeProvider)))
            services.AddSingleton(TimeProvider.System);
    }
}

/// <summary>The modules this process runs.</summary>
public sealed record PlatformModules(IReadOnlyList<PlatformModule> All);
