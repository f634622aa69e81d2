using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ConsentPlatform.ServiceDefaults.Web;

/// <summary>
/// One line per request naming the route template, never the URL: paths and query strings carry
/// phone numbers and emails (<c>/lookup?number=…</c>, <c>?email=…</c>), and logs must not (issue 12,
/// finding 10). ASP.NET's own request lines, which print the full URL, are filtered out in
/// <see cref="Extensions.AddServiceDefaults"/>.
/// </summary>
public static partial class RequestLog
{
    /// <summary>The framework category whose "Request starting/finished" lines carry the full URL.</summary>
    public const string FrameworkCategory = "Microsoft.AspNetCore.Hosting.Diagnostics";

    public static void UseRequestLog(this WebApplication app)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("ConsentPlatform.Requests");
        // With Information off for this category the request is not wrapped at all: no timestamp and
        // no async state machine per request.
        app.Use((context, next) => logger.IsEnabled(LogLevel.Information) ? LoggedAsync(logger, context, next) : next(context));
    }

    private static async Task LoggedAsync(ILogger logger, HttpContext context, RequestDelegate next)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await next(context);
        }
        finally
        {
            Finished(logger, context.Request.Method, RouteOf(context), context.Response.StatusCode, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    /// <summary>The matched endpoint's template (<c>/r/{code}</c>); a path that matched nothing is not repeated.</summary>
    private static string RouteOf(HttpContext context) =>
        context.GetEndpoint() is RouteEndpoint { RoutePattern.RawText: { } template } ? template : "(no route)";

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "HTTP {Method} {Route} responded {StatusCode} in {ElapsedMilliseconds:0.0} ms")]
    private static partial void Finished(ILogger logger, string method, string route, int statusCode, double elapsedMilliseconds);
}
