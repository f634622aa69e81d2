using ConsentPlatform.ServiceDefaults.Data;
using Dapper;
using Microsoft.AspNetCore.Http;

namespace ConsentPlatform.ServiceDefaults.Recipients;

/// <summary>
/// Caps the one-time codes that anonymous requests make the platform send to one number or
/// address (data-subject requests, opt-out codes): at most
/// <see cref="PlatformOptions.CodesPerRecipientPerHour"/> in any hour and
/// <see cref="PlatformOptions.CodesPerRecipientPerDay"/> in any day, however many clients ask. The
/// per-client limit alone let anyone make us text a third party again and again from many addresses.
/// Counted by the contact's keyed hash, in the caller's transaction, so a refused request writes nothing.
/// </summary>
public sealed class RecipientLimit(PlatformOptions options, TimeProvider time)
{
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);
    private static readonly TimeSpan Day = TimeSpan.FromDays(1);

    /// <summary>
    /// Records a code to <paramref name="contactHash"/> and returns null, or, when the cap is
    /// reached, records nothing and returns how long until another code may go.
    /// </summary>
    public async Task<TimeSpan?> TryTakeAsync(Transaction transaction, string contactHash, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (transaction.Database.Dialect.SerializeOnKey is { } serialize)
            await transaction.Connection.ExecuteAsync(new CommandDefinition(serialize, new { key = contactHash }, transaction.Inner, cancellationToken: cancellationToken));
        var sent = (await transaction.Connection.QueryAsync<long>(new CommandDefinition(transaction.Database.Dialect.RecipientCodesSince,
                new { contactHash, since = (now - Day).ToUnixTimeMilliseconds() }, transaction.Inner, cancellationToken: cancellationToken)))
            .Select(DateTimeOffset.FromUnixTimeMilliseconds).Order().ToList();
        var wait = TimeSpan.Zero;
        foreach (var (window, limit) in new[] { (Hour, options.CodesPerRecipientPerHour), (Day, options.CodesPerRecipientPerDay) })
        {
            var inWindow = sent.Where(s => s > now - window).ToList();
            // The window frees a place when the oldest code that keeps it full leaves it.
            if (inWindow.Count >= limit) wait = TimeSpan.FromTicks(Math.Max(wait.Ticks, (inWindow[inWindow.Count - limit] + window - now).Ticks));
        }
        if (wait > TimeSpan.Zero) return wait;

        const string forget = "DELETE FROM recipient_codes WHERE contact_hash = @contactHash AND sent_at <= @before";
        const string record = "INSERT INTO recipient_codes (contact_hash, sent_at) VALUES (@contactHash, @now)";
        await transaction.Connection.ExecuteAsync(new CommandDefinition(forget, new { contactHash, before = (now - Day).ToUnixTimeMilliseconds() },
            transaction.Inner, cancellationToken: cancellationToken));
        await transaction.Connection.ExecuteAsync(new CommandDefinition(record, new { contactHash, now = now.ToUnixTimeMilliseconds() },
            transaction.Inner, cancellationToken: cancellationToken));
        return null;
    }

    /// <summary>Whole seconds for a Retry-After header, at least one.</summary>
    public static string RetryAfterSeconds(TimeSpan wait) => WholeSeconds(wait).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static long WholeSeconds(TimeSpan wait) => Math.Max(1, (long)Math.Ceiling(wait.TotalSeconds));

    /// <summary>The answer for a request refused by the cap: 429 problem details naming the field, with Retry-After.</summary>
    public static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult Refused(HttpContext context, TimeSpan wait, string field)
    {
        context.Response.Headers.RetryAfter = RetryAfterSeconds(wait);
        return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many codes for this contact",
            detail: "Enough one-time codes went to this number or address for now; try again later.",
            extensions: new Dictionary<string, object?> { ["field"] = field, ["retryAfterSeconds"] = WholeSeconds(wait) });
    }
}
