using ConsentPlatform.Consent.Gate;
using ConsentPlatform.Contracts;
using ConsentPlatform.ServiceDefaults.Identity;
using ConsentPlatform.ServiceDefaults.Web;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConsentPlatform.Consent.Scrub;

public static class ScrubEndpoints
{
    public static void MapScrubApi(this RouteGroupBuilder api)
    {
        api.MapPost("/scrubs", async Task<Results<Created<ScrubJobView>, ValidationProblem, ProblemHttpResult>> (
                string? channel, string? purpose, DateTimeOffset? at, HttpContext context, ScrubJobs jobs, ScrubRunner runner, ConsentOptions options, TimeProvider time) =>
            {
                var errors = new Dictionary<string, string[]>();
                if (!Channels.IsKnown(channel)) errors["channel"] = ["The channel is required: call, sms or email."];
                if (CheckInput.PurposeError(purpose) is { } purposeError) errors["purpose"] = [purposeError];
                if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
                if (context.Request.ContentType?.Split(';')[0].Trim() is not ("text/csv" or "application/csv"))
                    return TypedResults.Problem(statusCode: 415, title: "Upload the call list as text/csv.");
                if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = options.MaxScrubBytes;

                // UTF-8 or Shift_JIS (CP932) as Japanese Excel saves it, converted (the answer says so); decided
                // on the first block, before a job exists, so a file in neither leaves nothing behind.
                CsvUpload opened;
                try { opened = await CsvUpload.OpenAsync(context.Request.Body, context.RequestAborted); }
                catch (CsvEncodingException e) { return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["file"] = [e.Message] }); }
                using var upload = opened;

                var organizationId = context.User.OrganizationId();
                var (id, progress) = await jobs.StartAsync(organizationId, channel!, purpose!.Trim(), at, context.RequestAborted);
                try
                {
                    await runner.RunAsync(upload, organizationId, id, progress, channel!, purpose.Trim(), at ?? time.GetUtcNow(), context.RequestAborted);
                }
                catch (Exception e) when (e is ScrubInputException or CsvEncodingException)
                {
                    return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["file"] = [e.Message] });
                }
                var job = await jobs.FindAsync(organizationId, id, context.RequestAborted);
                return TypedResults.Created($"/api/consent/scrubs/{id}", job! with { ConvertedFrom = upload.Converted ? upload.EncodingName : null });
            })
            .Accepts<string>("text/csv")
            .WithSummary("Scrub a call list: upload CSV (streamed, any size, a phone column) and get each row back with allow/deny and reasons")
            .WithDescription("Same rules as POST /checks. While it runs, GET /scrubs/{id} shows the rows checked so far; the result is at /scrubs/{id}/result.");

        api.MapGet("/scrubs/{id}", async Task<Results<Ok<ScrubJobView>, NotFound>> (string id, HttpContext context, ScrubJobs jobs) =>
                await jobs.FindAsync(context.User.OrganizationId(), id, context.RequestAborted) is { } job ? TypedResults.Ok(job) : TypedResults.NotFound())
            .WithSummary("A scrub's status and progress (rows checked so far)");

        api.MapGet("/scrubs/{id}/result", async Task<IResult> (string id, HttpContext context, ScrubJobs jobs) =>
                await jobs.FindAsync(context.User.OrganizationId(), id, context.RequestAborted) is { Status: "done" }
                    ? TypedResults.PhysicalFile(jobs.ResultPath(id), "text/csv; charset=utf-8", $"{id}.csv")
                    : TypedResults.NotFound())
            .Produces(StatusCodes.Status200OK, contentType: "text/csv")
            .WithCsvByteOrderMark()
            .WithSummary("The scrubbed list: every input row with decision and reasons");
    }
}
