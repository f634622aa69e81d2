// Features: Webhooks → Sending; Verification → Sending; Verification → Templates; Calls → Templates; Calls → Sending → Replica
// (an arrow: the folder on its left may use the one on its right, and what that one may use; ADR 0037,
// held by Architecture/FeatureDependencyTests)
using ConsentPlatform.Notices.Calls;
using ConsentPlatform.Notices.Replica;
using ConsentPlatform.Notices.Sending;
using ConsentPlatform.Notices.Templates;
using ConsentPlatform.Notices.Verification;
using ConsentPlatform.Notices.Webhooks;
using ConsentPlatform.ServiceDefaults;
using ConsentPlatform.ServiceDefaults.Data;
using ConsentPlatform.ServiceDefaults.Identity;
using ConsentPlatform.ServiceDefaults.Organizations;
using ConsentPlatform.ServiceDefaults.Telemetry;
using MassTransit;

namespace ConsentPlatform.Notices;

/// <summary>The Notices service as a module: run alone by its Program.cs, or with the others by the host.</summary>
public static class NoticesService
{
    public static readonly PlatformModule Module = new()
    {
        Name = "notices",
        Title = "Notices",
        Description = "Pre-call and post-call SMS notices naming the company, the caller and the topic, with a short opt-out link; never twice, never to someone who said no.",
        JapaneseTitle = "通知",
        JapaneseDescription = "会社名・担当者・用件を伝える通話前後のSMS通知と、連絡停止の短縮リンク。同じ通知は二度送らず、断った人には送りません。",
        AddServices = AddServices,
        AddConsumers = bus =>
        {
            bus.AddConsumer<OrganizationProfileChangedConsumer<NoticesDatabase>, OrganizationProfileChangedConsumerDefinition<NoticesDatabase>>();
            bus.AddConsumer<ReplicaConsumer, ReplicaConsumerDefinition>();
            bus.AddConsumer<SendVerificationCodeConsumer, SendVerificationCodeConsumerDefinition>();
            bus.AddConsumer<PlaceVerificationCallConsumer, PlaceVerificationCallConsumerDefinition>();
            bus.AddConsumer<SendEmailConfirmationConsumer, SendEmailConfirmationConsumerDefinition>();
            bus.AddConsumer<NoticeFiguresConsumer, NoticeFiguresConsumerDefinition>();
            bus.AddConsumer<ContactNoticesConsumer, ContactNoticesConsumerDefinition>();
            bus.AddConsumer<PropagationFiguresConsumer<NoticesDatabase>, PropagationFiguresConsumerDefinition<NoticesDatabase>>();
        },
        MapEndpoints = app =>
        {
            var api = app.MapGroup("/api/notices").WithGroupName("notices").WithTags("Notices").RequireAuthorization(Scopes.Notices);
            api.MapOrganizationProfileReplica<NoticesDatabase>();
            api.MapNoticesApi();
            api.MapGateCheck();
            app.MapNoticesPages();
            app.MapDevCallLogPage();
            app.MapTwilioWebhooks();
        },
        Pages = [new PageLink("Calls and notices", "通話と通知", "/notices/calls"), new PageLink("Notice templates", "通知テンプレート", "/notices/templates"),
            new PageLink("Dev inbox (SMS sent in development)", "開発用受信箱（開発中に送ったSMS）", "/notices/dev-inbox"),
            new PageLink("Dev call log (verification calls placed in development)", "開発用通話記録（開発中にかけた確認電話）", DevCallLog.PagePath)],
    };

    private static void AddServices(IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        var options = NoticesOptions.Read(builder.Configuration);
        services.AddCheckedSettings(options);
        services.AddServiceDatabase<NoticesDatabase>();
        services.AddPropagationHistory<NoticesDatabase>();
        services.AddSingleton<ReplicaIndex>();
        services.AddSingleton<ReplicaStore>();
        services.AddSingleton<OptOuts>();
        services.AddSingleton<ReplicaRefresher>();
        services.AddHostedService(sp => sp.GetRequiredService<ReplicaRefresher>());
        services.AddSingleton<RulesStore>();
        services.AddSingleton<TemplateStore>();
        services.AddSingleton<ShortLinks>();
        services.AddSingleton<CallPlanner>();
        services.AddSingleton<Purposes>();
        services.AddSingleton<IMessageOutcomeHook, NoticeOutcomes>();
        services.AddSingleton(sp => new SendSignal(sp.GetRequiredService<NoticesOptions>().SendConcurrency));
        services.AddSingleton<OutgoingStore>();
        services.AddSingleton<ISendRecheck>(sp => sp.GetRequiredService<CallPlanner>());
        // An erasure reaches every owner in the replica's transaction: queued messages first, then calls, as before.
        services.AddSingleton<IContactErasure>(sp => sp.GetRequiredService<OutgoingStore>());
        services.AddSingleton<IContactErasure>(sp => sp.GetRequiredService<CallPlanner>());
        services.AddSingleton<IContactErasure, InboundReplyStore>();
        services.AddSingleton(sp => new SenderPacing(sp.GetRequiredService<NoticesDatabase>(), sp.GetRequiredService<NoticesOptions>().RatePerSecond,
            sp.GetRequiredService<NoticesOptions>().RateJitterMilliseconds));
        if (options.Provider == SmsProvider.Twilio)
        {
            services.AddHttpClient(TwilioSender.HttpClientName);
            services.AddSingleton<ISmsSender>(sp => new TwilioSender(sp.GetRequiredService<IHttpClientFactory>().CreateClient(TwilioSender.HttpClientName), options,
                sp.GetRequiredService<ILogger<TwilioSender>>()));
            services.AddSingleton<IVoiceCaller>(sp => new TwilioVoiceCaller(sp.GetRequiredService<IHttpClientFactory>().CreateClient(TwilioSender.HttpClientName), options,
                sp.GetRequiredService<ILogger<TwilioVoiceCaller>>()));
        }
        else
        {
            services.AddSingleton<ISmsSender, DevInboxSender>();
            services.AddSingleton<IVoiceCaller, DevCallLogCaller>();
        }
        if (options.EmailProvider == EmailProvider.Smtp) services.AddSingleton<IEmailSender, SmtpEmailSender>();
        else services.AddSingleton<IEmailSender, DevInboxEmailSender>();
        services.AddSingleton<EmailQueue>();
        services.AddHostedService<EmailWorker>();
        services.AddSingleton<VoiceCallQueue>();
        services.AddSingleton<VoicePacing>();
        services.AddHostedService<VoiceCallWorker>();
        services.AddSingleton<SendWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<SendWorker>());
    }
}
