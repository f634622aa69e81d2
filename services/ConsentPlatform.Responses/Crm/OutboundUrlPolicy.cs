using System.Net;
using System.Net.Http;
using System.Net.Sockets;

namespace ConsentPlatform.Responses.Crm;

/// <summary>
/// Where a connector may send responses (ADR 0016). Every connector URL is an organization's
/// input, so without this the platform would POST personal data (and a Salesforce client secret)
/// to whatever it is pointed at: its own loopback services, the cloud metadata endpoint, the
/// private network. The rule is applied when a connector is saved, for a clear 400, and again on
/// every connection the delivery client opens (<see cref="ConnectAsync"/>), because a name that
/// resolved to a public address when it was saved may resolve to 127.0.0.1 a minute later.
/// </summary>
public sealed class OutboundUrlPolicy(ResponsesOptions options)
{
    private static readonly TimeSpan ResolveTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Null when the URL may be saved; otherwise why not, for the <c>url</c> field.</summary>
    public async Task<string?> RefusalAsync(string url, CancellationToken ct)
    {
        if (FormRefusal(url) is { } refused) return refused;
        var uri = new Uri(url.Trim());
        if (IsAllowListed(uri.IdnHost)) return null;
        IPAddress[] addresses;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(ResolveTimeout);
            addresses = await ResolveAsync(uri.IdnHost, timeout.Token);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            return $"The host {uri.IdnHost} could not be resolved. Give a host name that resolves to a public address.";
        }
        return addresses.Any(IsRefused)
            ? $"The host {uri.IdnHost} resolves to an address a connector may not reach (loopback, private, link-local, shared or metadata addresses)."
            : null;
    }

    /// <summary>The checks that need no lookup: an absolute https URL (http only for an allow-listed host).</summary>
    public string? FormRefusal(string url)
    {
        if (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http") || uri.UserInfo.Length > 0)
            return "The URL must be an absolute https URL without user name or password.";
        if (uri.Scheme == "http" && !IsAllowListed(uri.IdnHost))
            return "Use https: responses carry personal data.";
        return null;
    }

    /// <summary>
    /// The delivery client's <see cref="SocketsHttpHandler.ConnectCallback"/>: resolves the host
    /// itself and connects only when none of its addresses is refused, so the address checked is
    /// the address connected to.
    /// </summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = await ResolveAsync(host, ct);
        if (!IsAllowListed(host) && addresses.Any(IsRefused))
            throw new HttpRequestException($"Refused to connect: {host} resolves to an address a connector may not reach (loopback, private, link-local, shared or metadata addresses).");
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private bool IsAllowListed(string host) =>
        options.CrmAllowedHosts.Contains(host.Trim('[', ']'), StringComparer.OrdinalIgnoreCase);

    private static async Task<IPAddress[]> ResolveAsync(string host, CancellationToken ct) =>
        IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);

    /// <summary>
    /// Loopback, unspecified, private (RFC 1918, IPv6 unique local incl. the EC2 metadata address
    /// fd00:ec2::254), link-local (incl. 169.254.169.254), shared/CGNAT (100.64/10), multicast and
    /// reserved addresses; IPv4 inside IPv6 (mapped, NAT64, 6to4) is judged as the IPv4 it carries.
    /// </summary>
    public static bool IsRefused(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return b[0] is 0 or 10 or 127 or >= 224
                || (b[0] == 100 && (b[1] & 0xC0) == 64)
                || (b[0] == 169 && b[1] == 254)
                || (b[0] == 172 && (b[1] & 0xF0) == 16)
                || (b[0] == 192 && b[1] == 168)
                || (b[0] == 192 && b[1] == 0 && b[2] == 0)
                || (b[0] == 198 && (b[1] & 0xFE) == 18);
        }
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return true;
        var v6 = address.GetAddressBytes();
        if (address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.IPv6Loopback)
            || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast
            || (v6[0] & 0xFE) == 0xFC)
            return true;
        // NAT64 (64:ff9b::/96) and 6to4 (2002::/16) reach the IPv4 address they embed.
        if (v6[0] == 0x00 && v6[1] == 0x64 && v6[2] == 0xFF && v6[3] == 0x9B && v6.AsSpan(4, 8).IndexOfAnyExcept((byte)0) < 0)
            return IsRefused(new IPAddress(v6.AsSpan(12, 4)));
        if (v6[0] == 0x20 && v6[1] == 0x02)
            return IsRefused(new IPAddress(v6.AsSpan(2, 4)));
        // IPv4-compatible (::a.b.c.d, deprecated) likewise.
        if (v6.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0)
            return IsRefused(new IPAddress(v6.AsSpan(12, 4)));
        return false;
    }
}
