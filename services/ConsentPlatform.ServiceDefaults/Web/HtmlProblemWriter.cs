using ConsentPlatform.ServiceDefaults.Recipients;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConsentPlatform.ServiceDefaults.Web;

/// <summary>
/// A person who follows a wrong page address (an unknown form, a guessed path, a query value that
/// does not parse) sees a page in the shared layout in their language, with the status kept, rather
/// than problem-details JSON. Only where a browser asks for HTML by name and the path is not under
/// /api/: API clients, and anything that accepts only JSON or anything (*/*), keep the problem details
/// the default writer produces. Registered ahead of it, so every 4xx/5xx that goes through
/// IProblemDetailsService (status code pages, the exception handlers, Results.Problem) is covered
/// without any page doing its own.
/// </summary>
internal sealed class HtmlProblemWriter : IProblemDetailsWriter
{
    public bool CanWrite(ProblemDetailsContext context) =>
        !context.HttpContext.Request.Path.StartsWithSegments("/api") && AsksForHtml(context.HttpContext.Request);

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        var http = context.HttpContext;
        var status = context.ProblemDetails.Status ?? http.Response.StatusCode;
        var language = RecipientLanguage.Resolve(http.Request, http.Request.Query["lang"]);
        var page = new RazorComponentResult<ErrorPage>(new
        {
            Status = status,
            Words = ErrorWords.For(language, status),
            SwitchPath = HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method) ? SwitchPath(http.Request) : null,
        })
        {
            StatusCode = status,
            ContentType = "text/html; charset=utf-8",
        };
        // The same address answers JSON to other clients: a cache must keep the two apart.
        http.Response.Headers.Vary = "Accept";
        return new ValueTask(page.ExecuteAsync(http));
    }

    private static bool AsksForHtml(HttpRequest request)
    {
        foreach (var accepted in request.GetTypedHeaders().Accept)
            if (accepted.MediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase) && accepted.Quality is not 0) return true;
        return false;
    }

    /// <summary>
    /// The path and query without lang, always one local path: "//host" or "/\host" in a link would
    /// leave the site.
    /// </summary>
    private static string SwitchPath(HttpRequest request)
    {
        var path = "/" + (request.Path.Value ?? "").TrimStart('/', '\\');
        var query = QueryString.Create(request.Query.Where(q => q.Key != "lang"));
        return path + query;
    }
}

/// <summary>The error page's words, in the recipient's language (ADR 0022).</summary>
public sealed record ErrorWords(string Lang, string Title, string Text, string Code, string Home)
{
    public static ErrorWords For(string language, int status) => language == RecipientLanguage.English
        ? status switch
        {
            StatusCodes.Status404NotFound => new("en", "We could not find this page",
                "The address may have been cut short or mistyped, or the page is no longer there.", "Error", "Go to the home page"),
            StatusCodes.Status429TooManyRequests => new("en", "Too many requests",
                "Please wait a few seconds and try again.", "Error", "Go to the home page"),
            >= 500 => new("en", "Something went wrong on our side",
                "Please try again in a little while.", "Error", "Go to the home page"),
            _ => new("en", "We could not handle this request",
                "The address or the form sent has a value that is not valid. Go back, reload the page and try again.", "Error", "Go to the home page"),
        }
        : status switch
        {
            StatusCodes.Status404NotFound => new("ja", "ページが見つかりませんでした",
                "アドレスが途中で切れているか、入力に誤りがあるか、ページがなくなった可能性があります。", "エラー番号", "トップページへ"),
            StatusCodes.Status429TooManyRequests => new("ja", "アクセスが集中しています",
                "数秒待ってから、もう一度お試しください。", "エラー番号", "トップページへ"),
            >= 500 => new("ja", "エラーが発生しました",
                "しばらくしてから、もう一度お試しください。", "エラー番号", "トップページへ"),
            _ => new("ja", "このリクエストを処理できませんでした",
                "アドレスまたは送信された内容に正しくない値があります。前のページに戻り、再読み込みしてからもう一度お試しください。", "エラー番号", "トップページへ"),
        };
}
