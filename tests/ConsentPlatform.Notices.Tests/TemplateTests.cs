using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ConsentPlatform.Notices.Templates;
using ConsentPlatform.Telephony;

namespace ConsentPlatform.Notices.Tests;

/// <summary>Acceptance 4 (R15, R16): lint names each missing item; preview figures are Telephony's.</summary>
public sealed class TemplateTests
{
    private const string Complete = "{company}の{caller}です。{topic}の件で{callback_number}からお電話します。今後の連絡が不要な方はこちらで停止できます: {link}";

    [Fact]
    public void A_complete_template_passes_the_lint() => Assert.Empty(TemplateLinter.Lint(Complete));

    [Theory]
    [InlineData("{company}", "company")]
    [InlineData("{caller}", "caller")]
    [InlineData("{topic}", "topic")]
    [InlineData("{link}", "opt-out link")]
    [InlineData("{callback_number}", "contact point")]
    public void Each_missing_placeholder_is_rejected_by_name(string placeholder, string named)
    {
        var problem = Assert.Single(TemplateLinter.Lint(Complete.Replace(placeholder, "")));
        Assert.Contains(named, problem);
        Assert.Contains(placeholder, problem);
    }

    [Fact]
    public void A_link_without_words_saying_the_recipient_can_stop_is_rejected()
    {
        var problem = Assert.Single(TemplateLinter.Lint("{company}の{caller}です。{topic}の件です。{callback_number} 詳しくはこちら: {link}"));
        Assert.Contains("opt-out wording", problem);
    }

    [Fact]
    public void Every_missing_item_is_reported_at_once_and_unknown_placeholders_too()
    {
        var problems = TemplateLinter.Lint("Hello {name}");
        Assert.Equal(7, problems.Count);
        Assert.Contains(problems, p => p.Contains("{name} is not a known placeholder"));
    }

    [Theory]
    [InlineData("ja")]
    [InlineData("en")]
    public void Default_templates_pass_the_lint(string language)
    {
        foreach (var kind in NoticeKinds.All) Assert.Empty(TemplateLinter.Lint(DefaultTemplates.For(kind, language)));
    }

    [Theory]
    [InlineData("Hello from Acme, reply STOP to stop")]
    [InlineData("Price: 10€ {braces} ^ ~ ab")]
    [InlineData("山田です。明日お電話します。")]
    [InlineData("Emoji 👍 makes it UCS-2 and this text goes on long enough to need more than one segment of seventy characters")]
    public void Preview_encoding_and_segments_are_the_telephony_librarys(string text)
    {
        var expected = SmsText.Analyze(text);
        var preview = SmsPreview.Of(text, 3, new NoticesOptions());
        Assert.Equal(expected.Encoding == SmsEncoding.Gsm7 ? "GSM-7" : "UCS-2", preview.Encoding);
        Assert.Equal(expected.Segments, preview.Segments);
        Assert.Equal(expected.CodeUnits, preview.CodeUnits);
        Assert.Equal(expected.Segments * 0.08m, preview.Cost);
    }

    [Fact]
    public async Task Saving_through_the_api_rejects_each_missing_item_under_body_and_writes_nothing()
    {
        await using var factory = new NoticesFactory();
        var (_, client) = await factory.CreateOrganizationAsync();
        var response = await client.PutAsJsonAsync("/api/notices/templates/pre_call/ja", new { body = "{company}です。{link}" });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("body");
        var messages = body.EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Contains(messages, m => m.Contains("{caller}"));
        Assert.Contains(messages, m => m.Contains("{topic}"));
        Assert.Contains(messages, m => m.Contains("{callback_number}"));
        Assert.Contains(messages, m => m.Contains("opt-out wording"));
        var templates = await client.GetFromJsonAsync<List<NoticeTemplate>>("/api/notices/templates", JsonSerializerOptions.Web);
        Assert.True(templates!.Single(t => t.Kind == "pre_call" && t.Language == "ja").IsDefault);
    }

    [Fact]
    public async Task A_template_over_its_segment_limit_is_rejected_and_a_good_one_is_saved_and_previewed()
    {
        await using var factory = new NoticesFactory();
        var (_, client) = await factory.CreateOrganizationAsync();
        var tooLong = await client.PutAsJsonAsync("/api/notices/templates/post_call_missed/ja", new { body = Complete, maxSegments = 1 });
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.Contains("segments", await tooLong.Content.ReadAsStringAsync());

        var saved = await client.PutAsJsonAsync("/api/notices/templates/post_call_missed/ja", new { body = Complete, maxSegments = 3 });
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        var preview = await client.PostAsJsonAsync("/api/notices/templates/preview", new { kind = "post_call_missed", language = "ja" });
        var result = (await preview.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("preview");
        var text = result.GetProperty("text").GetString()!;
        Assert.Contains("Acme K.K.", text);
        Assert.Equal("UCS-2", result.GetProperty("encoding").GetString());
        Assert.Equal(SmsText.Analyze(text).Segments, result.GetProperty("segments").GetInt32());
    }
}
