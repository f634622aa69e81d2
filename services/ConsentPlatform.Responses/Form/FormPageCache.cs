using System.Buffers;
using System.Collections.Concurrent;
using System.Text;
using ConsentPlatform.Responses.Links;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;

namespace ConsentPlatform.Responses.Form;

/// <summary>
/// The short link's hot path: the form page rendered once per link, language and day, kept as
/// UTF-8 bytes with holes where the link's form token goes (it changes hourly, ADR 0010). A request
/// then costs a copy instead of a component render: the page is the same for everyone who opens the link.
/// </summary>
public sealed class FormPageCache(IServiceScopeFactory scopes, ILoggerFactory loggers, ResponsesOptions options, TimeProvider time)
{
    // Never valid in HTML or in a token, so it cannot collide with page content.
    private const string Hole = "\u0001token\u0001";
    private readonly ConcurrentDictionary<(string Code, string Lang), Rendered> _pages = new();

    private sealed record Rendered(LinkView View, DateOnly Day, DateTimeOffset Expires, byte[][] Parts);

    public async Task WriteAsync(HttpContext context, LinkView view, Texts texts, DateOnly today, ReadOnlyMemory<byte> token)
    {
        var key = (view.Link.Code, texts.Lang);
        if (!_pages.TryGetValue(key, out var page) || !ReferenceEquals(page.View, view) || page.Day != today || page.Expires < time.GetUtcNow())
        {
            page = new Rendered(view, today, time.GetUtcNow().Add(options.LinkCacheTtl), await RenderAsync(view, texts, today));
            // Bounded like the link cache: when full, start over rather than grow without limit.
            if (_pages.Count >= options.LinkCacheSize) _pages.Clear();
            _pages[key] = page;
        }

        var response = context.Response;
        response.ContentType = "text/html; charset=utf-8";
        response.ContentLength = page.Parts.Sum(p => p.Length) + (long)token.Length * (page.Parts.Length - 1);
        // Buffered into the pipe and flushed once: one write to the socket per page, not one per part.
        var writer = response.BodyWriter;
        for (var i = 0; i < page.Parts.Length; i++)
        {
            if (i > 0) writer.Write(token.Span);
            writer.Write(page.Parts[i]);
        }
        await writer.FlushAsync(context.RequestAborted);
    }

    private async Task<byte[][]> RenderAsync(LinkView view, Texts texts, DateOnly today)
    {
        // The renderer needs scoped component services; one scope per render, like a request.
        await using var scope = scopes.CreateAsyncScope();
        await using var renderer = new HtmlRenderer(scope.ServiceProvider, loggers);
        var html = await renderer.Dispatcher.InvokeAsync(async () =>
        {
            var output = await renderer.RenderComponentAsync<ResponsePage>(ParameterView.FromDictionary(new Dictionary<string, object?>
            {
                [nameof(ResponsePage.T)] = texts,
                [nameof(ResponsePage.View)] = view,
                [nameof(ResponsePage.Token)] = Hole,
                [nameof(ResponsePage.Today)] = today,
            }));
            return output.ToHtmlString();
        });
        // The renderer encodes the hole's control characters; find it in whichever form it took.
        var encodedHole = System.Text.Encodings.Web.HtmlEncoder.Default.Encode(Hole);
        return html.Split(html.Contains(Hole, StringComparison.Ordinal) ? Hole : encodedHole).Select(Encoding.UTF8.GetBytes).ToArray();
    }
}
