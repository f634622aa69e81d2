using ConsentPlatform.Consent.ConsentForms;
using ConsentPlatform.Consent.Ledger;
using ConsentPlatform.Consent.Requests;
using ConsentPlatform.Consent.Suppression;
using ConsentPlatform.Contracts;
using ConsentPlatform.ServiceDefaults.Telemetry;
using MassTransit;

namespace ConsentPlatform.Consent.Compliance;

/// <summary>One bar: a stable key for links and tests, what it is called in the page's language, its count.</summary>
public sealed record ChartBar(string Key, string Label, long Value, string? Href = null);

/// <summary>
/// One chart of the overview and the list it summarises (null when the console has no such list).
/// <see cref="Unavailable"/>: the service holding the figures did not answer in time, so none are drawn (not zeros).
/// </summary>
public sealed record Chart(string Id, string Title, string Description, IReadOnlyList<ChartBar> Bars, string? ListHref = null, string? ListLabel = null,
    bool Unavailable = false, string? ValueHeader = null);

/// <summary>
/// The overview's figures for a period of the organization's days, read from the tables the Consent
/// service owns, each through the feature that owns the table. Notices and Responses are asked for theirs
/// over the bus (a request with a short timeout; ADR 0032): without an answer their charts say so.
/// </summary>
public static class Overview
{
    /// <summary>How a suppression's source reads as the way a person said no.</summary>
    public static readonly IReadOnlyList<string> OptOutSources = ["responses", "sms_reply", "call_refused", "directory", DataSubjectRequestSource];

    /// <summary>Opt-outs that came as data-subject requests: counted from the requests, not the suppression list.</summary>
    public const string DataSubjectRequestSource = "data_subject_request";

    /// <summary>Open requests due within this many days are "due soon".</summary>
    public const int DueSoonDays = 7;

    public static async Task<IReadOnlyList<Chart>> LoadAsync(ConsentDatabase database, EventStore events, OtherServices others, string organizationId, long from, long to,
        DateTimeOffset now, DeadlineRule deadline, TimeZoneInfo zone, ConsoleWords w, CancellationToken cancellationToken)
    {
        // Asked first, so the other services count while Consent does.
        var period = (From: DateTimeOffset.FromUnixTimeMilliseconds(from), To: DateTimeOffset.FromUnixTimeMilliseconds(to));
        var noticeFigures = AskAsync<NoticeFiguresRequested, NoticeFigures>(others.Notices,
            new NoticeFiguresRequested { OrganizationId = organizationId, From = period.From, To = period.To }, cancellationToken);
        var crmFigures = AskAsync<CrmFiguresRequested, CrmFigures>(others.Crm,
            new CrmFiguresRequested { OrganizationId = organizationId, From = period.From, To = period.To }, cancellationToken);
        var noticesPropagation = AskAsync<PropagationFiguresRequested, PropagationFigures>(others.NoticesPropagation,
            new PropagationFiguresRequested { OrganizationId = organizationId, From = period.From, To = period.To }, cancellationToken);
        var consentPropagation = await PropagationHistory<ConsentDatabase>.FiguresAsync(database, organizationId, period.From, period.To, cancellationToken);
        var grants = await LedgerQueries.GrantsAsync(database, organizationId, from, to, cancellationToken);
        var titles = (await events.ListAsync(organizationId, cancellationToken)).ToDictionary(e => e.Id, e => e.Title);
        var (optOutChannels, optOutSources) = await SuppressionQueries.OptOutsAsync(database, organizationId, from, to, cancellationToken);
        var requestOptOuts = await RequestActions.OptOutsCarriedOutAsync(database, organizationId, from, to, cancellationToken);
        var deadlines = (await RequestActions.OpenReceivedAsync(database, organizationId, cancellationToken))
            .Select(received => deadline.DueAt(DateTimeOffset.FromUnixTimeMilliseconds(received), zone).ToUnixTimeMilliseconds()).ToList();
        var lang = $"lang={w.Lang}";

        var consentsByChannel = grants.GroupBy(g => g.Channel).OrderBy(g => ChannelOrder(g.Key)).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new ChartBar(g.Key, w.ChannelName(g.Key), g.Sum(x => x.Count))).ToList();
        var consentsByEvent = grants.GroupBy(g => g.EventId).OrderByDescending(g => g.Sum(x => x.Count)).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new ChartBar(g.Key ?? "none", g.Key is null ? w.NoEvent : titles.GetValueOrDefault(g.Key, g.Key), g.Sum(x => x.Count),
                g.Key is null ? null : $"/consent/events/{Uri.EscapeDataString(g.Key)}/submissions")).ToList();

        // A data-subject request stops every channel: it joins the "every channel" bar.
        var channelCounts = optOutChannels.ToDictionary(c => c.Channel ?? "all", c => c.Count);
        if (requestOptOuts > 0) channelCounts["all"] = channelCounts.GetValueOrDefault("all") + requestOptOuts;
        var optOutsByChannel = channelCounts.OrderBy(c => ChannelOrder(c.Key)).ThenBy(c => c.Key, StringComparer.Ordinal)
            .Select(c => new ChartBar(c.Key, c.Key == "all" ? w.AllChannels : w.ChannelName(c.Key), c.Value)).ToList();

        var sourceCounts = optOutSources.ToDictionary(s => s.Source, s => s.Count);
        sourceCounts[DataSubjectRequestSource] = requestOptOuts;
        var optOutsBySource = OptOutSources.Select(s => new ChartBar(s, w.OptOutSourceName(s), sourceCounts.GetValueOrDefault(s)))
            .Concat(sourceCounts.Where(s => !OptOutSources.Contains(s.Key)).OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => new ChartBar(s.Key, s.Key, s.Value)))
            .ToList();

        var nowMs = now.ToUnixTimeMilliseconds();
        var soon = now.AddDays(DueSoonDays).ToUnixTimeMilliseconds();
        var requests = ConsolePages.RequestsPath + "?" + lang;
        var suppressions = ConsolePages.SuppressionsPath + "?" + lang;
        var openRequests = new List<ChartBar>
        {
            new("overdue", w.Overdue, deadlines.Count(d => d <= nowMs), requests),
            new("due_soon", w.DueWithin(DueSoonDays), deadlines.Count(d => d > nowMs && d <= soon), requests),
            new("later", w.DueLater(DueSoonDays), deadlines.Count(d => d > soon), requests),
        };

        return
        [
            new("consents-by-channel", w.ConsentsByChannel, w.ConsentsByChannelDesc, consentsByChannel, "/consent/events", w.EventsList),
            new("consents-by-event", w.ConsentsByEvent, w.ConsentsByEventDesc, consentsByEvent, "/consent/events", w.EventsList),
            new("opt-outs-by-channel", w.OptOutsByChannel, w.OptOutsByChannelDesc, optOutsByChannel, suppressions, w.SuppressionsTitle),
            new("opt-outs-by-source", w.OptOutsBySource, w.OptOutsBySourceDesc, optOutsBySource, suppressions, w.SuppressionsTitle),
            new("open-requests", w.OpenRequests, w.OpenRequestsDesc(DueSoonDays), openRequests, requests, w.RequestsTitle),
            .. NoticeCharts(await noticeFigures, w),
            CrmChart(await crmFigures, w),
            PropagationChart("consent", consentPropagation, w),
            PropagationChart("notices", await noticesPropagation, w),
        ];
    }

    /// <summary>The request clients the overview asks Notices and Responses through.</summary>
    public sealed record OtherServices(IRequestClient<NoticeFiguresRequested> Notices, IRequestClient<CrmFiguresRequested> Crm,
        IRequestClient<PropagationFiguresRequested> NoticesPropagation);

    /// <summary>The answer, or null when none came within the client's timeout or the other side failed.</summary>
    public static async Task<TAnswer?> AskAsync<TRequest, TAnswer>(IRequestClient<TRequest> client, TRequest request, CancellationToken cancellationToken)
        where TRequest : class where TAnswer : class
    {
        try
        {
            return (await client.GetResponse<TAnswer>(request, cancellationToken)).Message;
        }
        catch (Exception e) when (e is RequestTimeoutException or RequestFaultException)
        {
            return null;
        }
    }

    private static IEnumerable<Chart> NoticeCharts(NoticeFigures? figures, ConsoleWords w)
    {
        IReadOnlyList<ChartBar> totals = figures is null ? [] :
        [
            new("sent", w.NoticesSent, figures.Sent),
            new("refused", w.NoticesRefused, figures.RefusedByReason.Values.Sum()),
            new("failed", w.NoticesFailed, figures.Failed),
        ];
        IReadOnlyList<ChartBar> reasons = figures is null ? [] : figures.RefusedByReason.OrderByDescending(r => r.Value).ThenBy(r => r.Key, StringComparer.Ordinal)
            // The reason's code is its label, as on the audit page: the sentences do not fit beside a bar.
            .Select(r => new ChartBar(r.Key, r.Key, r.Value)).ToList();
        yield return new("notices", w.NoticesChart, w.NoticesChartDesc, totals, Unavailable: figures is null);
        yield return new("notices-refused-by-reason", w.NoticesRefusedByReason, w.NoticesRefusedByReasonDesc, reasons, Unavailable: figures is null);
    }

    private static Chart CrmChart(CrmFigures? figures, ConsoleWords w) => new("crm-deliveries", w.CrmDeliveries, w.CrmDeliveriesDesc,
        figures is null ? [] : [new("delivered", w.CrmDelivered, figures.Delivered), new("dead_letters", w.CrmDeadLetters, figures.DeadLetters)],
        Unavailable: figures is null);

    /// <summary>One service's p50 and p99 in whole milliseconds; no bars when it applied none of the organization's opt-outs in the period.</summary>
    private static Chart PropagationChart(string service, PropagationFigures? figures, ConsoleWords w)
    {
        var name = w.ServiceNames.GetValueOrDefault(service, service);
        IReadOnlyList<ChartBar> bars = figures is { P50Milliseconds: { } p50, P99Milliseconds: { } p99 }
            ? [new("p50", w.Median, (long)Math.Round(p50)), new("p99", w.Percentile99, (long)Math.Round(p99))]
            : [];
        return new($"propagation-{service}", w.PropagationChart(name), w.PropagationChartDesc(name, figures?.Count ?? 0), bars,
            Unavailable: figures is null, ValueHeader: w.Milliseconds);
    }

    private static int ChannelOrder(string? channel) => channel switch { "call" => 0, "sms" => 1, "email" => 2, "all" => 9, _ => 5 };
}
