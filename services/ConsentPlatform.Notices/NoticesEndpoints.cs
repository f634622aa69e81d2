using ConsentPlatform.ServiceDefaults.Web;
using ConsentPlatform.Notices.Calls;
using ConsentPlatform.Notices.Replica;
using ConsentPlatform.Notices.Sending;
using ConsentPlatform.Notices.Templates;
using ConsentPlatform.ServiceDefaults.Identity;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConsentPlatform.Notices;

public sealed record TemplateInput
{
    [MultilineText]
    public string? Body { get; init; }
    public int? MaxSegments { get; init; }
}

public sealed record PreviewInput
{
    public string? Kind { get; init; }
    public string? Language { get; init; }
    /// <summary>Text to preview; the saved (or default) template of Kind/Language when omitted.</summary>
    [MultilineText]
    public string? Body { get; init; }
    public int? MaxSegments { get; init; }
}

public sealed record TemplatePreview(SmsPreview Preview, IReadOnlyList<string> Problems);

public sealed record CallingNumberView(string PhoneNumber, string? Department, DateTimeOffset PublishedSince);

public static class NoticesEndpoints
{
    public static void MapNoticesApi(this RouteGroupBuilder api)
    {
        api.MapGet("/settings", (HttpContext context, RulesStore rules) => rules.GetViewAsync(context.User.OrganizationId(), context.RequestAborted))
            .WithSummary("Quiet hours (recipient's local time) and frequency cap of the organization");
        api.MapPut("/settings", async Task<Results<Ok<RulesView>, ValidationProblem>> (RulesInput input, HttpContext context, RulesStore rules) =>
        {
            var errors = input.Validate(out var parsed);
            if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
            await rules.SaveAsync(context.User.OrganizationId(), parsed!, context.RequestAborted);
            return TypedResults.Ok(RulesView.Of(parsed!, false));
        }).WithSummary("Change quiet hours and the per-recipient frequency cap");

        api.MapGet("/templates", (HttpContext context, TemplateStore templates) => templates.ListAsync(context.User.OrganizationId(), context.RequestAborted))
            .WithSummary("Templates per kind and language (defaults until saved)");
        api.MapPut("/templates/{kind}/{language}", async Task<Results<Ok<NoticeTemplate>, ValidationProblem>> (
            string kind, string language, TemplateInput input, HttpContext context, TemplateStore templates, NoticesOptions options, ShortLinks links) =>
        {
            var organizationId = context.User.OrganizationId();
            var check = await TemplateCheck.RunAsync(templates, options, links, organizationId, context.User.Identity?.Name, kind, language, input.Body, input.MaxSegments,
                context.RequestAborted);
            if (!check.IsValid) return TypedResults.ValidationProblem(check.Errors);
            await templates.SaveAsync(organizationId, kind, language, check.Body, check.MaxSegments, context.RequestAborted);
            return TypedResults.Ok(await templates.GetAsync(organizationId, kind, language, context.RequestAborted));
        }).WithSummary("Save a template; rejected with each missing R15 item named");
        api.MapPost("/templates/preview", async Task<Results<Ok<TemplatePreview>, ValidationProblem>> (
            PreviewInput input, HttpContext context, TemplateStore templates, NoticesOptions options, ShortLinks links) =>
        {
            var organizationId = context.User.OrganizationId();
            var kind = input.Kind ?? NoticeKinds.PreCall;
            var language = input.Language ?? Languages.Japanese;
            if (!NoticeKinds.All.Contains(kind) || !Languages.All.Contains(language))
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [NoticeKinds.All.Contains(kind) ? "language" : "kind"] = ["Unknown kind or language."] });
            var saved = await templates.GetAsync(organizationId, kind, language, context.RequestAborted);
            var body = input.Body ?? saved.Body;
            var company = await templates.CompanyNameAsync(organizationId, context.User.Identity?.Name, context.RequestAborted);
            var text = TemplateRenderer.Render(body, TemplateRenderer.Sample(language, company, links.Sample));
            return TypedResults.Ok(new TemplatePreview(SmsPreview.Of(text, input.MaxSegments ?? saved.MaxSegments, options), TemplateLinter.Lint(body)));
        }).WithSummary("Render a template with typical values: encoding, segments and cost (R16)");

        api.MapGet("/purposes", (HttpContext context, Purposes purposes) => purposes.ListAsync(context.User.OrganizationId(), context.RequestAborted))
            .WithSummary("The organization's purposes (its events' purpose codes in Consent): what a call's purpose must be");
        api.MapPost("/calls", async Task<Results<Created<CallView>, ValidationProblem, ProblemHttpResult>> (
            PlanCallInput input, HttpContext context, CallPlanner planner, Purposes purposes, NoticesOptions options, TimeProvider time) =>
        {
            var (errors, number, calling) = await input.ValidateAsync(context.User.OrganizationId(), purposes, options, time.GetUtcNow(), context.RequestAborted);
            if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
            var planned = await planner.PlanAsync(context.User.OrganizationId(), context.User.Identity?.Name, input, number, calling, context.RequestAborted);
            if (planned.Call is not { } call) return DoNotCall.Problem(planned.DoNotCall);
            return TypedResults.Created($"/api/notices/calls/{call.Id}", call);
        }).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status503ServiceUnavailable)
          .WithSummary("Plan a call: the gate decides on the call itself, then on its pre-call notice, which is queued to leave Notices:PreCallLeadMinutes before plannedAt")
          .WithDescription("A call to someone who is erased or stopped calls (opted out, refused a call, \"not now\" until a date) is refused with 409 problem details: " +
                           "title \"Do not call\" and reasons[] with reason, source, how, since, until, channel and purpose; nothing is recorded and no notice is queued. " +
                           "purpose must be one of GET /api/notices/purposes (400 naming purpose otherwise); plannedAt is optional (now when absent). " +
                           "Otherwise the notice's status and, when refused, its reason (opted_out, no_sms_consent, consent_expired, erased, not_sms_capable, quiet_hours, frequency_cap, calling_number_unpublished, message_too_long) are in the answer. " +
                           "A queued notice is asked again just before it leaves and may then be refused too (the same reasons, or call_time_passed).");
        api.MapGet("/sending", async (HttpContext context, OutgoingStore store, SenderPacing pacing, NoticesOptions options) =>
                TypedResults.Ok(await store.StatusAsync(context.User.OrganizationId(), pacing, options.RatePerSecond, context.RequestAborted)))
            .WithSummary("The send queue: this organization's SMS still to go, the oldest one's age, and about how long a notice queued now would wait")
            .WithDescription("ceilingPerSecond is Sms:RatePerSecond, the provider's limit; sendingRatePerSecond is what the sender sustains under it (ADR 13). " +
                             "A dialer planning faster than sendingRatePerSecond makes estimatedWaitSeconds grow: pre-call notices then arrive later before each call.");
        api.MapGet("/calls/{id}", async Task<Results<Ok<CallView>, NotFound>> (string id, HttpContext context, CallPlanner planner) =>
            await planner.FindAsync(context.User.OrganizationId(), id, context.RequestAborted) is { } call ? TypedResults.Ok(call) : TypedResults.NotFound())
            .WithSummary("A call with each of its notices' status or refusal reason");
        api.MapPost("/calls/{id}/outcome", async Task<Results<Ok<CallView>, NotFound, ValidationProblem>> (
            string id, OutcomeInput input, HttpContext context, CallPlanner planner) =>
        {
            var errors = input.Validate();
            if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
            var (call, problem) = await planner.LogOutcomeAsync(context.User.OrganizationId(), context.User.Identity?.Name, id, input.Outcome!, context.RequestAborted);
            if (call is null) return TypedResults.NotFound();
            if (problem is not null) return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["outcome"] = [problem] });
            return TypedResults.Ok(call);
        }).WithSummary("Log a call's outcome: answered/missed/call_back_later queue the post-call notice; refused is an opt-out");

        api.MapGet("/calling-numbers", async (HttpContext context, NoticesDatabase database) =>
        {
            await using var connection = await database.OpenAsync(context.RequestAborted);
            var numbers = await ReplicaStore.ListCallingNumbersAsync(connection, context.User.OrganizationId(), context.RequestAborted);
            return numbers.Select(n => new CallingNumberView(n.E164, n.Department, n.PublishedAt)).ToList();
        }).WithSummary("The organization's published calling numbers as Notices knows them (R21)");

        api.MapGet("/dev-inbox", (HttpContext context, NoticesDatabase database, NoticesOptions options) =>
            DevInbox.ListAsync(database, options, context.User.OrganizationId(), context.RequestAborted))
            .WithSummary("Messages the dev inbox provider 'sent', newest first (Sms:Provider=DevInbox)");
    }
}
