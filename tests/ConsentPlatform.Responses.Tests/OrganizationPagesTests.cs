using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ConsentPlatform.Testing;

namespace ConsentPlatform.Responses.Tests;

public sealed class OrganizationPagesTests : IAsyncLifetime
{
    private readonly ResponsesFactory _factory = new(new()
    {
        // The fake CRM listens on loopback over http, which only an allow-listed host may be.
        ["Responses:Crm:AllowedHosts"] = "127.0.0.1",
        ["Responses:Crm:FirstRetrySeconds"] = "0.1",
        ["Responses:Crm:MaxBackoffSeconds"] = "0.2",
        ["Responses:Crm:MaxAttempts"] = "2",
    });
    private FakeCrm _crm = default!;

    public async Task InitializeAsync() => _crm = await FakeCrm.StartAsync();

    private static async Task<string> HtmlAsync(HttpResponseMessage response) => WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());

    [Fact]
    public async Task Pages_need_a_signed_in_organization()
    {
        var response = await _factory.CreateBrowser().GetAsync("/responses/list");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/signin", response.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Responses_page_filters_by_status_and_flag_and_shows_only_the_organizations_own()
    {
        var (org, key) = await _factory.CreateOrganizationKeyAsync();
        var (otherOrg, _) = await _factory.CreateOrganizationKeyAsync("Other K.K.");
        var link = await _factory.IssueLinkAsync(org, topic: "Our topic");
        var foreign = await _factory.IssueLinkAsync(otherOrg, topic: "Their topic");
        var recipient = _factory.CreateBrowser();
        await ResponsesFactory.SubmitAsync(recipient, link.Code, ("preferredContact", "phone_ok"), ("comments", "call me on Tuesday"));
        await ResponsesFactory.SubmitAsync(recipient, link.Code, ("preferredContact", "no_further_contact"), ("comments", "もう連絡しないで"));
        await ResponsesFactory.SubmitAsync(recipient, foreign.Code, ("preferredContact", "phone_ok"), ("comments", "not yours"));
        var staff = await _factory.SignInAsync(key);

        var all = await HtmlAsync(await staff.GetAsync("/responses/list"));
        var stopped = await HtmlAsync(await staff.GetAsync("/responses/list?status=no_further_contact"));
        var flagged = await HtmlAsync(await staff.GetAsync("/responses/list?flagged=yes"));

        Assert.Contains("call me on Tuesday", all);
        Assert.Contains("もう連絡しないで", all);
        Assert.DoesNotContain("not yours", all);
        Assert.DoesNotContain("call me on Tuesday", stopped);
        Assert.Contains("もう連絡しないで", stopped);
        Assert.Contains("⚑", flagged);
        Assert.DoesNotContain("call me on Tuesday", flagged);
    }

    [Fact]
    public async Task Connector_added_on_the_settings_page_shows_its_secret_once_and_dead_letters_can_be_redelivered_from_the_log()
    {
        var (org, key) = await _factory.CreateOrganizationKeyAsync();
        var staff = await _factory.SignInAsync(key);
        var token = ResponsesFactory.AntiforgeryToken(await staff.GetStringAsync("/responses/connectors"));

        var added = await HtmlAsync(await staff.PostAsync("/responses/connectors", new FormUrlEncodedContent(
            [new("__RequestVerificationToken", token), new("kind", "webhook"), new("name", "Page CRM"), new("url", _crm.Url)])));
        _crm.Secret = System.Text.RegularExpressions.Regex.Match(added, "(whsec_[0-9a-f]+)").Groups[1].Value;
        Assert.StartsWith("whsec_", _crm.Secret);
        Assert.DoesNotContain(_crm.Secret, await HtmlAsync(await staff.GetAsync("/responses/connectors")));

        _crm.Mode = CrmMode.Down;
        var link = await _factory.IssueLinkAsync(org);
        await ResponsesFactory.SubmitAsync(_factory.CreateBrowser(), link.Code, ("preferredContact", "phone_ok"));
        await Eventually.AssertAsync(async () => (await HtmlAsync(await staff.GetAsync("/responses/deliveries?status=dead"))).Contains("Redeliver"),
            TimeSpan.FromSeconds(15), "the dead letter on the log page");
        var log = await staff.GetStringAsync("/responses/deliveries?status=dead");
        var action = System.Text.RegularExpressions.Regex.Match(log, "action=\"(/responses/deliveries/[^\"]+/redeliver)\"").Groups[1].Value;
        _crm.Mode = CrmMode.Up;

        var redeliver = await staff.PostAsync(action, new FormUrlEncodedContent([new("__RequestVerificationToken", ResponsesFactory.AntiforgeryToken(log))]));

        Assert.Equal(HttpStatusCode.Redirect, redeliver.StatusCode);
        await Eventually.AssertAsync(() => _crm.Accepted.Count == 1, TimeSpan.FromSeconds(10), "the redelivered response to reach the CRM");
        Assert.Contains("delivered", await HtmlAsync(await staff.GetAsync("/responses/deliveries")));
    }

    [Fact]
    public async Task Connector_form_with_a_bad_url_is_refused_and_nothing_saved()
    {
        var (_, key) = await _factory.CreateOrganizationKeyAsync();
        var staff = await _factory.SignInAsync(key);
        var token = ResponsesFactory.AntiforgeryToken(await staff.GetStringAsync("/responses/connectors"));

        var response = await staff.PostAsync("/responses/connectors", new FormUrlEncodedContent(
            [new("__RequestVerificationToken", token), new("kind", "webhook"), new("name", "Plain"), new("url", "http://crm.example/hook")]));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Use https", await HtmlAsync(response));
        Assert.Equal(0, await _factory.CountAsync("SELECT COUNT(*) FROM crm_connectors"));
    }

    public async Task DisposeAsync()
    {
        await _crm.DisposeAsync();
        _factory.Dispose();
    }
}
