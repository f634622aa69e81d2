using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ConsentPlatform.Contracts;

namespace ConsentPlatform.Responses.Tests;

public sealed class ResponseFormTests : IDisposable
{
    private readonly ResponsesFactory _factory = new();

    private async Task<(ResponseLinkIssued Link, HttpClient Browser, string Token)> OpenFormAsync(string lang = "en")
    {
        var (org, _) = await _factory.CreateOrganizationAsync();
        await _factory.PublishProfileAsync(org, "Acme K.K.");
        var link = await _factory.IssueLinkAsync(org);
        var browser = _factory.CreateBrowser();
        var html = await browser.GetStringAsync($"/r/{link.Code}?lang={lang}");
        return (link, browser, ResponsesFactory.FormToken(html));
    }

    /// <summary>The form as a browser posts it: the token, the page's language (English unless given), the fields.</summary>
    private static FormUrlEncodedContent Form(string token, params (string Key, string Value)[] fields) =>
        new([new("__formToken", token), .. fields.Any(f => f.Key == "lang") ? Array.Empty<KeyValuePair<string, string>>() : [new("lang", "en")],
            .. fields.Select(f => new KeyValuePair<string, string>(f.Key, f.Value))]);

    private static async Task<string> HtmlAsync(HttpResponseMessage response) => WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());

    private async Task<IReadOnlyList<JsonElement>> OutboxAsync<T>() =>
        (await _factory.QueryAsync<string>("SELECT body FROM outbox_messages WHERE message_type = @type ORDER BY id", new { type = typeof(T).FullName }))
            .Select(b => JsonDocument.Parse(b).RootElement).ToList();

    [Fact]
    public async Task Stop_button_records_no_further_contact_and_requests_an_opt_out_of_every_channel_at_once()
    {
        var (link, browser, token) = await OpenFormAsync();

        var response = await browser.PostAsync($"/r/{link.Code}", Form(token, ("preferredContact", "no_further_contact"), ("lang", "en")));
        var html = await HtmlAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Acme K.K. will not call, text or email you again.", html);
        var optOut = Assert.Single(await OutboxAsync<OptOutRequested>());
        Assert.Equal(link.ContactHash, optOut.GetProperty("contactHash").GetString());
        Assert.Equal(link.OrganizationId, optOut.GetProperty("organizationId").GetString());
        Assert.Equal(0, optOut.GetProperty("channels").GetArrayLength());
        Assert.Equal("responses", optOut.GetProperty("source").GetString());
        var responded = Assert.Single(await OutboxAsync<RecipientResponded>());
        Assert.Equal("no_further_contact", responded.GetProperty("preferredContact").GetString());
        Assert.Equal(1, await _factory.CountAsync("SELECT COUNT(*) FROM responses WHERE preferred_contact = 'no_further_contact'"));
    }

    [Theory]
    [InlineData("email_only", "call,sms")]
    [InlineData("sms_only", "call,email")]
    [InlineData("not_now", "")]
    public async Task Status_that_limits_contact_requests_an_opt_out_of_exactly_its_channels(string status, string channels)
    {
        var (link, browser, token) = await OpenFormAsync();
        var after = DateOnly.FromDateTime(DateTime.UtcNow.AddDays(30)).ToString("yyyy-MM-dd");

        var response = await browser.PostAsync($"/r/{link.Code}", Form(token, ("preferredContact", status), ("contactAfter", after), ("email", "taro@example.jp")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var optOut = Assert.Single(await OutboxAsync<OptOutRequested>());
        Assert.Equal(channels, string.Join(",", optOut.GetProperty("channels").EnumerateArray().Select(c => c.GetString())));
        if (status == "not_now") Assert.StartsWith(after, optOut.GetProperty("until").GetString());
        else Assert.Equal(JsonValueKind.Null, optOut.GetProperty("until").ValueKind);
    }

    [Fact]
    public async Task Phone_is_fine_requests_no_opt_out_but_is_still_announced()
    {
        var (link, browser, token) = await OpenFormAsync();

        var response = await browser.PostAsync($"/r/{link.Code}", Form(token, ("preferredContact", "phone_ok"), ("reason", "already_customer")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(await OutboxAsync<OptOutRequested>());
        var responded = Assert.Single(await OutboxAsync<RecipientResponded>());
        Assert.Equal("already_customer", responded.GetProperty("reason").GetString());
        Assert.False(responded.GetProperty("optOutIntentFlagged").GetBoolean());
    }

    [Theory]
    [InlineData("もう連絡しないでください")]
    [InlineData("Please don't call me again.")]
    public async Task Comment_that_says_stop_is_flagged_for_review(string comment)
    {
        var (link, browser, token) = await OpenFormAsync();

        var response = await browser.PostAsync($"/r/{link.Code}", Form(token, ("preferredContact", "phone_ok"), ("comments", comment)));
        var html = await HtmlAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("a person will review it", html);
        Assert.Equal(1, await _factory.CountAsync("SELECT COUNT(*) FROM responses WHERE opt_out_flagged = 1"));
        Assert.True(Assert.Single(await OutboxAsync<RecipientResponded>()).GetProperty("optOutIntentFlagged").GetBoolean());
    }

    public static TheoryData<string, string, string> BadFields => new()
    {
        { "comments", new string('あ', 1001), "at most 1000 characters" },
        { "email", "not-an-email", "email address is not valid" },
        { "preferredContact", "", "Choose how" },
        { "preferredContact", "call_me_maybe", "not one of the choices" },
        { "contactAfter", "2001-01-01", "between tomorrow and two years" },
        { "reason", "because", "not one of the reasons" },
    };

    [Theory]
    [MemberData(nameof(BadFields))]
    public async Task Bad_field_is_refused_with_a_clear_message_and_nothing_stored(string field, string value, string message)
    {
        var (link, browser, token) = await OpenFormAsync();
        var before = await _factory.StateAsync(link.Code);
        var fields = new Dictionary<string, string> { ["preferredContact"] = field == "contactAfter" ? "not_now" : "phone_ok", [field] = value };

        var response = await browser.PostAsync($"/r/{link.Code}", Form(token, fields.Select(f => (f.Key, f.Value)).ToArray()));
        var html = await HtmlAsync(response);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains($"data-error=\"{field}\"", html);
        Assert.Contains(message, html);
        Assert.Equal(before, await _factory.StateAsync(link.Code));
    }

    [Fact]
    public async Task Missing_form_token_is_refused_and_nothing_stored()
    {
        var (link, browser, _) = await OpenFormAsync();
        var before = await _factory.StateAsync(link.Code);

        var response = await browser.PostAsync($"/r/{link.Code}", new FormUrlEncodedContent([new("preferredContact", "no_further_contact")]));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("token is missing", await HtmlAsync(response));
        Assert.Equal(before, await _factory.StateAsync(link.Code));
    }

    [Fact]
    public async Task Tampered_form_token_or_the_token_of_another_link_is_refused_and_nothing_stored()
    {
        var (link, browser, _) = await OpenFormAsync();
        var other = await _factory.IssueLinkAsync(link.OrganizationId);
        var otherToken = ResponsesFactory.FormToken(await browser.GetStringAsync($"/r/{other.Code}?lang=en"));
        var before = await _factory.StateAsync(link.Code);

        var borrowed = await browser.PostAsync($"/r/{link.Code}", Form(otherToken, ("preferredContact", "no_further_contact")));
        var tampered = await browser.PostAsync($"/r/{link.Code}", Form("CfDJ8" + new string('A', 100), ("preferredContact", "no_further_contact")));

        Assert.Equal(HttpStatusCode.BadRequest, borrowed.StatusCode);
        Assert.Contains("belongs to another form", await HtmlAsync(borrowed));
        Assert.Equal(HttpStatusCode.BadRequest, tampered.StatusCode);
        Assert.Contains("not valid", await HtmlAsync(tampered));
        Assert.Equal(before, await _factory.StateAsync(link.Code));
    }

    [Theory]
    [InlineData("Sec-Fetch-Site", "cross-site")]
    [InlineData("Origin", "https://attacker.example")]
    public async Task Post_from_another_site_is_refused_even_with_a_valid_token_and_nothing_stored(string header, string value)
    {
        var (link, browser, token) = await OpenFormAsync();
        var before = await _factory.StateAsync(link.Code);
        // What a page on another site makes the recipient's browser send: a real token (anyone can
        // fetch the form), but the browser names the site the request came from.
        var request = new HttpRequestMessage(HttpMethod.Post, $"/r/{link.Code}") { Content = Form(token, ("preferredContact", "no_further_contact")) };
        request.Headers.Add(header, value);

        var response = await browser.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("sent from another site", await HtmlAsync(response));
        Assert.Equal(before, await _factory.StateAsync(link.Code));
    }

    [Fact]
    public async Task Unknown_code_on_post_is_refused_with_the_friendly_page_and_nothing_stored()
    {
        var (link, browser, token) = await OpenFormAsync();
        var before = await _factory.StateAsync(link.Code);

        var response = await browser.PostAsync("/r/nosuchcode123?lang=en", Form(token, ("preferredContact", "no_further_contact"), ("lang", "en")));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("We could not find this link", await HtmlAsync(response));
        Assert.Equal(before, await _factory.StateAsync(link.Code));
    }

    [Fact]
    public async Task Wrong_content_type_is_refused_with_problem_details_and_nothing_stored()
    {
        var (link, browser, _) = await OpenFormAsync();
        var before = await _factory.StateAsync(link.Code);

        var response = await browser.PostAsJsonAsync($"/r/{link.Code}", new { preferredContact = "no_further_contact" });

        Assert.True(response.StatusCode is HttpStatusCode.UnsupportedMediaType or HttpStatusCode.BadRequest, $"got {(int)response.StatusCode}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(before, await _factory.StateAsync(link.Code));
    }

    [Fact]
    public async Task Generic_opt_out_with_the_texted_code_stops_every_organization_that_reached_the_number()
    {
        var (link, browser, token) = await OpenFormAsync();
        var unknown = await HtmlAsync(await browser.GetAsync("/r/lostcode?lang=en"));
        token = ResponsesFactory.FormToken(unknown);

        var start = await browser.PostAsync("/r/opt-out", Form(token, ("phoneNumber", "090-1234-5678"), ("lang", "en")));
        var startHtml = await HtmlAsync(start);
        var sent = await _factory.Codes.SentAsync(_ => true);
        Assert.Single(_factory.Codes.All);
        var challenge = sent.RequestId.ToString();
        var code = sent.Code;
        var wrong = code == "000000" ? "111111" : "000000";
        token = ResponsesFactory.FormToken(startHtml);

        var refused = await browser.PostAsync("/r/opt-out/confirm", Form(token, ("challengeId", challenge), ("code", wrong), ("lang", "en")));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Empty(await OutboxAsync<OptOutRequested>());

        var confirmed = await browser.PostAsync("/r/opt-out/confirm", Form(token, ("challengeId", challenge), ("code", code), ("lang", "en")));
        Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        Assert.Contains("passed to every company", await HtmlAsync(confirmed));
        Assert.Equal("responses_opt_out", sent.Purpose);
        Assert.Equal("+819012345678", sent.PhoneNumber);
        var optOut = Assert.Single(await OutboxAsync<OptOutRequested>());
        Assert.Equal(link.OrganizationId, optOut.GetProperty("organizationId").GetString());
        Assert.Equal(link.ContactHash, optOut.GetProperty("contactHash").GetString());

        var replay = await browser.PostAsync("/r/opt-out/confirm", Form(token, ("challengeId", challenge), ("code", code), ("lang", "en")));
        Assert.Equal(HttpStatusCode.BadRequest, replay.StatusCode);
    }

    public void Dispose() => _factory.Dispose();
}
