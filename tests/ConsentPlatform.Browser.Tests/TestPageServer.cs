using System.Collections.Concurrent;
using System.Net;
using System.Text;
using ConsentPlatform.Testing;

namespace ConsentPlatform.Browser.Tests;

/// <summary>
/// A tiny web server on another loopback port under another name: the "organizer's site" that
/// embeds our form, so the embedding is cross-site for real (another host name, not just another
/// port: a cookie with SameSite would still be sent across ports). Chromium resolves
/// <see cref="Host"/> to loopback (see HostFixture). (A Playwright route would do, but Chromium treats a
/// routed page as public and refuses its requests to loopback under Local Network Access.)
/// </summary>
public sealed class TestPageServer : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentDictionary<string, string> _pages = new(StringComparer.Ordinal);
    private readonly Task _loop;

    public TestPageServer()
    {
        var port = FreePort.Next();
        Origin = $"http://{Host}:{port}";
        _listener.Prefixes.Add($"http://+:{port}/");
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    /// <summary>The organizer's host name; only the browser under test knows it (a resolver rule).</summary>
    public const string Host = "organizer.test";

    /// <summary>http://organizer.test:{port} (no trailing slash), as an origin is written in allowedOrigins.</summary>
    public string Origin { get; }

    /// <summary>Serves <paramref name="html"/> at <paramref name="path"/> and returns its URL.</summary>
    public string Serve(string path, string html)
    {
        _pages[path] = html;
        return Origin + path;
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException) { return; }

            var found = _pages.TryGetValue(context.Request.Url?.AbsolutePath ?? "", out var html);
            var body = Encoding.UTF8.GetBytes(found ? html! : "not found");
            context.Response.StatusCode = found ? 200 : 404;
            context.Response.ContentType = found ? "text/html; charset=utf-8" : "text/plain";
            await context.Response.OutputStream.WriteAsync(body);
            context.Response.Close();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop;
    }
}
