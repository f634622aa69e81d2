using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ConsentPlatform.Contracts;
using ConsentPlatform.Responses.Crm;
using ConsentPlatform.Testing;
using Microsoft.Extensions.DependencyInjection;

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
    public async Task A_consent_expiry_reaches_the_crm_once_as_expired_and_is_the_contacts_current_preference_in_the_feed()
    {
        var (org, link) = await WithWebhookAndContactAsync();
        var api = await ApiForAsync(org);
        var consent = Guid.NewGuid();
        var recordedAt = DateTimeOffset.UtcNow.AddDays(-30);
        var expiredAt = DateTimeOffset.UtcNow.AddSeconds(-1);
        await _factory.PublishAsync(new ConsentRecorded
        {
            ConsentId = consent, OrganizationId = org, Channel = Channels.Sms, Purpose = "seminar-followup", ContactHash = link.ContactHash, RecordedAt = recordedAt,
            ExpiresAt = expiredAt,
        });
        await Eventually.AssertAsync(() => !_crm.Preferences.IsEmpty, TimeSpan.FromSeconds(10), "the CRM receives the consent");
        await _factory.PublishAsync(new ConsentExpired
        {
            ConsentId = consent, OrganizationId = org, Channel = Channels.Sms, Purpose = "seminar-followup", ContactHash = link.ContactHash, ExpiredAt = expiredAt,
        });

        await Eventually.AssertAsync(() => _crm.Preferences.Count >= 2, TimeSpan.FromSeconds(10), "the CRM receives the expiry");
        await Task.Delay(300); // room for a second, duplicate delivery
        Assert.Equal((0, 0), (_crm.BadSignatures, _crm.Duplicates));
        var expired = Assert.Single(_crm.Preferences.Skip(1)).Preference;
        Assert.Equal(new PreferenceChange("expired", Channels.Sms, "seminar-followup", "organization", null), expired.Change);
        Assert.Equal(("lead-0042", link.ContactHash, "consent_expired", consent.ToString()), (expired.ExternalId, expired.ContactHash, expired.Source, expired.EvidenceId));
        Assert.Equal(expiredAt.ToUnixTimeMilliseconds(), expired.At.ToUnixTimeMilliseconds());

        var preferences = (await api.GetFromJsonAsync<JsonElement>("/api/responses/feed?preferencesAfter=0")).GetProperty("preferences").EnumerateArray()
            .Select(p => p.GetProperty("preference")).Where(p => p.GetProperty("contactHash").GetString() == link.ContactHash).ToList();
        var current = preferences[^1].GetProperty("change");
        Assert.Equal(("expired", Channels.Sms), (current.GetProperty("kind").GetString(), current.GetProperty("channel").GetString()));
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

    [Fact]
    public async Task A_stop_that_withdraws_consents_reaches_the_crm_as_one_event_not_one_per_withdrawal()
    {
        var (org, link) = await WithWebhookAndContactAsync();
        var request = Guid.NewGuid();
        var now = DateTimeOffset.UtcNow;
        // What Consent publishes for a STOP reply from a person with SMS consent for two purposes.
        await _factory.PublishAsync(new ContactSuppressed
        {
            SuppressionId = Guid.NewGuid(), ContactHash = link.ContactHash, OrganizationId = org, Channel = Channels.Sms, Reason = "opted_out", SuppressedAt = now,
            Source = "sms_reply", EvidenceId = request,
        });
        foreach (var purpose in new[] { "sales", "seminar-followup" })
            await _factory.PublishAsync(new ConsentWithdrawn
            {
                ConsentId = Guid.NewGuid(), OrganizationId = org, Channel = Channels.Sms, Purpose = purpose, ContactHash = link.ContactHash, WithdrawnAt = now, Method = "opt_out",
            });

        var change = await OnlyEventAsync();
        Assert.Equal(("stopped", "sms_reply"), (change.Change.Kind, change.Source));
    }

    [Fact]
    public async Task The_feed_lists_every_preference_change_after_its_cursor_so_the_last_one_is_the_contacts_current_preference()
    {
        var (org, link) = await WithWebhookAndContactAsync();
        var orgApi = await ApiForAsync(org);
        var suppression = Guid.NewGuid();
        await _factory.PublishAsync(new ContactSuppressed
        {
            SuppressionId = suppression, ContactHash = link.ContactHash, OrganizationId = org, Reason = "opted_out", SuppressedAt = DateTimeOffset.UtcNow, Source = "directory",
        });
        JsonElement feed = default;
        await Eventually.AssertAsync(async () => (feed = await orgApi.GetFromJsonAsync<JsonElement>("/api/responses/feed?after=0&preferencesAfter=0")).GetProperty("preferences").GetArrayLength() == 1,
            TimeSpan.FromSeconds(10), "the directory opt-out is in the feed");
        var first = feed.GetProperty("preferences")[0];
        Assert.Equal("stopped", first.GetProperty("preference").GetProperty("change").GetProperty("kind").GetString());
        Assert.Equal(("lead-0042", "directory"), (first.GetProperty("preference").GetProperty("externalId").GetString(), first.GetProperty("preference").GetProperty("source").GetString()));
        var cursor = feed.GetProperty("preferenceCursor").GetInt64();
        Assert.Equal(first.GetProperty("sequence").GetInt64(), cursor);

        await _factory.PublishAsync(new ContactUnsuppressed { SuppressionId = suppression, ContactHash = link.ContactHash, UnsuppressedAt = DateTimeOffset.UtcNow });
        await Eventually.AssertAsync(async () => (feed = await orgApi.GetFromJsonAsync<JsonElement>($"/api/responses/feed?preferencesAfter={cursor}")).GetProperty("preferences").GetArrayLength() == 1,
            TimeSpan.FromSeconds(10), "the START is in the feed after the cursor");
        Assert.Equal("resumed", feed.GetProperty("preferences")[0].GetProperty("preference").GetProperty("change").GetProperty("kind").GetString());
        // Another organization's key sees none of it.
        var (_, otherApi) = await _factory.CreateOrganizationAsync("Other K.K.");
        Assert.Equal(0, (await otherApi.GetFromJsonAsync<JsonElement>("/api/responses/feed?preferencesAfter=0")).GetProperty("preferences").GetArrayLength());
    }

    private async Task<HttpClient> ApiForAsync(string org)
    {
        var identity = _factory.Services.GetRequiredService<ConsentPlatform.ServiceDefaults.Identity.IdentityStore>();
        var key = await identity.CreateKeyAsync(org, [ConsentPlatform.ServiceDefaults.Identity.Scopes.Responses], "feed");
        var client = _factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", key.Key);
        return client;
    }

    [Fact]
    public async Task An_erasure_replaces_everything_of_the_contact_with_one_erased_event_carrying_only_the_external_id()
    {
        var (org, link) = await WithWebhookAndContactAsync();
        var api = await ApiForAsync(org);
        await _factory.PublishAsync(new ContactSuppressed
        {
            SuppressionId = Guid.NewGuid(), ContactHash = link.ContactHash, OrganizationId = org, Channel = Channels.Sms, Reason = "opted_out", SuppressedAt = DateTimeOffset.UtcNow,
            Source = "sms_reply",
        });
        await OnlyEventAsync();

        var request = Guid.NewGuid();
        await _factory.PublishAsync(new ErasureRequested { RequestId = request, ContactHash = link.ContactHash, RequestedAt = DateTimeOffset.UtcNow });
        // Consent's own stop for the erasure can arrive after it: it must not bring the contact back.
        await _factory.PublishAsync(new ContactSuppressed
        {
            SuppressionId = Guid.NewGuid(), ContactHash = link.ContactHash, Reason = "erased", SuppressedAt = DateTimeOffset.UtcNow, Source = "dsr_erasure",
        });

        await Eventually.AssertAsync(() => _crm.Preferences.Count >= 2, TimeSpan.FromSeconds(10), "the CRM receives the erasure");
        await Task.Delay(500);
        var erased = Assert.Single(_crm.Preferences.Skip(1)).Preference;
        Assert.Equal(new PreferenceChange("erased", null, null, "all_organizations", null), erased.Change);
        Assert.Equal((org, "lead-0042", (string?)null, request.ToString()), (erased.OrganizationId, erased.ExternalId, erased.ContactHash, erased.EvidenceId));
        Assert.DoesNotContain(link.ContactHash, _crm.PreferenceBodies.Last());
        Assert.DoesNotContain(link.MaskedNumber, _crm.PreferenceBodies.Last());

        // Nothing of the contact in any of Responses' CRM tables, and the feed has only the erasure.
        foreach (var table in new[] { "preference_changes", "crm_contacts", "crm_deliveries" })
            Assert.Equal(0, await _factory.CountAsync($"SELECT COUNT(*) FROM {table} WHERE contact_hash = @hash", new { hash = link.ContactHash }));
        var feed = await api.GetStringAsync("/api/responses/feed?after=0&preferencesAfter=0");
        Assert.DoesNotContain(link.ContactHash, feed);
        var preferences = JsonDocument.Parse(feed).RootElement.GetProperty("preferences");
        Assert.Equal(["erased"], preferences.EnumerateArray().Select(p => p.GetProperty("preference").GetProperty("change").GetProperty("kind").GetString()));
    }
}
