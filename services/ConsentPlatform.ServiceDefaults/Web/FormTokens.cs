using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;

namespace ConsentPlatform.ServiceDefaults.Web;

/// <summary>
/// Antiforgery for the anonymous public forms (the embedded consent form, the short-link response
/// form) without a cookie (ADR 0010). The cookie pair of ASP.NET antiforgery breaks in an iframe on
/// another site (SameSite, third-party cookie blocking) and costs two Data Protection operations per
/// page view on the short link's hot path. Instead:
/// <list type="bullet">
/// <item>the page carries a token, protected with the shared key ring, bound to the form's purpose and
/// subject (form id, link code) and valid for <see cref="Lifetime"/>; one token serves every visitor of
/// that form for an hour, so a page view costs a dictionary lookup;</item>
/// <item>a POST must come from our own origin: a browser says so in <c>Sec-Fetch-Site</c> or
/// <c>Origin</c>, which a page on another site cannot forge. That check is what stops cross-site
/// forgery; the token proves the form was fetched from us and is not stale.</item>
/// </list>
/// There is no session to ride on here (the forms are anonymous and the link code is the capability),
/// so binding the token to a browser would add nothing.
/// </summary>
public sealed class FormTokens(IDataProtectionProvider provider, TimeProvider time)
{
    public const string FieldName = "__formToken";
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(7);
    private static readonly TimeSpan Refresh = TimeSpan.FromHours(1);
    private const int MaxCached = 100_000;

    private readonly ITimeLimitedDataProtector _protector = provider.CreateProtector("ConsentPlatform.FormTokens.v1").ToTimeLimitedDataProtector();
    private readonly ConcurrentDictionary<(string Purpose, string Subject), Issued> _issued = new();

    private sealed record Issued(long Hour, string Token);

    /// <summary>
    /// The token to put in the form's <see cref="FieldName"/> field: the same instance for an hour,
    /// so a page cache can tell by reference that its copy is current.
    /// </summary>
    public string Issue(string purpose, string subject) => Current(purpose, subject).Token;

    /// <summary>Null when the POST may proceed; otherwise the reason, for a 400 that names the field.</summary>
    public string? Check(HttpRequest request, string purpose, string subject, string? token)
    {
        if (!IsSameOrigin(request))
            return "The form was sent from another site. Open the form on our page and send it from there.";
        if (string.IsNullOrEmpty(token) || token.Length > 1024)
            return "The form's token is missing. Reload the page and send the form again.";
        string text;
        try
        {
            text = Encoding.UTF8.GetString(_protector.Unprotect(Base64Url.DecodeFromChars(token), out _));
        }
        catch (Exception e) when (e is CryptographicException or FormatException)
        {
            return "The form has expired or its token is not valid. Reload the page and send the form again.";
        }
        return text == Payload(purpose, subject) ? null : "The form's token belongs to another form. Reload the page and send the form again.";
    }

    /// <summary>
    /// Browsers send Sec-Fetch-Site (all current ones) or at least Origin on a form POST; a request
    /// with neither did not come from a browser, where cross-site forgery is not a thing.
    /// </summary>
    public static bool IsSameOrigin(HttpRequest request)
    {
        var site = request.Headers["Sec-Fetch-Site"].ToString();
        if (site.Length > 0) return site is "same-origin" or "none";
        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0) return true;
        return Uri.TryCreate(origin, UriKind.Absolute, out var uri)
            && string.Equals(uri.Scheme, request.Scheme, StringComparison.OrdinalIgnoreCase)
            && string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase);
    }

    private Issued Current(string purpose, string subject)
    {
        var now = time.GetUtcNow();
        var hour = now.ToUnixTimeSeconds() / (long)Refresh.TotalSeconds;
        if (_issued.TryGetValue((purpose, subject), out var issued) && issued.Hour == hour) return issued;
        var token = Base64Url.EncodeToString(_protector.Protect(Encoding.UTF8.GetBytes(Payload(purpose, subject)), now + Lifetime));
        issued = new Issued(hour, token);
        // Bounded: when full, start over (an evicted form just gets a fresh token).
        if (_issued.Count >= MaxCached) _issued.Clear();
        _issued[(purpose, subject)] = issued;
        return issued;
    }

    private static string Payload(string purpose, string subject) => purpose + "\n" + subject;
}
