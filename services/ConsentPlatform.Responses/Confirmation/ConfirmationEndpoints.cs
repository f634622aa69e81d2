using ConsentPlatform.Responses.ResponseForm;
using ConsentPlatform.Responses.Links;
using ConsentPlatform.ServiceDefaults;
using ConsentPlatform.ServiceDefaults.Web;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConsentPlatform.Responses.Confirmation;

public enum ConfirmState { Open, Confirmed, Closed }

/// <summary>
/// The page the confirmation email links to, among the short link's public pages: same rate limit, same
/// cookie-less form token (ADR 0010). A mail scanner that opens the link only GETs, and GET confirms nothing.
/// </summary>
public static class ConfirmationEndpoints
{
    private const string TokenPurpose = "email-confirmation";
    private const int MaxToken = 64;

    public static void MapEmailConfirmation(this IEndpointRouteBuilder app)
    {
        var pages = app.MapGroup("/r/" + EmailConfirmations.PathPrefix).RequireRateLimiting(Extensions.PublicRateLimit).AllowAnonymous().ExcludeFromDescription();

        pages.MapGet("/{token}", async (string token, string? lang, HttpContext context, EmailConfirmations confirmations, LinkCache links, FormTokens tokens,
            TimeProvider time) =>
        {
            ResponseFormEndpoints.NoStore(context);
            var (pending, company) = await FindAsync(token, confirmations, links, context.RequestAborted);
            var texts = Texts.For(lang ?? pending?.Language, context.Request);
            if (pending is null || company is null || !pending.IsOpen(time.GetUtcNow())) return Closed(context, texts, token);
            return Open(token, texts, pending, company, tokens);
        });

        pages.MapPost("/{token}", async (string token, HttpContext context, EmailConfirmations confirmations, LinkCache links, FormTokens tokens) =>
        {
            ResponseFormEndpoints.NoStore(context);
            var form = await context.Request.ReadFormAsync(context.RequestAborted);
            var (pending, company) = await FindAsync(token, confirmations, links, context.RequestAborted);
            var texts = Texts.For(form["lang"].ToString() is { Length: > 0 } l ? l : pending?.Language, context.Request);
            if (pending is null || company is null) return Closed(context, texts, token);
            if (ResponseFormEndpoints.Forged(context, tokens, TokenPurpose, pending.ConfirmationId) is { } forged)
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                return Open(token, texts, pending, company, tokens, forged);
            }
            if (!await confirmations.ConfirmAsync(token, Requester.Of(context), context.RequestAborted)) return Closed(context, texts, token);
            return new RazorComponentResult<ConfirmEmailPage>(new
            {
                T = texts, State = ConfirmState.Confirmed, Company = company, Email = pending.Email, SwitchPath = $"/r/{pending.Code}",
            });
        }).DisableAntiforgery();
    }

    /// <summary>The confirmation and the company it names; the company comes from the short link, which an erasure removes too.</summary>
    private static async Task<(PendingConfirmation?, string?)> FindAsync(string token, EmailConfirmations confirmations, LinkCache links, CancellationToken ct)
    {
        if (!IsTokenShaped(token)) return (null, null);
        var pending = await confirmations.FindAsync(token, ct);
        return pending is null ? (null, null) : (pending, (await links.FindAsync(pending.Code, ct))?.CompanyName);
    }

    private static RazorComponentResult<ConfirmEmailPage> Open(string token, Texts texts, PendingConfirmation pending, string company, FormTokens tokens,
        Dictionary<string, string[]>? errors = null) =>
        new(new
        {
            T = texts, State = ConfirmState.Open, Action = PathOf(token), SwitchPath = PathOf(token), Company = company, Email = pending.Email,
            Token = tokens.Issue(TokenPurpose, pending.ConfirmationId), Errors = errors ?? new Dictionary<string, string[]>(),
        });

    /// <summary>Used, expired or never issued: one answer for all three, so the page tells a guesser nothing.</summary>
    private static RazorComponentResult<ConfirmEmailPage> Closed(HttpContext context, Texts texts, string token)
    {
        context.Response.StatusCode = StatusCodes.Status410Gone;
        // An address only goes back into the language switch when it has the shape of a token.
        return new(new { T = texts, State = ConfirmState.Closed, SwitchPath = IsTokenShaped(token) ? PathOf(token) : "/r/opt-out" });
    }

    private static bool IsTokenShaped(string token) =>
        token.Length is > 0 and <= MaxToken && token.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    private static string PathOf(string token) => $"/r/{EmailConfirmations.PathPrefix}{token}";
}
