using System.Globalization;
using System.Security.Claims;
using ConsentPlatform.Consent.ConsentForms;
using ConsentPlatform.Consent.Gate;
using ConsentPlatform.Consent.Ledger;
using ConsentPlatform.Consent.Requests;
using ConsentPlatform.Consent.Scrub;
using ConsentPlatform.Consent.Suppression;
using ConsentPlatform.Contracts;
using ConsentPlatform.ServiceDefaults.Identity;
using ConsentPlatform.ServiceDefaults.Recipients;
using ConsentPlatform.ServiceDefaults.Web;
using ConsentPlatform.Telephony;
using MassTransit;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace ConsentPlatform.Consent.Compliance;

/// <summary>What every console page is rendered with: its words, the organization's zone, the session.</summary>
public sealed record ConsoleView(ConsoleWords W, TimeZoneInfo Zone, string? SignedInAs, AntiforgeryTokenSet Tokens, string SwitchPath);

/// <summary>
/// The compliance console (issue 16): server-rendered pages for the work compliance staff do from the
/// API today. Behind the consent scope; plain HTML forms (antiforgery on the one POST), no script; every
/// time in the organization's zone. Addresses under the console that name no page answer an HTML page,
/// not the API's JSON.
/// </summary>
public static class ConsolePages
{
    public const string Path = "/consent/console";
    public const string OverviewPath = Path + "/overview";
    public const string CheckPath = Path + "/check";
    public const string AuditPath = Path + "/audit";
    public const string RequestsPath = Path + "/requests";
    public const string ScrubPath = Path + "/scrub";
    public const string ContactPath = Path + "/contact";
    public const string SuppressionsPath = Path + "/suppressions";
    public const string SettingsPath = Path + "/settings";
    public const int PageSize = 50;

    /// <summary>The navigation bar's entries, in order.</summary>
    public static IEnumerable<(string Path, string Label)> Sections(ConsoleWords w) =>
    [
        (Path, w.Home),
        (OverviewPath, w.OverviewTitle),
        (RequestsPath, w.RequestsTitle),
        (CheckPath, w.CheckTitle),
        (ContactPath, w.ContactTitle),
        (AuditPath, w.AuditTitle),
        (SuppressionsPath, w.SuppressionsTitle),
        (ScrubPath, w.ScrubTitle),
        (SettingsPath, w.SettingsTitle),
    ];

    public static void MapConsolePages(this IEndpointRouteBuilder app, ConsentOptions consentOptions)
    {
        var pages = app.MapGroup(Path).ExcludeFromDescription().RequireAuthorization(Scopes.Consent);

        pages.MapGet("/", (string? lang, HttpContext context, IAntiforgery antiforgery, ConsentOptions options) =>
        {
            var view = View(context, antiforgery, options, lang);
            return Render<ConsoleHome>(context, new { View = view });
        });

        pages.MapGet("/overview", async (HttpContext context, IAntiforgery antiforgery, ConsentOptions options, ConsentDatabase database, EventStore events,
            TimeProvider time, IRequestClient<NoticeFiguresRequested> notices, IRequestClient<CrmFiguresRequested> crm,
            IRequestClient<PropagationFiguresRequested> propagation) =>
        {
            var view = View(context, antiforgery, options, context.Request.Query["lang"]);
            var errors = new List<FieldProblem>();
            string? Text(string name) => context.Request.Query[name].ToString() is { Length: > 0 } value ? value.Trim() : null;
            var now = time.GetUtcNow();
            // The last 30 of the organization's days, today included, unless a period is chosen.
            var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, view.Zone).DateTime);
            var to = Text("to") is { } toText ? ParseDay(toText, "to", view.W, errors) : today;
            var from = Text("from") is { } fromText ? ParseDay(fromText, "from", view.W, errors) : (to ?? today).AddDays(-(DefaultPeriodDays - 1));
            if (from is { } f && to is { } t && t < f) errors.Add(FieldError(view.W, "to", ToMessage));
            var shown = (From: Text("from") ?? from?.ToString(DayFormat, CultureInfo.InvariantCulture) ?? "", To: Text("to") ?? to?.ToString(DayFormat, CultureInfo.InvariantCulture) ?? "");
            if (errors.Count > 0 || from is null || to is null)
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                return Render<OverviewPage>(context, new { View = view, shown.From, shown.To, Errors = errors });
            }
            var organizationId = context.User.OrganizationId();
            var deadline = await RequestDeadlines.ForAsync(database, options, organizationId, context.RequestAborted);
            var charts = await Overview.LoadAsync(database, events, new Overview.OtherServices(notices, crm, propagation), organizationId, DayStart(from.Value, view.Zone), DayStart(to.Value.AddDays(1), view.Zone),
                now, deadline, view.Zone, view.W, context.RequestAborted);
            return Render<OverviewPage>(context, new { View = view, shown.From, shown.To, Charts = charts });
        });

        pages.MapGet("/check", async (string? lang, HttpContext context, IAntiforgery antiforgery, ConsentOptions options, EventStore events) =>
        {
            var view = View(context, antiforgery, options, lang);
            return Render<CheckPage>(context, new { View = view, Purposes = await PurposesAsync(context, events) });
        });

        // A check is recorded in the audit, so it is a POST; its answer is shown on the response (no redirect:
        // the contact is not put in an address).
        pages.MapPost("/check", async ([FromForm] string? contact, [FromForm] string? channel, [FromForm] string? purpose, [FromForm] string? lang,
            HttpContext context, IAntiforgery antiforgery, ConsentOptions options, EventStore events, PermissionGate gate, ConsentDatabase database, PhoneNumberHasher hasher) =>
        {
            var view = View(context, antiforgery, options, lang);
            var organizationId = context.User.OrganizationId();
            var (phoneNumber, email) = RequestInput.SplitContact(contact);
            var errors = new Dictionary<string, string[]>();
            var query = new CheckInput { PhoneNumber = phoneNumber, Email = email, Channel = channel, Purpose = purpose }
                .Validate(organizationId, options.RegionFor(organizationId), errors);
            var purposes = await PurposesAsync(context, events);
            if (query is null)
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                return Render<CheckPage>(context, new
                {
                    View = view, Purposes = purposes, Contact = contact, Channel = channel, Purpose = purpose,
                    Errors = errors.Select(e => FieldError(view.W, e.Key is "phoneNumber" or "email" ? "contact" : e.Key, e.Value[0])).DistinctBy(e => e.Field).ToList(),
                });
            }
            var result = gate.Check(query, "console", context.User.FindFirstValue(PlatformClaims.KeyId));
            var held = await ContactLookup.FindAsync(database, organizationId, ContactLookup.Hashes(hasher, query.Number, query.Email), context.RequestAborted);
            return Render<CheckPage>(context, new
            {
                View = view, Purposes = purposes, Contact = contact, Channel = channel, Purpose = purpose, Result = result, Held = held,
            });
        });

        pages.MapGet("/contact", (string? lang, HttpContext context, IAntiforgery antiforgery, ConsentOptions options) =>
            Render<ContactRecordPage>(context, new { View = View(context, antiforgery, options, lang) }));

        // The contact is posted, never put in an address; the record is what the per-contact export holds, read the same way.
        pages.MapPost("/contact", async ([FromForm] string? contact, [FromForm] string? lang, HttpContext context, IAntiforgery antiforgery, ConsentOptions options,
            ConsentDatabase database, PhoneNumberHasher hasher, IRequestClient<ContactNoticesRequested> notices, IRequestClient<ContactResponsesRequested> responses) =>
        {
            var view = View(context, antiforgery, options, lang);
            var (query, errors) = ReadContact(contact, context, options, hasher);
            if (query is null)
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                return Render<ContactRecordPage>(context, new { View = view, Contact = contact, Errors = errors.Select(e => FieldError(view.W, "contact", e)).ToList() });
            }
            var held = await ContactLookup.FindAsync(database, context.User.OrganizationId(), query.Hashes, context.RequestAborted,
                new ContactLookup.OtherServices(notices, responses));
            return Render<ContactRecordPage>(context, new { View = view, Contact = contact, Masked = query.Masked, Held = held });
        });

        // The per-contact export as a download from the page: a POST too, so the contact stays out of the address.
        pages.MapPost("/contact.csv", async Task<IResult> ([FromForm] string? contact, HttpContext context, ConsentOptions options, ConsentDatabase database,
            PhoneNumberHasher hasher, IRequestClient<ContactNoticesRequested> notices, IRequestClient<ContactResponsesRequested> responses) =>
        {
            var (query, errors) = ReadContact(contact, context, options, hasher);
            if (query is null) return Results.ValidationProblem(new Dictionary<string, string[]> { ["contact"] = [errors[0]] });
            return ContactExport.CsvFile(context, await ContactLookup.FindAsync(database, context.User.OrganizationId(), query.Hashes, context.RequestAborted,
                new ContactLookup.OtherServices(notices, responses)));
        })
        .Produces(StatusCodes.Status200OK, contentType: "text/csv")
        .WithCsvByteOrderMark();

        pages.MapGet("/suppressions", async (HttpContext context, IAntiforgery antiforgery, ConsentOptions options, ConsentDatabase database) =>
        {
            var view = View(context, antiforgery, options, context.Request.Query["lang"]);
            var organizationId = context.User.OrganizationId();
            var sources = await SourcesAsync(database, organizationId, context.RequestAborted);
            var (filter, before, errors) = ReadSuppressionQuery(context.Request.Query, view, sources);
            if (errors.Count > 0)
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                return Render<SuppressionsPage>(context, new { View = view, Sources = sources, Query = context.Request.Query, Errors = errors });
            }
            var rows = await SuppressionQueries.PageAsync(database, organizationId, filter, before, PageSize + 1, context.RequestAborted);
            return Render<SuppressionsPage>(context, new
            {
                View = view, Sources = sources, Query = context.Request.Query, Entries = rows.Take(PageSize).ToList(), HasMore = rows.Count > PageSize,
                Total = await SuppressionQueries.CountAsync(database, organizationId, filter, context.RequestAborted), IsFirstPage = before is null,
            });
        });

        // A search by contact is posted, like the check: the number is not put in an address.
        pages.MapPost("/suppressions", async ([FromForm] string? contact, [FromForm] string? lang, HttpContext context, IAntiforgery antiforgery, ConsentOptions options,
            ConsentDatabase database, PhoneNumberHasher hasher) =>
        {
            var view = View(context, antiforgery, options, lang);
            var organizationId = context.User.OrganizationId();
            var sources = await SourcesAsync(database, organizationId, context.RequestAborted);
            var (query, errors) = ReadContact(contact, context, options, hasher);
            if (query is null)
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                return Render<SuppressionsPage>(context, new
                {
                    View = view, Sources = sources, Query = QueryCollection.Empty, Contact = contact, Errors = errors.Select(e => FieldError(view.W, "contact", e)).ToList(),
                });
            }
            return Render<SuppressionsPage>(context, new
            {
                View = view, Sources = sources, Query = QueryCollection.Empty, Contact = contact, Masked = query.Masked,
                Found = await SuppressionQueries.BindingAsync(database, organizationId, query.Hashes, context.RequestAborted),
            });
        });

        pages.MapGet("/audit", async (HttpContext context, IAntiforgery antiforgery, ConsentOptions options, IdentityStore identity, ConsentDatabase database) =>
        {
            var view = View(context, antiforgery, options, context.Request.Query["lang"]);
            var keys = await identity.ListKeysAsync(context.User.OrganizationId(), context.RequestAborted);
            var (filter, before, errors) = ReadAuditQuery(context.Request.Query, view, keys);
            if (errors.Count > 0)
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                return Render<AuditPage>(context, new { View = view, Keys = keys, Query = context.Request.Query, Errors = errors });
            }
            var organizationId = context.User.OrganizationId();
            var rows = await AuditQueries.PageAsync(database, organizationId, filter, before, PageSize + 1, context.RequestAborted);
            return Render<AuditPage>(context, new
            {
                View = view, Keys = keys, Query = context.Request.Query, Entries = rows.Take(PageSize).ToList(), HasMore = rows.Count > PageSize,
                Total = await AuditQueries.CountAsync(database, organizationId, filter, context.RequestAborted), IsFirstPage = before is null,
            });
        });

        pages.MapGet("/audit.csv", async (HttpContext context, ConsentOptions options, IdentityStore identity, ConsentDatabase database) =>
        {
            var words = ConsoleWords.English;
            var keys = await identity.ListKeysAsync(context.User.OrganizationId(), context.RequestAborted);
            var (filter, _, errors) = ReadAuditQuery(context.Request.Query, View(words, options, context), keys);
            if (errors.Count > 0) return Results.ValidationProblem(errors.ToDictionary(e => e.Field, e => new[] { e.Message }));
            var zone = options.TimeZoneFor(context.User.OrganizationId());
            var names = keys.ToDictionary(k => k.Id, k => k.Name);
            return new AuditCsv(database, context.User.OrganizationId(), filter, zone, names);
        })
        .Produces(StatusCodes.Status200OK, contentType: "text/csv")
        .WithCsvByteOrderMark();

        pages.MapGet("/requests", async (string? lang, string? before, HttpContext context, IAntiforgery antiforgery, ConsentOptions options, ConsentDatabase database,
            TimeProvider time) =>
        {
            var view = View(context, antiforgery, options, lang);
            var deadline = await RequestDeadlines.ForAsync(database, options, context.User.OrganizationId(), context.RequestAborted);
            if (Cursor(before) is not { } cursor)
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                return Render<RequestsPage>(context, new { View = view, Now = time.GetUtcNow(), Deadline = deadline, Errors = new[] { BadCursor } });
            }
            var rows = await RequestActions.ListAsync(database, context.User.OrganizationId(), cursor.After, PageSize + 1, context.RequestAborted);
            return Render<RequestsPage>(context, new
            {
                View = view, Now = time.GetUtcNow(), Deadline = deadline, Requests = rows.Take(PageSize).Select(r => deadline.Apply(r, view.Zone)).ToList(),
                HasMore = rows.Count > PageSize, IsFirstPage = cursor.After is null,
            });
        });

        pages.MapGet("/requests/{id}", async Task<IResult> (string id, string? lang, HttpContext context, IAntiforgery antiforgery, ConsentOptions options, ConsentDatabase database,
            DataSubjectRequests requests, TimeProvider time) =>
        {
            var view = View(context, antiforgery, options, lang);
            // Another organization's request is as unknown here as one that does not exist.
            if (!await RequestActions.ConcernsAsync(database, context.User.OrganizationId(), id, context.RequestAborted)
                || await requests.FindAsync(id, context.RequestAborted) is not { } request)
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Render<ConsoleNotFound>(context, new { View = view });
            }
            var deadline = await RequestDeadlines.ForAsync(database, options, context.User.OrganizationId(), context.RequestAborted);
            return Render<RequestDetailPage>(context, new
            {
                View = view, Now = time.GetUtcNow(), Request = deadline.Apply(request, view.Zone), Log = await RequestActions.EntriesAsync(database, id, context.RequestAborted),
            });
        });

        pages.MapGet("/settings", async (string? lang, bool? saved, HttpContext context, IAntiforgery antiforgery, ConsentOptions options, ConsentDatabase database) =>
        {
            var view = View(context, antiforgery, options, lang);
            var deadline = await RequestDeadlines.ForAsync(database, options, context.User.OrganizationId(), context.RequestAborted);
            return Render<SettingsPage>(context, new { View = view, Rule = deadline.Rule, Days = deadline.Days.ToString(CultureInfo.InvariantCulture), Saved = saved == true });
        });

        // Post, then redirect to the page (so a reload does not post again); a value that cannot be taken is refused naming its field.
        pages.MapPost("/settings", async ([FromForm] string? rule, [FromForm] string? days, [FromForm] string? lang, HttpContext context, IAntiforgery antiforgery,
            ConsentOptions options, ConsentDatabase database, TimeProvider time) =>
        {
            var view = View(context, antiforgery, options, lang);
            var errors = new Dictionary<string, string>();
            if (DeadlineRule.Read(rule, days, errors) is not { } deadline)
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                return (IResult)Render<SettingsPage>(context, new
                {
                    View = view, Rule = rule, Days = days, Errors = errors.Select(e => FieldError(view.W, e.Key, e.Value)).ToList(),
                });
            }
            await RequestDeadlines.SaveAsync(database, context.User.OrganizationId(), deadline, time.GetUtcNow(), context.RequestAborted);
            return Results.Redirect($"{SettingsPath}?lang={view.W.Lang}&saved=true", preserveMethod: false);
        });

        pages.MapGet("/scrub", async (string? lang, HttpContext context, IAntiforgery antiforgery, ConsentOptions options, EventStore events) =>
            Render<ScrubPage>(context, new { View = View(context, antiforgery, options, lang), Purposes = await PurposesAsync(context, events) }));

        // The upload is saved, the job started, and the browser sent to the job's page at once: the page
        // follows the job (it refreshes itself while the job runs) instead of the upload's request waiting for it.
        pages.MapPost("/scrub", async ([FromForm] string? channel, [FromForm] string? purpose, [FromForm] string? lang, IFormFile? file, HttpContext context,
            IAntiforgery antiforgery, ConsentOptions options, EventStore events, ScrubJobs jobs, ScrubRunner runner, TimeProvider time, IHostApplicationLifetime lifetime,
            ILogger<ScrubRunner> logger) =>
        {
            var view = View(context, antiforgery, options, lang);
            var errors = new List<FieldProblem>();
            if (!Channels.IsKnown(channel)) errors.Add(FieldError(view.W, "channel", "The channel is required: call, sms or email."));
            if (CheckInput.PurposeError(purpose) is { } purposeError) errors.Add(FieldError(view.W, "purpose", purposeError));
            if (file is null || file.Length == 0) errors.Add(FieldError(view.W, "file", "Choose a CSV file with a phone column."));
            string? saved = null;
            CsvUpload? upload = null;
            long lines = 0;
            if (errors.Count == 0)
            {
                (saved, lines) = await SaveUploadAsync(file!, jobs.Folder, context.RequestAborted);
                try { upload = await CsvUpload.OpenAsync(File.OpenRead(saved), context.RequestAborted); }
                catch (CsvEncodingException e) { errors.Add(new FieldProblem("file", e.Message)); }
            }
            if (errors.Count > 0)
            {
                if (saved is not null) File.Delete(saved);
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                return Render<ScrubPage>(context, new { View = view, Purposes = await PurposesAsync(context, events), Channel = channel, Purpose = purpose, Errors = errors });
            }

            var organizationId = context.User.OrganizationId();
            var (id, progress) = await jobs.StartAsync(organizationId, channel!, purpose!.Trim(), null, context.RequestAborted, expectedRows: Math.Max(0, lines - 1));
            _ = Task.Run(async () =>
            {
                try
                {
                    await runner.RunAsync(upload!, organizationId, id, progress, channel!, purpose.Trim(), time.GetUtcNow(), lifetime.ApplicationStopping);
                }
                catch (Exception e) when (e is ScrubInputException or CsvEncodingException)
                {
                    jobs.Failed(organizationId, id, e.Message);
                }
                catch (Exception e)
                {
                    jobs.Failed(organizationId, id, "");
                    logger.LogError(e, "Scrub {ScrubId} for {OrganizationId} stopped", id, organizationId);
                }
                finally
                {
                    upload!.Dispose();
                    File.Delete(saved!);
                }
            }, CancellationToken.None);
            return Results.Redirect($"{ScrubPath}/{id}?lang={view.W.Lang}", preserveMethod: false);
        })
        .WithMetadata(new RequestSizeLimitAttribute(consentOptions.MaxScrubBytes))
        .WithFormOptions(multipartBodyLengthLimit: consentOptions.MaxScrubBytes);

        pages.MapGet("/scrub/{id}", async Task<IResult> (string id, string? lang, HttpContext context, IAntiforgery antiforgery, ConsentOptions options, ScrubJobs jobs) =>
        {
            var view = View(context, antiforgery, options, lang);
            var organizationId = context.User.OrganizationId();
            if (await jobs.FindAsync(organizationId, id, context.RequestAborted) is not { } job)
            {
                if (jobs.FailureOf(organizationId, id) is { } failure)
                {
                    context.Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
                    return Render<ScrubJobPage>(context, new { View = view, Id = id, Failure = failure });
                }
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Render<ConsoleNotFound>(context, new { View = view });
            }
            return Render<ScrubJobPage>(context, new
            {
                View = view, Id = id, Job = job, ExpectedRows = jobs.ExpectedRowsOf(id),
                Reasons = job.Status == "done" ? await jobs.ReasonCountsAsync(id, context.RequestAborted) : null,
            });
        });

        // Anything else under the console is a page that does not exist: say so as a page, in the console.
        pages.MapGet("/{**rest}", (string? lang, HttpContext context, IAntiforgery antiforgery, ConsentOptions options) =>
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Render<ConsoleNotFound>(context, new { View = View(context, antiforgery, options, lang) });
        });
    }

    /// <summary>Saves an uploaded file beside the scrub results, counting its lines on the way (for the progress bar).</summary>
    private static async Task<(string Path, long Lines)> SaveUploadAsync(IFormFile file, string folder, CancellationToken cancellationToken)
    {
        System.IO.Directory.CreateDirectory(folder);
        var path = System.IO.Path.Combine(folder, $"upload_{Guid.NewGuid():N}.csv");
        long lines = 0;
        var buffer = new byte[1 << 16];
        await using var input = file.OpenReadStream();
        await using var output = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
        int read;
        byte last = (byte)'\n';
        while ((read = await input.ReadAsync(buffer, cancellationToken)) > 0)
        {
            lines += buffer.AsSpan(0, read).Count((byte)'\n');
            last = buffer[read - 1];
            await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        }
        return (path, last == (byte)'\n' ? lines : lines + 1);
    }

    public static ConsoleView View(HttpContext context, IAntiforgery antiforgery, ConsentOptions options, string? lang)
    {
        var words = ConsoleWords.For(RecipientLanguage.Resolve(context.Request, lang));
        return View(words, options, context) with { Tokens = antiforgery.GetAndStoreTokens(context) };
    }

    private static ConsoleView View(ConsoleWords words, ConsentOptions options, HttpContext context) => new(
        words, options.TimeZoneFor(context.User.OrganizationId()), PlatformPages.SignedInAs(context.User), null!,
        SwitchPath(context.Request));

    /// <summary>This address with its query but without lang; a POST's answer switches to the empty page (its input is not put in an address).</summary>
    private static string SwitchPath(HttpRequest request)
    {
        if (!HttpMethods.IsGet(request.Method)) return request.Path;
        var kept = request.Query.Where(q => q.Key != "lang").SelectMany(q => q.Value.Select(v => $"{Uri.EscapeDataString(q.Key)}={Uri.EscapeDataString(v ?? "")}")).ToList();
        return kept.Count == 0 ? request.Path : $"{request.Path}?{string.Join('&', kept)}";
    }

    private static RazorComponentResult<T> Render<T>(HttpContext context, object parameters) where T : Microsoft.AspNetCore.Components.IComponent
    {
        context.Response.Headers.ContentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
        context.Response.Headers.CacheControl = "no-store";
        return new RazorComponentResult<T>(parameters);
    }

    private static async Task<IReadOnlyList<string>> PurposesAsync(HttpContext context, EventStore events) =>
        (await events.ListAsync(context.User.OrganizationId(), context.RequestAborted)).Select(e => e.Purpose).Distinct().Order(StringComparer.Ordinal).ToList();

    /// <summary>A field's problem in the page's language: the console's own words where it has them, else the check's (English) message.</summary>
    public static FieldProblem FieldError(ConsoleWords w, string field, string english) => new(field, w.FieldErrors.GetValueOrDefault(field, english));

    private static (AuditFilter Filter, (long, string)? Before, List<FieldProblem> Errors) ReadAuditQuery(IQueryCollection query, ConsoleView view,
        IReadOnlyList<ApiKeyInfo> keys)
    {
        var errors = new List<FieldProblem>();
        string? Text(string name) => query[name].ToString() is { Length: > 0 } value ? value.Trim() : null;

        var key = Text("key");
        if (key is not null && keys.All(k => k.Id != key)) errors.Add(FieldError(view.W, "key", "That key is not one of this organization's."));
        var (fromMs, toMs) = ReadDays(query, view, errors);
        var decision = Text("decision");
        if (decision is not null and not ("allow" or "deny")) errors.Add(FieldError(view.W, "decision", "The decision is allow or deny."));
        var reason = Text("reason");
        if (reason is not null && !ReasonCodes.All.Contains(reason)) errors.Add(FieldError(view.W, "reason", "Pick a reason from the list."));
        var before = Cursor(Text("before"));
        if (before is null) errors.Add(BadCursor);
        return (new AuditFilter(key, fromMs, toMs, decision, reason), before?.After, errors);
    }

    private static (SuppressionFilter Filter, (long, string)? Before, List<FieldProblem> Errors) ReadSuppressionQuery(IQueryCollection query, ConsoleView view,
        IReadOnlyList<string> sources)
    {
        var errors = new List<FieldProblem>();
        var source = query["source"].ToString() is { Length: > 0 } value ? value.Trim() : null;
        if (source is not null && !sources.Contains(source)) errors.Add(FieldError(view.W, "source", "Pick a source from the list."));
        var (fromMs, toMs) = ReadDays(query, view, errors);
        var before = Cursor(query["before"].ToString() is { Length: > 0 } cursor ? cursor : null);
        if (before is null) errors.Add(BadCursor);
        return (new SuppressionFilter(source, fromMs, toMs), before?.After, errors);
    }

    /// <summary>
    /// The from and to days of a filter as unix ms, to exclusive: a day is the organization's day, from its
    /// first moment to the first moment of the next. A day that cannot be read adds its field's problem.
    /// </summary>
    private static (long? FromMs, long? ToMs) ReadDays(IQueryCollection query, ConsoleView view, List<FieldProblem> errors)
    {
        string? Text(string name) => query[name].ToString() is { Length: > 0 } value ? value.Trim() : null;
        var from = Text("from") is { } fromText ? ParseDay(fromText, "from", view.W, errors) : null;
        var to = Text("to") is { } toText ? ParseDay(toText, "to", view.W, errors) : null;
        if (from is { } f && to is { } t && t < f) errors.Add(FieldError(view.W, "to", ToMessage));
        return (from is { } first ? DayStart(first, view.Zone) : null, to is { } last ? DayStart(last.AddDays(1), view.Zone) : null);
    }

    /// <summary>A contact typed on a page (a number in the organization's region, or an email) read as the per-contact export reads it.</summary>
    private static (ContactQuery? Query, List<string> Errors) ReadContact(string? contact, HttpContext context, ConsentOptions options, PhoneNumberHasher hasher)
    {
        var (phoneNumber, email) = RequestInput.SplitContact(contact);
        var errors = new Dictionary<string, string[]>();
        var query = ContactLookup.Read(hasher, phoneNumber, email, options.RegionFor(context.User.OrganizationId()), errors);
        return (query, errors.Values.Select(v => v[0]).ToList());
    }

    /// <summary>The sources the list can be filtered by: the ways people say no, and any other the organization's entries came from.</summary>
    private static async Task<IReadOnlyList<string>> SourcesAsync(ConsentDatabase database, string organizationId, CancellationToken cancellationToken) =>
        Overview.OptOutSources.Where(s => s != Overview.DataSubjectRequestSource)
            .Concat((await SuppressionQueries.SourcesAsync(database, organizationId, cancellationToken)).Order(StringComparer.Ordinal)).Distinct().ToList();

    private const string DayFormat = "yyyy-MM-dd";
    private const string ToMessage = "Give the last day as yyyy-MM-dd, not before the first day.";
    private const int DefaultPeriodDays = 30;

    /// <summary>A day typed as yyyy-MM-dd, or null with the field's problem added.</summary>
    private static DateOnly? ParseDay(string text, string field, ConsoleWords w, List<FieldProblem> errors)
    {
        if (DateOnly.TryParseExact(text, DayFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)) return day;
        errors.Add(FieldError(w, field, field == "to" ? ToMessage : "Give the first day as yyyy-MM-dd."));
        return null;
    }

    /// <summary>The first moment (unix ms) of a day in the organization's zone: a day filter runs from it to the next day's.</summary>
    private static long DayStart(DateOnly day, TimeZoneInfo zone)
    {
        var midnight = day.ToDateTime(TimeOnly.MinValue);
        return new DateTimeOffset(midnight, zone.GetUtcOffset(midnight)).ToUnixTimeMilliseconds();
    }

    private static readonly FieldProblem BadCursor = new("before", "Not a page of this list; start again from the first page.");

    /// <summary>Where a keyset page starts: after the row "{unix ms}_{id}", or at the top (null At).</summary>
    private sealed record PageCursor((long At, string Id)? After);

    /// <summary>The cursor in ?before=, or null when it cannot be read.</summary>
    private static PageCursor? Cursor(string? text)
    {
        if (string.IsNullOrEmpty(text)) return new PageCursor(null);
        var cut = text.IndexOf('_');
        return cut > 0 && long.TryParse(text[..cut], NumberStyles.None, CultureInfo.InvariantCulture, out var at) ? new PageCursor((at, text[(cut + 1)..])) : null;
    }

    /// <summary>The filtered audit as CSV, newest first, streamed; contacts masked as on the page, times in the organization's zone with their offset.</summary>
    private sealed class AuditCsv(ConsentDatabase database, string organizationId, AuditFilter filter, TimeZoneInfo zone, IReadOnlyDictionary<string, string> keyNames) : IResult
    {
        public async Task ExecuteAsync(HttpContext context)
        {
            context.Response.ContentType = "text/csv; charset=utf-8";
            context.Response.Headers.ContentDisposition = "attachment; filename=\"permission-check-audit.csv\"";
            context.Response.Headers.CacheControl = "no-store";
            await GuardedCsvWriter.StreamAsync(context.Response.Body,
                csv =>
                {
                    foreach (var column in (string[])["checked_at", "key_id", "key_name", "source", "contact_masked", "channel", "purpose", "decision", "reasons", "asked_about", "check_id"])
                        csv.WriteField(column);
                    csv.NextRecord();
                },
                AuditQueries.AllAsync(database, organizationId, filter, context.RequestAborted),
                (csv, e) =>
                {
                    foreach (var field in (string?[])[Iso(e.CheckedAt), e.KeyId, e.KeyId is null ? null : keyNames.GetValueOrDefault(e.KeyId), e.Source, e.ContactMasked,
                                 e.Channel, e.Purpose, e.Decision, e.Reasons, Iso(e.At), e.CheckId])
                        csv.WriteField(field ?? "");
                },
                context.RequestAborted);
        }

        private string Iso(long unixMilliseconds) =>
            TimeZoneInfo.ConvertTime(DateTimeOffset.FromUnixTimeMilliseconds(unixMilliseconds), zone).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
    }
}

/// <summary>A field the page could not take, and why, in the page's language.</summary>
public sealed record FieldProblem(string Field, string Message);
