using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ConsentPlatform.Notices.Templates;
using ConsentPlatform.Telephony;

namespace ConsentPlatform.Notices.Tests;

/// <summary>The organization's templates page: list, edit, preview on POST (no JavaScript), and the same R15 lint as the API.</summary>
public sealed class TemplatePageTests : IAsyncLifetime
{
    private const string Path = "/notices/templates/pre_call/en";
    private const string Complete = "{company}: {caller} calls about {topic} from {callback_number}. To stop further contact: {link}";
    private readonly NoticesFactory _factory = new();
    private string _org = "";
    private HttpClient _api = null!;
    private HttpClient _browser = null!;

    public async Task InitializeAsync()
    {
        (_org, _api) = await _factory.CreateOrganizationAsync("Acme K.K.");
        _browser = await BrowserSession.SignInAsync(_factory, _org);
    }

    public async Task DisposeAsync()
    {
        _api.Dispose();
        _browser.Dispose();
        await _factory.DisposeAsync();
    }

    private async Task<HttpResponseMessage> PostAsync(string body, string action, string maxSegments = "2")
    {
        var page = await (await _browser.GetAsync(Path)).Content.ReadAsStringAsync();
        return await _browser.PostAsync(Path, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = BrowserSession.TokenOf(page), ["body"] = body, ["maxSegments"] = maxSegments, ["action"] = action,
        }));
    }

    private async Task<NoticeTemplate> SavedAsync() =>
        (await _api.GetFromJsonAsync<List<NoticeTemplate>>("/api/notices/templates", JsonSerializerOptions.Web))!.Single(t => t.Kind == "pre_call" && t.Language == "en");

    [Fact]
    public async Task The_list_shows_every_kind_and_language_with_its_figures_and_an_edit_link()
    {
        var response = await _browser.GetAsync("/notices/templates");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await response.TextAsync();
        foreach (var kind in NoticeKinds.All)
        foreach (var language in Languages.All)
            Assert.Contains($"href=\"/notices/templates/{kind}/{language}\"", page);
        Assert.Contains("Acme K.K.: Taro Yamada will call you about our new service", page);
        Assert.Contains("UCS-2", page);
        Assert.Contains("GSM-7", page);
    }

    [Fact]
    public async Task Preview_renders_the_typed_text_with_the_telephony_figures_and_saves_nothing()
    {
        var response = await PostAsync(Complete, "preview");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await response.TextAsync();
        var rendered = "Acme K.K.: Taro Yamada calls about our new service from +81 3-1234-5678. To stop further contact: http://localhost/r/xxxxxxxxxx";
        Assert.Contains(rendered, page);
        var info = SmsText.Analyze(rendered);
        Assert.Equal(SmsEncoding.Gsm7, info.Encoding);
        Assert.Contains($"GSM-7 · {info.Segments} segment of {info.PerSegment} characters ({info.Remaining} left in the last)", page);
        Assert.True((await SavedAsync()).IsDefault);
    }

    [Fact]
    public async Task Preview_of_an_incomplete_text_names_what_is_missing_and_save_refuses_it()
    {
        var incomplete = "{company}: {caller} calls about {topic}.";

        var preview = await (await PostAsync(incomplete, "preview")).TextAsync();
        var save = await PostAsync(incomplete, "save");

        Assert.Contains("opt-out link", preview);
        Assert.Contains("contact point", preview);
        Assert.Contains("opt-out wording", preview);
        Assert.Equal(HttpStatusCode.BadRequest, save.StatusCode);
        Assert.Contains("Not saved:", await save.TextAsync());
        Assert.True((await SavedAsync()).IsDefault);
    }

    [Fact]
    public async Task Save_stores_the_text_and_its_segment_limit_for_the_next_notices()
    {
        var response = await PostAsync(Complete, "save", maxSegments: "2");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Saved", await response.TextAsync());
        var saved = await SavedAsync();
        Assert.Equal((Complete, 2, false), (saved.Body, saved.MaxSegments, saved.IsDefault));
        Assert.Contains("calls about {topic}", await (await _browser.GetAsync(Path)).TextAsync());
    }

    [Fact]
    public async Task A_text_over_its_segment_limit_is_not_saved()
    {
        var response = await PostAsync(Complete + " We look forward to talking with you about how our new service can help your team this quarter.", "save", maxSegments: "1");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("segments (GSM-7) with typical values; the maximum is 1", await response.TextAsync());
        Assert.True((await SavedAsync()).IsDefault);
    }

    [Fact]
    public async Task A_post_without_the_antiforgery_token_is_rejected_and_an_unknown_kind_is_not_found()
    {
        var forged = await _browser.PostAsync(Path, new FormUrlEncodedContent(new Dictionary<string, string> { ["body"] = Complete, ["action"] = "save" }));
        var unknown = await _browser.GetAsync("/notices/templates/newsletter/en");

        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.True((await SavedAsync()).IsDefault);
    }
}
