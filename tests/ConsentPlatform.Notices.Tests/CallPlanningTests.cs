using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ConsentPlatform.Contracts;
using ConsentPlatform.Notices.Calls;
using ConsentPlatform.Notices.Sending;
using ConsentPlatform.Testing;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace ConsentPlatform.Notices.Tests;

/// <summary>
/// Issue 13, acceptance 3: the rep is stopped before dialling (API and page), the call carries its planned
/// time and the pre-call notice leaves the lead time before it, and the purpose is picked from the organization's.
/// </summary>
public sealed class CallPlanningTests : IAsyncLifetime
{
    private const string Mobile = "090-3333-0001";
    private const string CallingNumber = "+81312345678";
    private readonly NoticesFactory _factory = new();
    private string _org = "";
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        (_org, _client) = await _factory.CreateOrganizationAsync();
        await _factory.PublishCallingNumberAsync(_org, CallingNumber);
        await _factory.RecordSmsConsentAsync(_org, Mobile);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _factory.DisposeAsync();
    }

    private Task<HttpResponseMessage> PostCallAsync(object? plannedAt = null, string? externalId = null) => _client.PostAsJsonAsync("/api/notices/calls", new
    {
        phoneNumber = Mobile, callerName = "山田", topic = "新サービスのご案内", callingNumber = CallingNumber, purpose = "sales", plannedAt, externalId,
    });

    private async Task<(long Due, string Body, string Status)> OutgoingAsync(Guid noticeId)
    {
        await using var connection = await _factory.Services.GetRequiredService<NoticesDatabase>().OpenAsync();
        return await connection.QuerySingleAsync<(long, string, string)>("SELECT next_attempt_at, body, status FROM outgoing_messages WHERE notice_id = @id",
            new { id = noticeId.ToString() });
    }

    [Fact]
    public async Task A_call_planned_ahead_has_its_notice_say_when_and_leave_the_lead_time_before_it()
    {
        var plannedAt = _factory.Clock.Now.AddHours(2); // 14:00 in Tokyo
        var response = await PostCallAsync(plannedAt);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var call = (await response.Content.ReadFromJsonAsync<CallView>(JsonSerializerOptions.Web))!;
        Assert.Equal(plannedAt.ToUnixTimeMilliseconds(), call.PlannedAt.ToUnixTimeMilliseconds());
        var notice = Assert.Single(call.Notices);
        Assert.Equal("queued", notice.Status);

        var (due, body, status) = await OutgoingAsync(notice.Id);
        Assert.Equal(plannedAt.AddMinutes(-15).ToUnixTimeMilliseconds(), due); // Notices:PreCallLeadMinutes, 15 by default
        Assert.Contains("7月16日 14:00", body);
        await Task.Delay(500); // the send worker polls every 20 ms: room for a notice sent too early
        Assert.Equal("pending", (await OutgoingAsync(notice.Id)).Status);
        Assert.Equal("pending", status);

        _factory.Clock.Now = plannedAt.AddMinutes(-15);
        await Eventually.AssertAsync(async () => (await OutgoingAsync(notice.Id)).Status != "pending", TimeSpan.FromSeconds(10), "the notice leaves once due");
    }

    [Fact]
    public async Task A_call_now_sends_its_notice_at_once()
    {
        var response = await PostCallAsync();
        var call = (await response.Content.ReadFromJsonAsync<CallView>(JsonSerializerOptions.Web))!;
        Assert.InRange(_factory.Clock.Now - call.PlannedAt, TimeSpan.Zero, TimeSpan.FromSeconds(5));
        await Eventually.AssertAsync(async () => (await OutgoingAsync(call.Notices[0].Id)).Status != "pending", TimeSpan.FromSeconds(10), "the notice leaves at once");
    }

    [Theory]
    [InlineData(-10)]
    [InlineData(60 * 24 * 91)]
    public async Task A_planned_time_in_the_past_or_too_far_ahead_is_a_400_naming_plannedAt(int minutesFromNow)
    {
        var response = await PostCallAsync(_factory.Clock.Now.AddMinutes(minutesFromNow));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("plannedAt", out _));
    }

    private async Task OptOutAsync(string source, IReadOnlyList<string>? channels = null)
    {
        var hash = _factory.HashOf(Mobile);
        await _factory.Bus.Publish(new OptOutRequested
        {
            RequestId = Guid.NewGuid(), ContactHash = hash, OrganizationId = _org, Channels = channels ?? [], Source = source, RequestedAt = _factory.Clock.Now,
        });
        await Eventually.AssertAsync(() => _factory.Index.Find(hash).Suppressions.Length > 0, TimeSpan.FromSeconds(10), "the opt-out reaches the gate");
    }

    private async Task<(HttpStatusCode Status, string Text)> PlanOnPageAsync(HttpClient browser, string? plannedLocal = null)
    {
        var form = await (await browser.GetAsync("/notices/calls")).Content.ReadAsStringAsync();
        Assert.Contains("<option value=\"sales\"", form); // picked from the organization's purposes, not typed
        var fields = new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = BrowserSession.TokenOf(form), ["phoneNumber"] = Mobile, ["callerName"] = "山田",
            ["topic"] = "ご案内", ["callingNumber"] = "03-1234-5678", ["purpose"] = "sales", ["plannedLocal"] = plannedLocal ?? "",
        };
        var response = await browser.PostAsync("/notices/calls", new FormUrlEncodedContent(fields));
        return (response.StatusCode, await response.TextAsync());
    }

    [Fact]
    public async Task The_page_shows_do_not_call_with_how_and_when_for_an_opted_out_number_and_plans_nothing()
    {
        await OptOutAsync("directory");
        using var browser = await BrowserSession.SignInAsync(_factory, _org);
        var (status, text) = await PlanOnPageAsync(browser);
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Contains("Do not call", text);
        Assert.Contains("The person opted out through the public directory (2026-07-16 03:00 UTC), for every channel.", text);
        Assert.DoesNotContain("Call planned", text);
        Assert.Empty((await _client.GetFromJsonAsync<List<DevInboxMessage>>("/api/notices/dev-inbox", JsonSerializerOptions.Web))!);
    }

    [Fact]
    public async Task The_page_shows_do_not_call_after_a_refused_call()
    {
        using var browser = await BrowserSession.SignInAsync(_factory, _org);
        var call = (await (await PostCallAsync()).Content.ReadFromJsonAsync<CallView>(JsonSerializerOptions.Web))!;
        Assert.Equal(HttpStatusCode.OK, (await _client.PostAsJsonAsync($"/api/notices/calls/{call.Id}/outcome", new { outcome = "refused" })).StatusCode);

        var (status, text) = await PlanOnPageAsync(browser);
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Contains("The person refused a call (2026-07-16 03:00 UTC), for the purpose sales.", text);
    }

    [Fact]
    public async Task The_page_shows_do_not_call_for_an_erased_number()
    {
        var hash = _factory.HashOf(Mobile);
        await _factory.Bus.Publish(new ErasureRequested { RequestId = Guid.NewGuid(), ContactHash = hash, RequestedAt = _factory.Clock.Now });
        await Eventually.AssertAsync(() => _factory.Index.Find(hash).ErasedAt > 0, TimeSpan.FromSeconds(10), "erasure replicated");
        using var browser = await BrowserSession.SignInAsync(_factory, _org);
        var (status, text) = await PlanOnPageAsync(browser);
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Contains("Do not call", text);
        Assert.Contains("asked for their data to be erased", text);
    }

    [Fact]
    public async Task The_page_takes_the_planned_time_in_the_recipients_local_time()
    {
        using var browser = await BrowserSession.SignInAsync(_factory, _org);
        var (status, text) = await PlanOnPageAsync(browser, "2026-07-16T15:30");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("Call planned for 2026-07-16 06:30 UTC; the pre-call notice is queued.", text);
    }

    [Fact]
    public async Task The_external_id_given_with_a_call_travels_to_responses_with_the_link_for_the_crm()
    {
        var response = await PostCallAsync(externalId: "00Q5g00000ABCDE");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        await using var connection = await _factory.Services.GetRequiredService<NoticesDatabase>().OpenAsync();
        var body = await connection.ExecuteScalarAsync<string>("SELECT body FROM outbox_messages WHERE instr(message_type, 'ResponseLinkIssued') > 0");
        Assert.Contains("\"externalId\":\"00Q5g00000ABCDE\"", body);
    }

    [Fact]
    public async Task An_external_id_with_a_line_break_is_a_400_naming_externalId()
    {
        var response = await PostCallAsync(externalId: "lead\n42");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("externalId", out _));
    }
}
