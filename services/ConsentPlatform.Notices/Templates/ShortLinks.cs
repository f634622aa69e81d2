using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace ConsentPlatform.Notices.Templates;

/// <summary>
/// Where the short links in notices point (ADR 0020): Notices:ShortLinkBaseUrl where Responses has
/// its own public address, else Notices:PublicBaseUrl + /r/, else the address this process really
/// listens on once the server has started. A fixed default sent every recipient to a host that
/// was not running.
/// </summary>
public sealed class ShortLinks(NoticesOptions options, IServer server, IHostApplicationLifetime lifetime)
{
    public const string PathPrefix = "/r/";

    private string? _listening;

    public string Base => options.ShortLinkBaseUrl ?? (options.PublicBaseUrl is { } configured ? configured + PathPrefix : Listening());

    public string For(string code) => Base + code;

    /// <summary>A link of the real length, for segment counts in template previews.</summary>
    public string Sample => For(new string('x', options.ShortCodeLength));

    private string Listening()
    {
        if (_listening is { } known) return known;
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var chosen = Choose(addresses)
            ?? throw new InvalidOperationException("The server has no listening address yet; set Notices:PublicBaseUrl to say where short links point.");
        var link = chosen + PathPrefix;
        // Before start the feature holds the configured URLs (port 0 not yet bound); only a started server's are final.
        if (lifetime.ApplicationStarted.IsCancellationRequested) _listening = link;
        return link;
    }

    /// <summary>https before http; a wildcard binding (0.0.0.0, [::], +, *) is reachable on this machine as localhost.</summary>
    internal static string? Choose(IEnumerable<string> addresses)
    {
        Uri? best = null;
        foreach (var address in addresses)
        {
            var normalized = address.Replace("://+", "://localhost").Replace("://*", "://localhost");
            if (!Uri.TryCreate(normalized, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")) continue;
            if (best is null || (uri.Scheme == "https" && best.Scheme != "https")) best = uri;
        }
        if (best is null) return null;
        var host = best.Host is "0.0.0.0" or "[::]" ? "localhost" : best.Host;
        return $"{best.Scheme}://{host}:{best.Port}";
    }
}
