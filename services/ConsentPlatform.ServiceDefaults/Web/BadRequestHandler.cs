using System.Text.Json;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace ConsentPlatform.ServiceDefaults.Web;

/// <summary>
/// Requests the framework could not bind (malformed JSON, wrong content type, oversized body,
/// missing antiforgery token) are the client's fault: 4xx problem details that say what was
/// wrong and, for JSON, where — never a 500.
/// </summary>
internal sealed class BadRequestHandler(IProblemDetailsService problemDetails) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not (BadHttpRequestException or AntiforgeryValidationException)) return false;

        var status = exception is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status400BadRequest;
        var problem = new ProblemDetails
        {
            Status = status,
            Title = exception is AntiforgeryValidationException || exception.InnerException is AntiforgeryValidationException
                ? "The form's antiforgery token is missing or invalid; reload the page and try again."
                : "The request could not be read.",
            Detail = exception.Message,
        };
        if (FindJsonError(exception) is { } json)
        {
            var field = json.Path is { Length: > 2 } path ? path.TrimStart('$', '.') : "body";
            problem.Extensions["errors"] = new Dictionary<string, string[]> { [field] = [json.Message.Split(" Path:")[0]] };
        }
        context.Response.StatusCode = status;
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem, Exception = exception });
    }

    private static JsonException? FindJsonError(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
            if (e is JsonException json) return json;
        return null;
    }
}
