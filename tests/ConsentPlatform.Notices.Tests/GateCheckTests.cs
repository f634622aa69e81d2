using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ConsentPlatform.Contracts;
using ConsentPlatform.Notices.Calls;
using ConsentPlatform.Notices.Replica;
using ConsentPlatform.Testing;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace ConsentPlatform.Notices.Tests;

/// <summary>The read-only gate check a dialer asks before it calls: the same answer a planned call gets, nothing recorded.</summary>
public sealed class GateCheckTests : IAsyncLifetime
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

    private async Task<GateCheckResult> CheckAsync(string number = Mobile, string callingNumber = CallingNumber)
    {
        var response = await _client.PostAsJsonAsync("/api/notices/gate/checks", new { phoneNumber = number, callingNumber, purpose = "sales" });
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<GateCheckResult>(JsonSerializerOptions.Web))!;
    }

    private async Task<long> RowsAsync(string table)
    {
        await using var connection = await _factory.Services.GetRequiredService<NoticesDatabase>().OpenAsync(CancellationToken.None);
        return await connection.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM {table}");
    }

    [Fact]
    public async Task Check_allows_a_consented_mobile_then_refuses_it_as_opted_out_and_records_nothing()
    {
        await _factory.RecordSmsConsentAsync(_org, Mobile);
        Assert.Equal(new GateCheckResult(true, null), await CheckAsync());

        await _factory.Bus.Publish(new OptOutRequested { RequestId = Guid.NewGuid(), ContactHash = _factory.HashOf(Mobile), OrganizationId = _org, Source = "responses", RequestedAt = _factory.Clock.Now });
        await Eventually.AssertAsync(async () => (await CheckAsync()).Reason == RefusalReasons.OptedOut, TimeSpan.FromSeconds(10), "the opt-out reaches the gate");

        Assert.Equal(new GateCheckResult(false, RefusalReasons.OptedOut), await CheckAsync("+81 90-1234-5678"));
        Assert.Equal((0, 0, 0), (await RowsAsync("calls"), await RowsAsync("notices"), await RowsAsync("outgoing_messages")));
    }

    [Fact]
    public async Task A_not_now_stop_refuses_until_its_date_and_then_lets_notices_through_again()
    {
        await _factory.RecordSmsConsentAsync(_org, Mobile);
        var until = _factory.Clock.Now.AddDays(30);
        await _factory.Bus.Publish(new OptOutRequested
        {
            RequestId = Guid.NewGuid(), ContactHash = _factory.HashOf(Mobile), OrganizationId = _org, Source = "responses", RequestedAt = _factory.Clock.Now, Until = until,
        });
        await Eventually.AssertAsync(async () => (await CheckAsync()).Reason == RefusalReasons.OptedOutUntil, TimeSpan.FromSeconds(10), "the pause reaches the gate");
        // Consent confirms it with the same end date.
        await _factory.Bus.Publish(new ContactSuppressed
        {
            SuppressionId = Guid.NewGuid(), ContactHash = _factory.HashOf(Mobile), OrganizationId = _org, Reason = "opted_out", SuppressedAt = _factory.Clock.Now, Until = until,
        });
        await Eventually.AssertAsync(async () => await RowsAsync("suppressions") == 2, TimeSpan.FromSeconds(10), "Consent's entry replicated");
        Assert.Equal(RefusalReasons.OptedOutUntil, (await CheckAsync()).Reason);

        _factory.Clock.Now = until.AddMinutes(1);
        Assert.Equal(new GateCheckResult(true, null), await CheckAsync());
    }

    [Fact]
    public async Task A_stop_for_good_outweighs_a_pause()
    {
        await _factory.RecordSmsConsentAsync(_org, Mobile);
        await _factory.Bus.Publish(new OptOutRequested
        {
            RequestId = Guid.NewGuid(), ContactHash = _factory.HashOf(Mobile), OrganizationId = _org, Source = "responses", RequestedAt = _factory.Clock.Now,
            Until = _factory.Clock.Now.AddDays(30),
        });
        await _factory.Bus.Publish(new OptOutRequested { RequestId = Guid.NewGuid(), ContactHash = _factory.HashOf(Mobile), OrganizationId = _org, Source = "directory", RequestedAt = _factory.Clock.Now });
        await Eventually.AssertAsync(async () => (await CheckAsync()).Reason == RefusalReasons.OptedOut, TimeSpan.FromSeconds(10), "the stop for good decides");
        _factory.Clock.Now = _factory.Clock.Now.AddDays(31);
        Assert.Equal(RefusalReasons.OptedOut, (await CheckAsync()).Reason);
    }

    [Fact]
    public async Task Check_gives_the_same_reasons_a_planned_call_would()
    {
        await _factory.RecordSmsConsentAsync(_org, "03-5555-1234");
        Assert.Equal(RefusalReasons.NotSmsCapable, (await CheckAsync("03-5555-1234")).Reason);
        Assert.Equal(RefusalReasons.NoSmsConsent, (await CheckAsync("080-1111-2222")).Reason);
        await _factory.RecordSmsConsentAsync(_org, Mobile);
        Assert.Equal(RefusalReasons.CallingNumberUnpublished, (await CheckAsync(callingNumber: "+81355550000")).Reason);
    }

    [Fact]
    public async Task A_window_running_over_midnight_allows_the_night_and_refuses_the_day()
    {
        await _factory.RecordSmsConsentAsync(_org, Mobile);
        var saved = await _client.PutAsJsonAsync("/api/notices/settings", new { allowedFrom = "22:00", allowedUntil = "02:00", frequencyCap = 3, frequencyWindowHours = 24 });
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);

        Assert.Equal(RefusalReasons.QuietHours, (await CheckAsync()).Reason); // noon in Tokyo
        _factory.Clock.Now = new DateTimeOffset(2026, 7, 16, 15, 30, 0, TimeSpan.Zero); // 00:30 in Tokyo
        Assert.Equal(new GateCheckResult(true, null), await CheckAsync());
    }

    [Fact]
    public async Task An_empty_window_is_refused_naming_its_end()
    {
        var response = await _client.PutAsJsonAsync("/api/notices/settings", new { allowedFrom = "09:00", allowedUntil = "09:00", frequencyCap = 3, frequencyWindowHours = 24 });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("allowedUntil", out _));
    }

    [Theory]
    [InlineData("12", CallingNumber, "phoneNumber")]
    [InlineData(Mobile, "abc", "callingNumber")]
    public async Task Bad_numbers_are_refused_with_problem_details_naming_the_field(string number, string callingNumber, string field)
    {
        var response = await _client.PostAsJsonAsync("/api/notices/gate/checks", new { phoneNumber = number, callingNumber });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    public Task DisposeAsync()
    {
        _factory.Dispose();
        return Task.CompletedTask;
    }
}
