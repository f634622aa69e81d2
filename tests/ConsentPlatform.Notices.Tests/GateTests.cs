using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ConsentPlatform.Contracts;
using ConsentPlatform.Notices.Calls;
using ConsentPlatform.Testing;

namespace ConsentPlatform.Notices.Tests;

/// <summary>Acceptance 5 (R17, R21): each refusal has its own reason code, recorded and visible through the API.</summary>
public sealed class GateTests : IAsyncLifetime
{
    private const string Mobile = "090-1234-5678";
    private const string CallingNumber = "+81312345678";
    private readonly NoticesFactory _factory = new();
    private string _org = "";
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        (_org, _client) = await _factory.CreateOrganizationAsync();
        await _factory.PublishCallingNumberAsync(_org, CallingNumber);
    }

    private async Task<NoticeView> PlanAsync(string number = Mobile, string callingNumber = CallingNumber, string purpose = "sales")
    {
        var response = await _client.PostAsJsonAsync("/api/notices/calls", new
        {
            phoneNumber = number, callerName = "山田", topic = "新サービスのご案内", callingNumber, purpose,
        });
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var call = (await response.Content.ReadFromJsonAsync<CallView>(JsonSerializerOptions.Web))!;
        // Visible through the API afterwards, not just in the answer.
        var again = await _client.GetFromJsonAsync<CallView>($"/api/notices/calls/{call.Id}", JsonSerializerOptions.Web);
        return Assert.Single(again!.Notices);
    }

    /// <summary>Plans a call the gate refuses outright: 409 "Do not call" with its reasons, and nothing written.</summary>
    private async Task<JsonElement[]> PlanRefusedAsync(string number = Mobile, string purpose = "sales")
    {
        var before = await RowsAsync();
        var response = await _client.PostAsJsonAsync("/api/notices/calls", new
        {
            phoneNumber = number, callerName = "山田", topic = "新サービスのご案内", callingNumber = CallingNumber, purpose,
        });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Conflict, body);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal("Do not call", problem.GetProperty("title").GetString());
        Assert.Equal(before, await RowsAsync()); // no call recorded, no notice, nothing queued to send
        return [.. problem.GetProperty("reasons").EnumerateArray()];
    }

    private async Task<(long Calls, long Notices, long Outgoing)> RowsAsync()
    {
        await using var connection = await Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions
            .GetRequiredService<NoticesDatabase>(_factory.Services).OpenAsync(CancellationToken.None);
        async Task<long> Count(string table) => await Dapper.SqlMapper.ExecuteScalarAsync<long>(connection, $"SELECT COUNT(*) FROM {table}");
        return (await Count("calls"), await Count("notices"), await Count("outgoing_messages"));
    }

    [Fact]
    public async Task A_consented_mobile_inside_hours_with_a_published_number_is_queued()
    {
        await _factory.RecordSmsConsentAsync(_org, Mobile);
        var notice = await PlanAsync();
        Assert.Null(notice.Reason);
        Assert.NotEqual("refused", notice.Status);
        Assert.StartsWith("http://localhost/r/", notice.Link);
        Assert.Matches("^[0-9A-Za-z]{10}$", notice.Link![^10..]);
    }

    [Fact]
    public async Task Quiet_hours_in_the_recipients_local_time_refuse_with_quiet_hours()
    {
        await _factory.RecordSmsConsentAsync(_org, Mobile);
        _factory.Clock.Now = new DateTimeOffset(2026, 7, 16, 13, 0, 0, TimeSpan.Zero); // 22:00 in Tokyo
        var notice = await PlanAsync();
        Assert.Equal(("refused", "quiet_hours"), (notice.Status, notice.Reason));
    }

    [Fact]
    public async Task An_organization_window_narrower_than_the_default_is_applied()
    {
        await _factory.RecordSmsConsentAsync(_org, Mobile);
        var saved = await _client.PutAsJsonAsync("/api/notices/settings", new { allowedFrom = "13:00", allowedUntil = "18:00", frequencyCap = 3, frequencyWindowHours = 24 });
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        Assert.Equal("quiet_hours", (await PlanAsync()).Reason); // noon in Tokyo
    }

    [Fact]
    public async Task The_frequency_cap_counts_every_rep_of_the_organization()
    {
        await _factory.RecordSmsConsentAsync(_org, Mobile);
        await _client.PutAsJsonAsync("/api/notices/settings", new { allowedFrom = "08:00", allowedUntil = "21:00", frequencyCap = 2, frequencyWindowHours = 24 });
        var (_, secondRep) = await CreateKeyForSameOrganizationAsync();
        Assert.Null((await PlanAsync()).Reason);
        _client = secondRep;
        Assert.Null((await PlanAsync("+81 90 1234 5678")).Reason);
        Assert.Equal("frequency_cap", (await PlanAsync()).Reason);
        _factory.Clock.Now = _factory.Clock.Now.AddHours(25);
        Assert.Null((await PlanAsync()).Reason);
    }

    private async Task<(string, HttpClient)> CreateKeyForSameOrganizationAsync()
    {
        var identity = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<ServiceDefaults.Identity.IdentityStore>(_factory.Services);
        var key = await identity.CreateKeyAsync(_org, [ServiceDefaults.Identity.Scopes.Notices], "second rep");
        var client = _factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", key.Key);
        return (key.Info.Id, client);
    }

    [Fact]
    public async Task A_landline_is_refused_as_not_sms_capable()
    {
        await _factory.RecordSmsConsentAsync(_org, "03-5555-1234");
        Assert.Equal("not_sms_capable", (await PlanAsync("03-5555-1234")).Reason);
    }

    [Fact]
    public async Task An_unpublished_calling_number_is_refused()
    {
        await _factory.RecordSmsConsentAsync(_org, Mobile);
        Assert.Equal("calling_number_unpublished", (await PlanAsync(callingNumber: "+81355550000")).Reason);
    }

    [Fact]
    public async Task A_withdrawn_calling_number_is_refused_again()
    {
        await _factory.RecordSmsConsentAsync(_org, Mobile);
        var id = Guid.NewGuid();
        await _factory.Bus.Publish(new CallerNumberPublished { OrganizationId = _org, CallerNumberId = id, PhoneNumber = "+81366660000", PublishedAt = _factory.Clock.Now.AddDays(-2) });
        await Eventually.AssertAsync(() => _factory.Index.IsPublished(_org, "+81366660000"), TimeSpan.FromSeconds(10), "published");
        await _factory.Bus.Publish(new CallerNumberWithdrawn { OrganizationId = _org, CallerNumberId = id, PhoneNumber = "+81366660000", WithdrawnAt = _factory.Clock.Now.AddDays(-1) });
        await Eventually.AssertAsync(() => !_factory.Index.IsPublished(_org, "+81366660000"), TimeSpan.FromSeconds(10), "withdrawn");
        Assert.Equal("calling_number_unpublished", (await PlanAsync(callingNumber: "+81366660000")).Reason);
    }

    [Fact]
    public async Task Without_sms_consent_for_the_purpose_the_notice_is_refused()
    {
        await _factory.RecordSmsConsentAsync(_org, Mobile, purpose: "newsletter");
        Assert.Equal("no_sms_consent", (await PlanAsync()).Reason);
    }

    [Fact]
    public async Task Expired_consent_is_refused_as_consent_expired()
    {
        await _factory.RecordSmsConsentAsync(_org, Mobile, expiresAt: _factory.Clock.Now.AddDays(-1));
        Assert.Equal("consent_expired", (await PlanAsync()).Reason);
    }

    [Fact]
    public async Task A_suppressed_contact_is_not_called_and_unsuppression_lifts_it()
    {
        await _factory.RecordSmsConsentAsync(_org, Mobile);
        var hash = _factory.HashOf(Mobile);
        var suppression = Guid.NewGuid();
        await _factory.Bus.Publish(new ContactSuppressed { SuppressionId = suppression, ContactHash = hash, OrganizationId = _org, Reason = "opt_out", SuppressedAt = _factory.Clock.Now });
        await Eventually.AssertAsync(() => _factory.Index.Find(hash).Suppressions.Length > 0, TimeSpan.FromSeconds(10), "suppression replicated");
        var reason = Assert.Single(await PlanRefusedAsync());
        Assert.Equal(("opted_out", "opt_out"), (reason.GetProperty("reason").GetString(), reason.GetProperty("source").GetString()));
        Assert.InRange(_factory.Clock.Now - reason.GetProperty("since").GetDateTimeOffset(), TimeSpan.Zero, TimeSpan.FromSeconds(10));

        await _factory.Bus.Publish(new ContactUnsuppressed { SuppressionId = suppression, ContactHash = hash, UnsuppressedAt = _factory.Clock.Now.AddMinutes(1) });
        await Eventually.AssertAsync(() => _factory.Index.Find(hash).Suppressions.Length == 0, TimeSpan.FromSeconds(10), "suppression lifted");
        Assert.Null((await PlanAsync()).Reason);
    }

    [Fact]
    public async Task An_unsuppression_arriving_before_its_suppression_is_not_undone()
    {
        await _factory.RecordSmsConsentAsync(_org, Mobile);
        var hash = _factory.HashOf(Mobile);
        var suppression = Guid.NewGuid();
        await _factory.Bus.Publish(new ContactUnsuppressed { SuppressionId = suppression, ContactHash = hash, UnsuppressedAt = _factory.Clock.Now });
        await Task.Delay(300);
        await _factory.Bus.Publish(new ContactSuppressed { SuppressionId = suppression, ContactHash = hash, Reason = "opt_out", SuppressedAt = _factory.Clock.Now.AddMinutes(-1) });
        await _factory.Bus.Publish(new ConsentRecorded { ConsentId = Guid.NewGuid(), OrganizationId = _org, Channel = Channels.Sms, Purpose = "other", ContactHash = hash, RecordedAt = _factory.Clock.Now });
        await Eventually.AssertAsync(() => _factory.Index.Find(hash).Consents.Any(c => c.Purpose == "other"), TimeSpan.FromSeconds(10), "later message applied");
        Assert.Null((await PlanAsync()).Reason);
    }

    [Fact]
    public async Task An_opt_out_request_from_any_service_stops_the_call_before_consent_confirms_it()
    {
        await _factory.RecordSmsConsentAsync(_org, Mobile);
        var hash = _factory.HashOf(Mobile);
        await _factory.Bus.Publish(new OptOutRequested { RequestId = Guid.NewGuid(), ContactHash = hash, OrganizationId = _org, Source = "responses", RequestedAt = _factory.Clock.Now });
        await Eventually.AssertAsync(() => _factory.Index.Find(hash).Suppressions.Length > 0, TimeSpan.FromSeconds(10), "provisional suppression");
        var reason = Assert.Single(await PlanRefusedAsync());
        Assert.Equal(("opted_out", "responses"), (reason.GetProperty("reason").GetString(), reason.GetProperty("source").GetString()));
    }

    [Fact]
    public async Task An_sms_only_stop_lets_the_call_be_planned_but_refuses_its_notice()
    {
        await _factory.RecordSmsConsentAsync(_org, Mobile);
        var hash = _factory.HashOf(Mobile);
        await _factory.Bus.Publish(new OptOutRequested
        {
            RequestId = Guid.NewGuid(), ContactHash = hash, OrganizationId = _org, Channels = [Channels.Sms], Source = "responses", RequestedAt = _factory.Clock.Now,
        });
        await Eventually.AssertAsync(() => _factory.Index.Find(hash).Suppressions.Length > 0, TimeSpan.FromSeconds(10), "provisional suppression");
        Assert.Equal("opted_out", (await PlanAsync()).Reason);
    }

    [Fact]
    public async Task A_not_now_stop_refuses_the_call_until_its_date_and_says_until_when()
    {
        await _factory.RecordSmsConsentAsync(_org, Mobile);
        var hash = _factory.HashOf(Mobile);
        var until = _factory.Clock.Now.AddDays(10);
        await _factory.Bus.Publish(new OptOutRequested { RequestId = Guid.NewGuid(), ContactHash = hash, OrganizationId = _org, Source = "responses", RequestedAt = _factory.Clock.Now, Until = until });
        await Eventually.AssertAsync(() => _factory.Index.Find(hash).Suppressions.Length > 0, TimeSpan.FromSeconds(10), "provisional suppression");
        var reason = Assert.Single(await PlanRefusedAsync());
        Assert.Equal("opted_out_until", reason.GetProperty("reason").GetString());
        Assert.Equal(until.ToUnixTimeMilliseconds(), reason.GetProperty("until").GetDateTimeOffset().ToUnixTimeMilliseconds());

        _factory.Clock.Now = until.AddMinutes(1);
        Assert.Null((await PlanAsync()).Reason);
    }

    [Fact]
    public async Task An_erased_contact_is_not_called()
    {
        await _factory.RecordSmsConsentAsync(_org, Mobile);
        var hash = _factory.HashOf(Mobile);
        await _factory.Bus.Publish(new ErasureRequested { RequestId = Guid.NewGuid(), ContactHash = hash, RequestedAt = _factory.Clock.Now });
        await Eventually.AssertAsync(() => _factory.Index.Find(hash).ErasedAt > 0, TimeSpan.FromSeconds(10), "erasure replicated");
        Assert.Equal("erased", Assert.Single(await PlanRefusedAsync()).GetProperty("reason").GetString());
    }

    [Fact]
    public async Task A_refused_call_stops_the_next_call_for_every_rep()
    {
        await _factory.RecordSmsConsentAsync(_org, Mobile);
        var response = await _client.PostAsJsonAsync("/api/notices/calls", new { phoneNumber = Mobile, callerName = "山田", topic = "ご案内", callingNumber = CallingNumber, purpose = "sales" });
        var call = (await response.Content.ReadFromJsonAsync<CallView>(JsonSerializerOptions.Web))!;
        var outcome = await _client.PostAsJsonAsync($"/api/notices/calls/{call.Id}/outcome", new { outcome = "refused" });
        Assert.Equal(HttpStatusCode.OK, outcome.StatusCode);
        var logged = (await outcome.Content.ReadFromJsonAsync<CallView>(JsonSerializerOptions.Web))!;
        Assert.Single(logged.Notices); // no post-call notice to someone who refused
        var (_, secondRep) = await CreateKeyForSameOrganizationAsync();
        _client = secondRep;
        var reason = Assert.Single(await PlanRefusedAsync());
        Assert.Equal(("opted_out", "call_refused", "refused a call"),
            (reason.GetProperty("reason").GetString(), reason.GetProperty("source").GetString(), reason.GetProperty("how").GetString()));
    }

    [Fact]
    public async Task A_purpose_not_among_the_organizations_event_purposes_is_a_400_naming_purpose()
    {
        await _factory.RecordSmsConsentAsync(_org, Mobile, purpose: "seminar-followup");
        var before = await RowsAsync();
        var response = await _client.PostAsJsonAsync("/api/notices/calls", new
        {
            phoneNumber = Mobile, callerName = "山田", topic = "ご案内", callingNumber = CallingNumber, purpose = "seminar-followup",
        });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Contains("sales", errors.GetProperty("purpose")[0].GetString());
        Assert.Equal(before, await RowsAsync());

        // Once an event of the organization declares it, the same call is planned and its notice goes out.
        await _factory.DeclarePurposeAsync(_org, "seminar-followup");
        Assert.Equal(["sales", "seminar-followup"], (await _client.GetFromJsonAsync<string[]>("/api/notices/purposes"))!);
        Assert.Null((await PlanAsync(purpose: "seminar-followup")).Reason);
    }

    [Fact]
    public async Task A_purpose_is_required()
    {
        var response = await _client.PostAsJsonAsync("/api/notices/calls", new { phoneNumber = Mobile, callerName = "山田", topic = "ご案内", callingNumber = CallingNumber });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("purpose", out _));
    }

    [Fact]
    public async Task Bad_input_names_the_field_and_writes_nothing()
    {
        var response = await _client.PostAsJsonAsync("/api/notices/calls", new { phoneNumber = "12", callerName = "", topic = "x", callingNumber = CallingNumber });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty("phoneNumber", out _));
        Assert.True(problem.GetProperty("errors").TryGetProperty("callerName", out _));
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _factory.DisposeAsync();
    }
}
