using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace ConsentPlatform.ServiceDefaults.Web;

/// <summary>
/// Requests the framework could not bind (malformed JSON, a wrongly typed value, a query value
/// that does not parse, wrong content type, oversized body, missing antiforgery token) are the
/// client's fault: 4xx problem details that say what was wrong and where — the JSON path or the
/// parameter — in every environment, never a 500. Minimal APIs only throw these when
/// RouteHandlerOptions.ThrowOnBadRequest is on, which AddServiceDefaults sets for all
/// environments (by default only Development does, and Production answered a bare 400).
/// </summary>
internal sealed partial class BadRequestHandler(IProblemDetailsService problemDetails, IOptions<AntiforgeryOptions> antiforgeryOptions) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not (BadHttpRequestException or AntiforgeryValidationException)) return false;

        var status = exception is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status400BadRequest;
        var antiforgery = exception is AntiforgeryValidationException || exception.InnerException is AntiforgeryValidationException;
        var problem = new ProblemDetails
        {
            Status = status,
            Title = antiforgery
                ? "The form's antiforgery token is missing or invalid; reload the page and try again."
                : "The request could not be read.",
            Detail = exception.Message,
        };
        if (antiforgery)
            problem.Extensions["errors"] = new Dictionary<string, string[]> { [antiforgeryOptions.Value.FormFieldName] = ["Missing or invalid; reload the page and try again."] };
        else if (FindJsonError(exception) is { } json)
        {
            var field = json.Path is { Length: > 1 } path ? path.TrimStart('$', '.') : "body";
            problem.Extensions["errors"] = new Dictionary<string, string[]> { [field.Length == 0 ? "body" : field] = [json.Message.Split(" Path:")[0]] };
        }
        else if (status == StatusCodes.Status400BadRequest && !antiforgery)
        {
            // A body that could not be read is named as the body: the handler's parameter name means nothing to the client.
            var parameter = ParameterName().Match(exception.Message);
            var field = exception.Message.Contains("body", StringComparison.OrdinalIgnoreCase) ? "body"
                : parameter.Success ? parameter.Groups["name"].Value : "request";
            problem.Extensions["errors"] = new Dictionary<string, string[]> { [field] = [exception.Message] };
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

    /// <summary>The framework names the parameter as "Type name" in quotes: Failed to bind parameter "long? after" from "x".</summary>
    [GeneratedRegex("parameter \"[^\"]*?(?<name>[A-Za-z_][A-Za-z0-9_]*)\"")]
    private static partial Regex ParameterName();
}
