using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;

namespace ConsentPlatform.ServiceDefaults.Web;

/// <summary>
/// The public per-address limit for an endpoint that short-circuits the middleware pipeline (the
/// short link's hot path): the same token bucket as the <see cref="Extensions.PublicRateLimit"/>
/// policy, taken in the handler because the rate-limiting middleware does not run there.
/// </summary>
public sealed class PublicRequestLimiter(PlatformOptions options) : IDisposable
{
    private readonly PartitionedRateLimiter<HttpContext> _limiter = PartitionedRateLimiter.Create<HttpContext, IPAddress>(
        context => Partition(context, options.PublicRequestsPerMinute));

    /// <summary>One token bucket per client address; the policy and this limiter share the shape.</summary>
    internal static RateLimitPartition<IPAddress> Partition(HttpContext context, int requestsPerMinute) =>
        RateLimitPartition.GetTokenBucketLimiter(context.Connection.RemoteIpAddress ?? IPAddress.None, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = requestsPerMinute,
            TokensPerPeriod = Math.Max(1, requestsPerMinute / 6),
            ReplenishmentPeriod = TimeSpan.FromSeconds(10),
            QueueLimit = 0,
            AutoReplenishment = true,
        });

    /// <summary>Null when the request may go on; otherwise the 429 to return.</summary>
    public IResult? Refuse(HttpContext context)
    {
        using var lease = _limiter.AttemptAcquire(context);
        if (lease.IsAcquired) return null;
        context.Response.Headers.RetryAfter = "10";
        return Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests", detail: "Slow down and try again in a few seconds.");
    }

    public void Dispose() => _limiter.Dispose();
}
