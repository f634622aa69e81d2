using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ConsentPlatform.Contracts;
using ConsentPlatform.Notices.Calls;
using ConsentPlatform.Notices.Sending;
using ConsentPlatform.Testing;
using Dapper;
using MassTransit;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using ConsentPlatform.Notices.Verification;
using ConsentPlatform.ServiceDefaults.Messaging;

namespace ConsentPlatform.Notices.Tests;

/// <summary>
/// The embedded default's provider: what a newcomer sees at /notices/dev-inbox, and the
/// SendVerificationCode command (transactional: no marketing consent, but never to an erased number).
/// </summary>
public sealed class DevInboxTests : IAsyncLifetime
{
    private const string CallingNumber = "+81312345678";
    private readonly NoticesFactory _factory = new();
    private string _org = "";
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        (_org, _client) = await _factory.CreateOrganizationAsync("Acme K.K.");
        await _factory.PublishCallingNumberAsync(_org, CallingNumber);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _factory.DisposeAsync();
    }

    private async Task<IReadOnlyList<DevInboxMessage>> InboxAsync(HttpClient client) =>
        (await client.GetFromJsonAsync<List<DevInboxMessage>>("/api/notices/dev-inbox", JsonSerializerOptions.Web))!;

    private async Task<bool> HandledAsync(Guid messageId, string consumer)
    {
        await using var connection = await _factory.Services.GetRequiredService<NoticesDatabase>().OpenAsync();
        return await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM inbox_messages WHERE message_id = @id AND consumer = @consumer",
            new { id = messageId.ToString(), consumer }) > 0;
    }

    [Fact]
    public async Task A_planned_call_shows_up_in_the_dev_inbox_api_with_its_link_for_its_organization_only()
    {
        await _factory.RecordSmsConsentAsync(_org, "090-2222-0001");
        var created = await _client.PostAsJsonAsync("/api/notices/calls", new { phoneNumber = "090-2222-0001", callerName = "Sato", topic = "renewal", callingNumber = CallingNumber, language = "en", purpose = "sales" });
        var notice = (await created.Content.ReadFromJsonAsync<CallView>(JsonSerializerOptions.Web))!.Notices[0];

        await Eventually.AssertAsync(async () => (await InboxAsync(_client)).Any(m => m.Links.Contains(notice.Link!)), TimeSpan.FromSeconds(10), "the notice reaches the dev inbox");
        var message = (await InboxAsync(_client)).Single(m => m.Links.Contains(notice.Link!));
        Assert.Equal("+819022220001", message.To);
        Assert.Contains("Acme K.K.", message.Body);
        Assert.Contains("Sato", message.Body);
        Assert.Contains("renewal", message.Body);
        Assert.Equal([notice.Link!], message.Links);
        await Eventually.AssertAsync(async () => (await _client.GetFromJsonAsync<CallView>($"/api/notices/calls/{notice.CallId}", JsonSerializerOptions.Web))!.Notices[0].Status == "delivered",
            TimeSpan.FromSeconds(10), "the dev inbox reports the notice delivered");

        var (_, other) = await _factory.CreateOrganizationAsync("Other K.K.");
        Assert.DoesNotContain(await InboxAsync(other), m => m.Links.Contains(notice.Link!));
    }

    [Fact]
    public async Task A_newcomer_signs_in_plans_a_call_on_the_page_and_reads_the_sms_with_a_clickable_link()
    {
        await _factory.RecordSmsConsentAsync(_org, "090-2222-0002");
        using var anonymous = _factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var landing = await (await anonymous.GetAsync("/")).Content.ReadAsStringAsync();
        Assert.Contains("href=\"/notices/dev-inbox\"", landing);
        var locked = await anonymous.GetAsync("/notices/dev-inbox");
        Assert.Equal(HttpStatusCode.Redirect, locked.StatusCode);
        Assert.StartsWith("/signin", locked.Headers.Location!.PathAndQuery);
        using var browser = await BrowserSession.SignInAsync(_factory, _org);

        var callsPage = await (await browser.GetAsync("/notices/calls")).Content.ReadAsStringAsync();
        var planned = await browser.PostAsync("/notices/calls", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = BrowserSession.TokenOf(callsPage), ["phoneNumber"] = "090-2222-0002", ["callerName"] = "山田",
            ["topic"] = "ご契約更新のご案内", ["callingNumber"] = "03-1234-5678", ["purpose"] = "sales",
        }));
        Assert.Equal(HttpStatusCode.OK, planned.StatusCode);
        Assert.Contains("the pre-call notice is queued", await planned.Content.ReadAsStringAsync());

        string page = "";
        await Eventually.AssertAsync(async () => (page = await (await browser.GetAsync("/notices/dev-inbox")).TextAsync()).Contains("ご契約更新のご案内"),
            TimeSpan.FromSeconds(10), "the SMS is listed on the dev inbox page");
        Assert.Contains("+819022220002", page);
        Assert.Matches("<a href=\"http://localhost/r/[0-9A-Za-z]{10}\"", page);
    }

    /// <summary>The codes people asked for, as the Development-only page shows them in place of their phone.</summary>
    private async Task<string> PeoplePageAsync()
    {
        using var anonymous = _factory.CreateClient();
        return await (await anonymous.GetAsync("/notices/dev-inbox/people")).TextAsync();
    }

    [Fact]
    public async Task A_verification_code_is_sent_without_marketing_consent_and_outside_calling_hours()
    {
        _factory.Clock.Now = new DateTimeOffset(2026, 7, 16, 14, 30, 0, TimeSpan.Zero); // 23:30 in Tokyo
        var requestId = Guid.NewGuid();

        await _factory.Bus.Publish(new SendVerificationCode { RequestId = requestId, PhoneNumber = "+819022220003", Code = "482913", Purpose = "dsr" });

        string page = "";
        await Eventually.AssertAsync(async () => (page = await PeoplePageAsync()).Contains("482913"), TimeSpan.FromSeconds(10), "the code reaches the dev inbox");
        Assert.Contains("+819022220003", page);
        Assert.Contains("個人データのご請求（削除・利用停止など）の確認コード", page);
    }

    [Fact]
    public async Task A_code_a_person_asked_for_is_shown_to_no_organization_and_a_company_sees_only_its_own_verification_codes()
    {
        var (otherOrg, other) = await _factory.CreateOrganizationAsync("Other K.K.");
        // A data-subject request (no organization), an opt-out from this organization's directory entry
        // (Directory names the entry's organization), and each company verifying its own number.
        await _factory.Bus.Publish(new SendVerificationCode { RequestId = Guid.NewGuid(), PhoneNumber = "+819022220006", Code = "100001", Purpose = "dsr" });
        await _factory.Bus.Publish(new SendVerificationCode { RequestId = Guid.NewGuid(), Email = "hanako@example.jp", Code = "100002", Purpose = "dsr" });
        await _factory.Bus.Publish(new SendVerificationCode { RequestId = Guid.NewGuid(), PhoneNumber = "+819022220007", Code = "100003", Purpose = "directory_opt_out", OrganizationId = _org });
        await _factory.Bus.Publish(new SendVerificationCode { RequestId = Guid.NewGuid(), PhoneNumber = "+819022220008", Code = "100004", Purpose = "directory_verification", OrganizationId = _org });
        await _factory.Bus.Publish(new SendVerificationCode { RequestId = Guid.NewGuid(), PhoneNumber = "+819022220009", Code = "100005", Purpose = "directory_verification", OrganizationId = otherOrg });

        await Eventually.AssertAsync(async () => { var p = await PeoplePageAsync(); return p.Contains("100001") && p.Contains("100002") && p.Contains("100003"); },
            TimeSpan.FromSeconds(10), "the person's codes are sent");
        await Eventually.AssertAsync(async () => (await InboxAsync(other)).Any(m => m.Body.Contains("100005")), TimeSpan.FromSeconds(10), "the other company's code is sent");
        await Eventually.AssertAsync(async () => (await InboxAsync(_client)).Any(m => m.Body.Contains("100004")), TimeSpan.FromSeconds(10), "this company's code is sent");
        using var browser = await BrowserSession.SignInAsync(_factory, _org);
        var mine = string.Join("\n", (await InboxAsync(_client)).Select(m => m.Body)) + await (await browser.GetAsync("/notices/dev-inbox")).TextAsync();
        var theirs = string.Join("\n", (await InboxAsync(other)).Select(m => m.Body));

        Assert.Contains("100004", mine);
        foreach (var code in new[] { "100001", "100002", "100003", "100005" }) Assert.DoesNotContain(code, mine);
        foreach (var code in new[] { "100001", "100002", "100003", "100004" }) Assert.DoesNotContain(code, theirs);
    }

    [Fact]
    public async Task A_verification_code_to_an_erased_number_is_not_sent()
    {
        var hash = _factory.HashOf("+819022220004");
        await _factory.Bus.Publish(new ErasureRequested { RequestId = Guid.NewGuid(), ContactHash = hash, RequestedAt = _factory.Clock.Now });
        await Eventually.AssertAsync(() => _factory.Index.Find(hash).ErasedAt > 0, TimeSpan.FromSeconds(10), "erasure replicated");
        var messageId = NewId.NextGuid();
        var requestId = Guid.NewGuid();

        await _factory.Bus.Publish(new SendVerificationCode { RequestId = requestId, PhoneNumber = "+819022220004", Code = "559011", Purpose = "dsr" },
            context => context.MessageId = messageId);

        await Eventually.AssertAsync(() => HandledAsync(messageId, Inbox.KeyOf<SendVerificationCodeConsumer, SendVerificationCode>()), TimeSpan.FromSeconds(10), "the command was consumed");
        await using var connection = await _factory.Services.GetRequiredService<NoticesDatabase>().OpenAsync();
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM outgoing_messages WHERE id = @id", new { id = requestId.ToString() }));
        Assert.DoesNotContain("559011", await PeoplePageAsync());
    }

    [Fact]
    public async Task A_verification_command_delivered_again_or_repeated_sends_one_sms()
    {
        var messageId = NewId.NextGuid();
        var command = new SendVerificationCode { RequestId = Guid.NewGuid(), PhoneNumber = "+819022220005", Code = "730144", Purpose = "directory_verification", OrganizationId = _org };

        await _factory.Bus.Publish(command, context => context.MessageId = messageId);
        await Eventually.AssertAsync(async () => (await InboxAsync(_client)).Any(m => m.Body.Contains("730144")), TimeSpan.FromSeconds(10), "the code reaches the dev inbox");
        await _factory.Bus.Publish(command, context => context.MessageId = messageId);
        var again = NewId.NextGuid();
        await _factory.Bus.Publish(command, context => context.MessageId = again);

        // The redelivery is dropped by the inbox; a new message for the same request finds the request's row.
        await Eventually.AssertAsync(() => HandledAsync(again, Inbox.KeyOf<SendVerificationCodeConsumer, SendVerificationCode>()), TimeSpan.FromSeconds(10), "the repeated command was consumed");
        Assert.Single(await InboxAsync(_client), m => m.Body.Contains("730144"));
    }
}
