// Features: Lookup → OptOut → Published → Feeds → Numbers → Organizations; Numbers → Verification; OptOut → Verification; Erasure → OptOut
// (an arrow: the folder on its left may use the one on its right, and what that one may use; ADR 0037,
// held by Architecture/FeatureDependencyTests)
using ConsentPlatform.Directory.Erasure;
using ConsentPlatform.Directory.Lookup;
using ConsentPlatform.Directory.Numbers;
using ConsentPlatform.Directory.OptOut;
using ConsentPlatform.Directory.Organizations;
using ConsentPlatform.Directory.Published;
using ConsentPlatform.Directory.Verification;
using ConsentPlatform.ServiceDefaults;
using ConsentPlatform.ServiceDefaults.Data;
using ConsentPlatform.ServiceDefaults.Identity;
using MassTransit;

namespace ConsentPlatform.Directory;

/// <summary>The Directory service as a module: run alone by its Program.cs, or with the others by the host.</summary>
public static class DirectoryService
{
    public static readonly PlatformModule Module = new()
    {
        Name = "directory",
        Title = "Directory",
        Description = "The company's published caller numbers and public profile: look a number up, recognise or block it, opt out from there.",
        JapaneseTitle = "発信番号ディレクトリ",
        JapaneseDescription = "会社が公開する発信番号と会社情報。番号を調べ、誰からの電話か確かめ、着信拒否や連絡停止をそこから。",
        AddServices = builder =>
        {
            builder.Services.AddServiceDatabase<DirectoryDatabase>();
            builder.Services.AddCheckedSettings(DirectoryOptions.Read(builder.Configuration));
            builder.Services.AddSingleton<ProfilePublisher>();
            builder.Services.AddSingleton<OneTimeCodes>();
            builder.Services.AddSingleton<NumberRegistry>();
            builder.Services.AddSingleton<PublishedDirectory>();
            builder.Services.AddSingleton<IPublishedView>(sp => sp.GetRequiredService<PublishedDirectory>());
            builder.Services.AddSingleton<EntryOptOut>();
            builder.Services.AddHostedService<DirectoryRefresher>();
        },
        AddConsumers = bus => bus.AddConsumer<ErasureRequestedConsumer, ErasureRequestedConsumerDefinition>(),
        MapEndpoints = app =>
        {
            var api = app.MapGroup("/api/directory").WithGroupName("directory").WithTags("Directory").RequireAuthorization(Scopes.Directory);
            api.MapProfileApi();
            api.MapNumberApi();

            var pages = app.MapGroup("/directory").RequireAuthorization(Scopes.Directory).ExcludeFromDescription();
            pages.MapProfilePages();
            pages.MapNumberPages();

            app.MapPublicDirectory();
        },
        Pages =
        [
            new PageLink("Organization profile", "会社情報", "/directory/organization"),
            new PageLink("Caller numbers", "発信番号", "/directory/numbers"),
            new PageLink("Number lookup (public)", "番号検索（公開）", "/lookup"),
        ],
    };
}
