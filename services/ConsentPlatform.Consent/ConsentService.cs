// Features: Compliance → Import → ConsentForms → Requests → Suppression → Ledger → Gate; Compliance → Scrub → Gate
// (an arrow: the folder on its left may use the one on its right, and what that one may use; ADR 0037,
// held by Architecture/FeatureDependencyTests)
using ConsentPlatform.Consent.Compliance;
using ConsentPlatform.Consent.ConsentForms;
using ConsentPlatform.Consent.Gate;
using ConsentPlatform.Consent.Import;
using ConsentPlatform.Consent.Ledger;
using ConsentPlatform.Consent.Requests;
using ConsentPlatform.Consent.Scrub;
using ConsentPlatform.Consent.Suppression;
using ConsentPlatform.Contracts;
using ConsentPlatform.ServiceDefaults;
using ConsentPlatform.ServiceDefaults.Data;
using ConsentPlatform.ServiceDefaults.Identity;
using ConsentPlatform.ServiceDefaults.Organizations;
using ConsentPlatform.ServiceDefaults.Telemetry;
using MassTransit;

namespace ConsentPlatform.Consent;

/// <summary>The Consent service as a module: run alone by its Program.cs, or with the others by the host.</summary>
public static class ConsentService
{
    public static readonly PlatformModule Module = new()
    {
        Name = "consent",
        Title = "Consent",
        Description = "Embeddable event-registration forms that capture per-channel consent with evidence; the suppression list; the may-I-contact gate and bulk list scrubbing.",
        JapaneseTitle = "同意",
        JapaneseDescription = "チャネルごとの同意を証跡とともに記録する、埋め込み可能なイベント申込フォーム。連絡停止リスト、「この番号に今連絡してよいか」の確認、リストの一括照合。",
        AddServices = builder =>
        {
            var services = builder.Services;
            services.AddServiceDatabase<ConsentDatabase>();
            services.AddPropagationHistory<ConsentDatabase>();
            services.AddCheckedSettings(ConsentOptions.Read(builder.Configuration));
            services.AddSingleton<GateIndex>();
            services.AddSingleton(sp => ContactHasher.From(sp.GetRequiredService<PlatformOptions>()));
            services.AddSingleton<ContactHoursStore>();
            services.AddSingleton<CheckAudit>();
            services.AddHostedService(sp => sp.GetRequiredService<CheckAudit>());
            // Before the bus starts consuming: opt-outs must land in a loaded index.
            services.AddHostedService<GateIndexLoader>();
            // Entries before rows, as the loader read them when it read both tables itself.
            services.AddSingleton<IGateIndexSource, SuppressionIndexSource>();
            services.AddSingleton<IGateIndexSource, LedgerIndexSource>();
            services.AddSingleton<PermissionGate>();
            services.AddSingleton<SuppressionStore>();
            services.AddSingleton<LedgerStore>();
            services.AddSingleton<ExpiryAnnouncer>();
            services.AddHostedService(sp => sp.GetRequiredService<ExpiryAnnouncer>());
            services.AddSingleton<EventStore>();
            services.AddHostedService<PurposeAnnouncement>();
            services.AddSingleton<FormSubmission>();
            services.AddSingleton<ConsentImporter>();
            services.AddSingleton<FormPreview>();
            services.AddSingleton<ScrubEngine>();
            services.AddSingleton<ScrubJobs>();
            services.AddSingleton<ScrubRunner>();
            services.AddSingleton<DataSubjectRequests>();
        },
        AddConsumers = bus =>
        {
            bus.AddConsumer<OrganizationProfileChangedConsumer<ConsentDatabase>, OrganizationProfileChangedConsumerDefinition<ConsentDatabase>>();
            bus.AddConsumer<OptOutRequestedConsumer, OptOutRequestedConsumerDefinition>();
            bus.AddConsumer<OptInRequestedConsumer, OptInRequestedConsumerDefinition>();
            bus.AddConsumer<ContactErasedConsumer, ContactErasedConsumerDefinition>();
            bus.AddConsumer<EmailConsentConsumer, EmailConsentConsumerDefinition>();
            // The console's overview asks Notices and Responses for their figures and waits this long at most.
            bus.AddRequestClient<NoticeFiguresRequested>(RequestTimeout.After(s: 2));
            bus.AddRequestClient<CrmFiguresRequested>(RequestTimeout.After(s: 2));
            // The contact record and the per-contact export ask what Notices and Responses hold about the contact.
            bus.AddRequestClient<ContactNoticesRequested>(RequestTimeout.After(s: 2));
            bus.AddRequestClient<ContactResponsesRequested>(RequestTimeout.After(s: 2));
            // Propagation figures: Notices is the one service that answers them (ADR 0038); Consent reads its own.
            bus.AddRequestClient<PropagationFiguresRequested>(RequestTimeout.After(s: 2));
        },
        MapEndpoints = app =>
        {
            var api = app.MapGroup("/api/consent").WithGroupName("consent").WithTags("Consent").RequireAuthorization(Scopes.Consent);
            api.MapOrganizationProfileReplica<ConsentDatabase>();
            api.MapGateApi();
            api.MapEventApi();
            api.MapImportApi();
            api.MapContactExport();
            api.MapLedgerExport();
            api.MapScrubApi();
            app.MapFormPages();
            app.MapOrganizerPages();
            app.MapSubmissionPages(app.ServiceProvider.GetRequiredService<ConsentOptions>());
            app.MapRequestApi();
            app.MapRequestPages();
            app.MapConsolePages(app.ServiceProvider.GetRequiredService<ConsentOptions>());
        },
        Pages = [new PageLink("Consent forms", "同意フォーム", "/consent/events"), new PageLink("Compliance console", "コンプライアンス画面", ConsolePages.Path),
            new PageLink("Compliance overview", "コンプライアンス概要", ConsolePages.OverviewPath)],
    };
}
