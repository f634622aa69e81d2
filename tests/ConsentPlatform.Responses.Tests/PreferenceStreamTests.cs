using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ConsentPlatform.Contracts;
using ConsentPlatform.Responses.Crm;
using ConsentPlatform.Testing;

namespace ConsentPlatform.Responses.Tests;

/// <summary>
/// Issue 13, acceptance 1 (Responses' part): each preference change Consent announces, whichever channel the person
/// used, reaches the organization's CRM webhook as exactly one signed "preference.changed" event carrying the
/// organization's own id for the contact, in order per contact. The messages are those Consent publishes for each channel.
/// </summary>
public sealed class PreferenceStreamTests : IAsyncLifetime
{
    private readonly ResponsesFactory _factory = new(new()
    {
        ["Responses:Crm:AllowedHosts"] = "127.0.0.1",
        ["Responses:Crm:FirstRetrySeconds"] = "0.2",
        ["Responses:Crm:MaxBackoffSeconds"] = "0.5",
    });
    private FakeCrm _crm = default!;

    public async Task InitializeAsync() => _crm = await FakeCrm.StartAsync();

    public async Task DisposeAsync()
    {
        await _crm.DisposeAsync();
        await _factory.DisposeAsync();
    }

    private async Task<(string Org, ResponseLinkIssued Link)> WithWebhookAndContactAsync()
    {
        var (org, api) = await _factory.CreateOrganizationAsync();
        var created = await api.PostAsJsonAsync("/api/responses/connectors", new { kind = "webhook", name = "Fake CRM", url = _crm.Url });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        _crm.Secret = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("signingSecret").GetString()!;
        return (org, await _factory.IssueLinkAsync(org, externalId: "lead-0042"));
    }

    private async Task<CrmPreference> OnlyEventAsync()
    {
        await Eventually.AssertAsync(() => !_crm.Preferences.IsEmpty, TimeSpan.FromSeconds(10), "the CRM receives the preference change");
        await Task.Delay(300); // room for a second, duplicate delivery
        Assert.Equal(0, _crm.BadSignatures);
        return Assert.Single(_crm.Preferences).Preference;
    }

    [Theory]
    [InlineData("responses", null, null)]            // short-link answer "no further contact"
    [InlineData("sms_reply", Channels.Sms, null)]    // STOP, or 停止 / 配信停止 (Notices reads both as the same stop)
    [InlineData("call_refused", Channels.Call, "sales")] // the rep logged "refused"
    [InlineData("directory", null, null)]            // opt-out through the public directory entry
    public async Task A_stop_from_any_channel_reaches_the_crm_once_with_the_external_id(string source, string? channel, string? purpose)
    {
        var (org, link) = await WithWebhookAndContactAsync();
        var evidence = Guid.NewGuid();
        var at = DateTimeOffset.UtcNow.AddSeconds(-1);
        await _factory.PublishAsync(new ContactSuppressed
        {
            SuppressionId = Guid.NewGuid(), ContactHash = link.ContactHash, OrganizationId = org, Channel = channel, Purpose = purpose,
            Reason = source == "call_refused" ? "refused_on_call" : "opted_out", SuppressedAt = at, Source = source, EvidenceId = evidence,
        });

        var change = await OnlyEventAsync();
        Assert.Equal(("lead-0042", org, link.ContactHash), (change.ExternalId, change.OrganizationId, change.ContactHash));
        Assert.Equal(new PreferenceChange("stopped", channel, purpose, "organization", null), change.Change);
        Assert.Equal((source, evidence.ToString(), at.ToUnixTimeMilliseconds()), (change.Source, change.EvidenceId, change.At.ToUnixTimeMilliseconds()));
    }

    [Fact]
    public async Task A_data_subject_stop_for_every_organization_reaches_the_organization_that_knows_the_contact()
    {
        var (org, link) = await WithWebhookAndContactAsync();
        await _factory.PublishAsync(new ContactSuppressed
        {
            SuppressionId = Guid.NewGuid(), ContactHash = link.ContactHash, Reason = "opted_out", SuppressedAt = DateTimeOffset.UtcNow, Source = "dsr_stop_use",
        });
        var change = await OnlyEventAsync();
        Assert.Equal((org, "lead-0042", "all_organizations", "dsr_stop_use"), (change.OrganizationId, change.ExternalId, change.Change.Scope, change.Source));
    }

    [Fact]
    public async Task A_consent_withdrawal_reaches_the_crm_once()
    {
        var (org, link) = await WithWebhookAndContactAsync();
        var consent = Guid.NewGuid();
        await _factory.PublishAsync(new ConsentWithdrawn
        {
            ConsentId = consent, OrganizationId = org, Channel = Channels.Sms, Purpose = "seminar-followup", ContactHash = link.ContactHash, WithdrawnAt = DateTimeOffset.UtcNow,
        });
        var change = await OnlyEventAsync();
        Assert.Equal(new PreferenceChange("withdrawn", Channels.Sms, "seminar-followup", "organization", null), change.Change);
        Assert.Equal(("lead-0042", consent.ToString()), (change.ExternalId, change.EvidenceId));
    }

    [Fact]
    public async Task Stop_then_start_then_consent_arrive_in_order_and_start_resumes_what_the_stop_stopped()
    {
        var (org, link) = await WithWebhookAndContactAsync();
        var suppression = Guid.NewGuid();
        var now = DateTimeOffset.UtcNow;
        await _factory.PublishAsync(new ContactSuppressed
        {
            SuppressionId = suppression, ContactHash = link.ContactHash, OrganizationId = org, Channel = Channels.Sms, Reason = "opted_out", SuppressedAt = now, Source = "sms_reply",
        });
        await Eventually.AssertAsync(async () => await _factory.CountAsync("SELECT COUNT(*) FROM preference_changes") == 1, TimeSpan.FromSeconds(10), "the stop is recorded");
        await _factory.PublishAsync(new ContactUnsuppressed { SuppressionId = suppression, ContactHash = link.ContactHash, UnsuppressedAt = now.AddSeconds(1) });
        await Eventually.AssertAsync(async () => await _factory.CountAsync("SELECT COUNT(*) FROM preference_changes") == 2, TimeSpan.FromSeconds(10), "the start is recorded");
        await _factory.PublishAsync(new ConsentRecorded
        {
            ConsentId = Guid.NewGuid(), OrganizationId = org, Channel = Channels.Sms, Purpose = "sales", ContactHash = link.ContactHash, RecordedAt = now.AddSeconds(2),
        });

        await Eventually.AssertAsync(() => _crm.Preferences.Count >= 3, TimeSpan.FromSeconds(10), "the CRM receives all three");
        await Task.Delay(300);
        var kinds = _crm.Preferences.Select(p => (p.Preference.Change.Kind, p.Preference.Change.Channel, p.Preference.ExternalId)).ToList();
        Assert.Equal([("stopped", Channels.Sms, "lead-0042"), ("resumed", Channels.Sms, "lead-0042"), ("consented", Channels.Sms, "lead-0042")], kinds);
        Assert.Equal(0, _crm.Duplicates);
    }
}
