using ConsentPlatform.Notices.Replica;
using ConsentPlatform.Notices.Calls;
using ConsentPlatform.Notices.Sending;
using ConsentPlatform.Notices.Templates;
using ConsentPlatform.ServiceDefaults.Identity;
using ConsentPlatform.ServiceDefaults.Web;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace ConsentPlatform.Notices;

/// <summary>The rep's page (plan a call, log its outcome, see each notice's status) and the dev inbox.</summary>
public static class NoticesPages
{
    public static void MapNoticesPages(this IEndpointRouteBuilder app)
    {
        var pages = app.MapGroup("/notices").RequireAuthorization(Scopes.Notices).ExcludeFromDescription();

        pages.MapGet("/calls", async (HttpContext context, IAntiforgery antiforgery, CallPlanner planner) =>
            await CallsPageAsync(context, antiforgery, planner, new PlanCallInput(), null, new Dictionary<string, string[]>()));

        pages.MapPost("/calls", async (HttpContext context, IAntiforgery antiforgery, CallPlanner planner, Purposes purposes, NoticesOptions options, TimeProvider time,
            [FromForm] PlanCallInput input, [FromForm] string? plannedLocal) =>
        {
            var errors = new Dictionary<string, string[]>();
            // An empty optional field is "not given", as an absent JSON property is in the API.
            input = input with { PlannedAt = PlannedAtFromPage(plannedLocal, input.PhoneNumber, errors), ExternalId = string.IsNullOrWhiteSpace(input.ExternalId) ? null : input.ExternalId };
            var (fieldErrors, number, calling) = await input.ValidateAsync(context.User.OrganizationId(), purposes, options, time.GetUtcNow(), context.RequestAborted);
            foreach (var (field, messages) in fieldErrors) errors.TryAdd(field, messages);
            if (errors.Count > 0)
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                return await CallsPageAsync(context, antiforgery, planner, input, null, errors);
            }
            var planned = await planner.PlanAsync(context.User.OrganizationId(), context.User.Identity?.Name, input, number, calling, context.RequestAborted);
            if (planned.Call is not { } call)
            {
                context.Response.StatusCode = StatusCodes.Status409Conflict;
                return await CallsPageAsync(context, antiforgery, planner, input, null, errors, planned.DoNotCall);
            }
            var notice = call.Notices[0];
            var message = notice.Reason is null
                ? $"Call planned for {call.PlannedAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC; the pre-call notice is queued."
                : $"Call planned for {call.PlannedAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC; the pre-call notice was refused ({notice.Reason}).";
            return await CallsPageAsync(context, antiforgery, planner, new PlanCallInput { CallingNumber = input.CallingNumber, CallerName = input.CallerName, Purpose = input.Purpose },
                message, new Dictionary<string, string[]>());
        });

        pages.MapPost("/calls/{id}/outcome", async (string id, HttpContext context, IAntiforgery antiforgery, CallPlanner planner, [FromForm] string? outcome) =>
        {
            var errors = new OutcomeInput { Outcome = outcome }.Validate();
            string? message = null;
            if (errors.Count == 0)
            {
                var (call, problem) = await planner.LogOutcomeAsync(context.User.OrganizationId(), context.User.Identity?.Name, id, outcome!, context.RequestAborted);
                if (call is null) errors["call"] = ["No such call."];
                else if (problem is not null) errors["outcome"] = [problem];
                else message = $"Outcome logged: {outcome}.";
            }
            if (errors.Count > 0) context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return await CallsPageAsync(context, antiforgery, planner, new PlanCallInput(), message, errors);
        });

        pages.MapGet("/templates", async (HttpContext context, IAntiforgery antiforgery, TemplateStore templates, NoticesOptions options, ShortLinks links) =>
        {
            var organizationId = context.User.OrganizationId();
            var company = await templates.CompanyNameAsync(organizationId, context.User.Identity?.Name, context.RequestAborted);
            var rows = (await templates.ListAsync(organizationId, context.RequestAborted))
                .Select(t => (t, SmsPreview.Of(TemplateRenderer.Render(t.Body, TemplateRenderer.Sample(t.Language, company, links.Sample)),
                    t.MaxSegments, options)))
                .ToList();
            return new RazorComponentResult<TemplatesPage>(new { Rows = rows, Tokens = antiforgery.GetAndStoreTokens(context), SignedInAs = PlatformPages.SignedInAs(context.User) });
        });

        pages.MapGet("/templates/{kind}/{language}", async Task<IResult> (string kind, string language, HttpContext context, IAntiforgery antiforgery,
            TemplateStore templates, NoticesOptions options, ShortLinks links) =>
        {
            if (!NoticeKinds.All.Contains(kind) || !Languages.All.Contains(language)) return Results.NotFound();
            var organizationId = context.User.OrganizationId();
            var saved = await templates.GetAsync(organizationId, kind, language, context.RequestAborted);
            var check = await TemplateCheck.RunAsync(templates, options, links, organizationId, context.User.Identity?.Name, kind, language, saved.Body, saved.MaxSegments,
                context.RequestAborted);
            return TemplateEditResult(context, antiforgery, check, saving: false, message: saved.IsDefault ? "This is the default text; save to make it yours." : null);
        });

        // Preview and save are both POSTs of the same form, so the page works without JavaScript; only "save" writes.
        pages.MapPost("/templates/{kind}/{language}", async Task<IResult> (string kind, string language, HttpContext context, IAntiforgery antiforgery,
            TemplateStore templates, NoticesOptions options, ShortLinks links, [FromForm, MultilineText] string? body, [FromForm] string? maxSegments, [FromForm] string? action) =>
        {
            if (!NoticeKinds.All.Contains(kind) || !Languages.All.Contains(language)) return Results.NotFound();
            var organizationId = context.User.OrganizationId();
            int? max = int.TryParse(maxSegments, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var m) ? m
                : string.IsNullOrWhiteSpace(maxSegments) ? null : 0;
            var check = await TemplateCheck.RunAsync(templates, options, links, organizationId, context.User.Identity?.Name, kind, language, body, max, context.RequestAborted);
            var saving = action == "save";
            if (!saving) return TemplateEditResult(context, antiforgery, check, saving: false, message: null);
            if (!check.IsValid)
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                return TemplateEditResult(context, antiforgery, check, saving: true, message: null);
            }
            await templates.SaveAsync(organizationId, kind, language, check.Body, check.MaxSegments, context.RequestAborted);
            return TemplateEditResult(context, antiforgery, check, saving: true, message: "Saved: the next notices of this kind use this text.");
        });

        // Codes people asked for (data-subject requests, opt-outs) belong to no organization
        // (CodeAudience). In Development, where no phone is real, these pages stand in for the
        // person's phone; elsewhere they do not exist.
        if (app.ServiceProvider.GetRequiredService<IHostEnvironment>().IsDevelopment())
        {
            app.MapGet("/notices/dev-inbox/people", async (NoticesDatabase database, NoticesOptions options, CancellationToken ct) =>
                new RazorComponentResult<DevInboxPage>(new
                {
                    Messages = await DevInbox.ListAsync(database, options, null, ct),
                    Emails = await DevInbox.ListEmailsAsync(database, null, ct),
                    People = true,
                })).ExcludeFromDescription();
            app.MapGet(DevCallLog.PagePath + "/people", async (NoticesDatabase database, CancellationToken ct) =>
                new RazorComponentResult<DevCallsPage>(new { Calls = await DevCallLog.ListAsync(database, null, ct), People = true }))
                .ExcludeFromDescription();
        }

        pages.MapGet("/dev-inbox", async (HttpContext context, IAntiforgery antiforgery, NoticesDatabase database, NoticesOptions options) =>
            new RazorComponentResult<DevInboxPage>(new
            {
                Messages = await DevInbox.ListAsync(database, options, context.User.OrganizationId(), context.RequestAborted),
                Emails = await DevInbox.ListEmailsAsync(database, context.User.OrganizationId(), context.RequestAborted),
                Tokens = antiforgery.GetAndStoreTokens(context),
                SignedInAs = PlatformPages.SignedInAs(context.User),
            }));
    }

    private static RazorComponentResult<TemplateEditPage> TemplateEditResult(HttpContext context, IAntiforgery antiforgery, TemplateCheck check, bool saving, string? message) =>
        new(new { Check = check, Saving = saving, Message = message, Tokens = antiforgery.GetAndStoreTokens(context), SignedInAs = PlatformPages.SignedInAs(context.User) });

    /// <summary>
    /// The page's datetime-local field carries no zone: it is the recipient's local time, the time the
    /// notice announces. Empty: now. A value that does not parse is named as plannedAt, as in the API.
    /// </summary>
    private static DateTimeOffset? PlannedAtFromPage(string? plannedLocal, string? phoneNumber, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrWhiteSpace(plannedLocal)) return null;
        if (!DateTime.TryParseExact(plannedLocal.Trim(), ["yyyy-MM-ddTHH:mm", "yyyy-MM-ddTHH:mm:ss"], System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.None, out var local))
        {
            errors["plannedAt"] = ["The planned time must be a date and time (YYYY-MM-DDTHH:MM), or empty for now."];
            return null;
        }
        var parsed = Telephony.PhoneNumbers.Parse(phoneNumber);
        var zone = parsed.IsValid && Telephony.ContactWindow.TimeZonesFor(parsed.Number) is [var first, ..] ? first : TimeZoneInfo.Utc;
        return new DateTimeOffset(local, zone.GetUtcOffset(local));
    }

    private static async Task<RazorComponentResult<CallsPage>> CallsPageAsync(HttpContext context, IAntiforgery antiforgery, CallPlanner planner,
        PlanCallInput input, string? message, Dictionary<string, string[]> errors, IReadOnlyList<Replica.DoNotCallReason>? doNotCall = null)
    {
        var calls = await planner.RecentCallsAsync(context.User.OrganizationId(), 50, context.RequestAborted);
        var services = context.RequestServices;
        var sending = await services.GetRequiredService<OutgoingStore>().StatusAsync(context.User.OrganizationId(), services.GetRequiredService<SenderPacing>(),
            services.GetRequiredService<NoticesOptions>().RatePerSecond, context.RequestAborted);
        return new RazorComponentResult<CallsPage>(new
        {
            Tokens = antiforgery.GetAndStoreTokens(context), Input = input, Calls = calls.Select(c => c.Call).ToList(), Errors = errors, Message = message, Sending = sending,
            SignedInAs = PlatformPages.SignedInAs(context.User), DoNotCallReasons = doNotCall ?? [],
            Purposes = await services.GetRequiredService<Purposes>().ListAsync(context.User.OrganizationId(), context.RequestAborted),
        });
    }
}
