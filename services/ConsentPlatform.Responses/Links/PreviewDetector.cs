using System.Buffers;

namespace ConsentPlatform.Responses.Links;

/// <summary>
/// Tells link previews and scanners from people, for counting only (ADR 0021): chat apps and mail
/// scanners fetch a link the moment it is pasted and must not count as a visit (R22). Everyone gets
/// the same page; in-app browsers (LINE, KakaoTalk, Instagram, Facebook, WeChat, X) are people.
/// </summary>
public static class PreviewDetector
{
    // Substrings of the user agents of common unfurlers and scanners (LINE's "line-poker" and KakaoTalk's
    // "kakaotalk-scrap" unfurlers, not their in-app browsers' "Line/" and "KAKAOTALK"). iMessage announces
    // itself as "facebookexternalhit/1.1 Facebot Twitterbot/1.0", which these already cover.
    private static readonly SearchValues<string> Agents = SearchValues.Create(
    [
        "Slackbot", "Slack-ImgProxy", "facebookexternalhit", "Facebot", "Twitterbot", "WhatsApp", "TelegramBot",
        "Discordbot", "LinkedInBot", "Google-PageRenderer", "Googlebot", "SkypeUriPreview", "Applebot", "bingbot",
        "Pinterest", "redditbot", "Embedly", "Iframely", "vkShare", "Viber", "line-poker", "LineBot", "kakaotalk-scrap",
        "Mattermost", "MicrosoftPreview", "Teams", "ZoomBot", "BingPreview", "Yahoo! Slurp", "DuckDuckBot",
        "YandexBot", "Baiduspider", "curl/", "Wget/", "python-requests", "Go-http-client", "HeadlessChrome",
        "Barracuda", "Proofpoint", "Mimecast", "urlscan",
    ], StringComparison.OrdinalIgnoreCase);

    public static bool IsPreview(HttpRequest request)
    {
        var agent = request.Headers.UserAgent.ToString();
        // No user agent at all is a script, not a phone's browser.
        if (agent.Length == 0) return true;
        // One pass over the agent for all markers: this runs on every short-link request.
        if (agent.AsSpan().ContainsAny(Agents)) return true;
        // Prefetches announce themselves; a page fetched speculatively has not been seen by anyone.
        return request.Headers.TryGetValue("Purpose", out var purpose) && purpose.ToString().Contains("prefetch", StringComparison.OrdinalIgnoreCase)
            || request.Headers.TryGetValue("Sec-Purpose", out var secPurpose) && secPurpose.ToString().Contains("prefetch", StringComparison.OrdinalIgnoreCase);
    }
}
