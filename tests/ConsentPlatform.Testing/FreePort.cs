using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace ConsentPlatform.Testing;

/// <summary>Hands out TCP ports that are free on the loopback interface right now.</summary>
public static class FreePort
{
    // The kernel may hand the same ephemeral port out again soon after we release it; two
    // fixtures in one test run must never be given the same port before either binds it.
    private static readonly ConcurrentDictionary<int, byte> Issued = new();

    /// <summary>A port that is free on 127.0.0.1 and has not been handed out before in this process.</summary>
    public static int Next()
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            if (Issued.TryAdd(port, 0))
            {
                return port;
            }
        }

        throw new InvalidOperationException("Could not find a free TCP port on 127.0.0.1 after 100 attempts.");
    }

    /// <summary>Whether nothing listens on <paramref name="port"/> of 127.0.0.1 and it can be bound.</summary>
    public static bool IsFree(int port)
    {
        try
        {
            var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Whether something accepts TCP connections on <paramref name="host"/>:<paramref name="port"/>.</summary>
    public static async Task<bool> AcceptsConnectionsAsync(string host, int port, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var client = new TcpClient();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            await client.ConnectAsync(host, port, cts.Token);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
