using System.Net.Http.Json;
using System.Text.Json;
using ConsentPlatform.Consent.Gate;
using ConsentPlatform.Contracts;
using ConsentPlatform.Testing;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace ConsentPlatform.Consent.Tests;

public sealed class SuppressionTests(ConsentFactory factory) : IClassFixture<ConsentFactory>
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(10);
    // A weekday noon in Tokyo, so quiet hours never add a reason.
    private const string Noon = "2026-03-02T12:00:00+09:00";

    private async Task<string[]> ReasonsAsync(HttpClient client, string number, string channel, string purpose = "seminar") =>
        (await client.CheckAsync(new { phoneNumber = number, channel, purpose, at = Noon })).Reasons();

    [Fact]
    public async Task Opt_out_from_another_service_becomes_a_suppression_entry_announced_through_the_outbox()
    {
        var (org, client) = await factory.CreateOrganizationAsync();
        const string number = "090-1111-0001";
        var hash = factory.HashOf(number);
        Assert.DoesNotContain("opted_out", await ReasonsAsync(client, number, "sms"));

        await factory.PublishAsync(Api.OptOut(hash, org, "responses", null, "sms"));

        await Eventually.AssertAsync(async () => (await ReasonsAsync(client, number, "sms")).Contains("opted_out"), Soon, "the SMS check reports opted_out");
        Assert.DoesNotContain("opted_out", await ReasonsAsync(client, number, "call"));
        Assert.Equal(1, await factory.QueryScalarAsync<int>("SELECT COUNT(*) FROM suppressions WHERE contact_hash = @hash AND channel = 'sms' AND organization_id = @org", new { hash, org }));
        var announced = await factory.QueryAsync<string>("SELECT body FROM outbox_messages WHERE message_type = @type", new { type = typeof(ContactSuppressed).FullName });
        var message = announced.Select(b => JsonSerializer.Deserialize<ContactSuppressed>(b, new JsonSerializerOptions(JsonSerializerDefaults.Web))!).Single(m => m.ContactHash == hash);
        Assert.Equal(("sms", org, "opted_out"), (message.Channel, message.OrganizationId, message.Reason));
    }

    [Fact]
    public async Task Refused_call_denies_calls_for_that_organization_and_purpose_for_every_key_at_once()
    {
        var (org, client) = await factory.CreateOrganizationAsync("Refused K.K.");
        var otherRep = await factory.Identity.CreateKeyAsync(org, ["consent"], "another rep");
        using var otherClient = factory.CreateClient();
        otherClient.DefaultRequestHeaders.Authorization = new("Bearer", otherRep.Key);
        var (_, otherOrganization) = await factory.CreateOrganizationAsync("Other K.K.");
        const string number = "080-2222-0002";

        await factory.PublishAsync(Api.OptOut(factory.HashOf(number), org, "call_refused", "seminar", "call"));

        await Eventually.AssertAsync(async () => (await ReasonsAsync(otherClient, number, "call")).Contains("refused_on_call"), Soon, "another rep's check is refused");
        Assert.Contains("refused_on_call", await ReasonsAsync(client, number, "call"));
        Assert.DoesNotContain("refused_on_call", await ReasonsAsync(client, number, "call", "another-purpose"));
        Assert.DoesNotContain("refused_on_call", await ReasonsAsync(otherOrganization, number, "call"));
    }

    [Fact]
    public async Task Redelivered_opt_out_changes_nothing_the_second_time()
    {
        var (org, client) = await factory.CreateOrganizationAsync();
        var hash = factory.HashOf("070-3333-0003");
        var message = Api.OptOut(hash, org, "sms_reply");
        var messageId = NewId.NextGuid();
        var bus = factory.Services.GetRequiredService<IBus>();

        await bus.Publish(message, c => c.MessageId = messageId);
        await bus.Publish(message, c => c.MessageId = messageId);

        await Eventually.AssertAsync(async () => await factory.QueryScalarAsync<int>("SELECT COUNT(*) FROM inbox_messages WHERE message_id = @id", new { id = messageId.ToString() }) == 1,
            Soon, "the opt-out is handled");
        await Task.Delay(500);
        Assert.Equal(1, await factory.QueryScalarAsync<int>("SELECT COUNT(*) FROM suppressions WHERE contact_hash = @hash", new { hash }));
        Assert.Contains("opted_out", await ReasonsAsync(client, "070-3333-0003", "email"));
    }

    [Fact]
    public async Task Opt_out_naming_an_unknown_channel_suppresses_every_channel()
    {
        var (org, client) = await factory.CreateOrganizationAsync();
        const string number = "090-4444-0004";
        await factory.PublishAsync(Api.OptOut(factory.HashOf(number), org, "responses", null, "fax"));
        await Eventually.AssertAsync(async () => (await ReasonsAsync(client, number, "call")).Contains("opted_out"), Soon, "calls are suppressed");
        Assert.Contains("opted_out", await ReasonsAsync(client, number, "email"));
    }

    [Fact]
    public async Task Every_check_is_audited_by_hash_and_never_by_number()
    {
        var (org, client) = await factory.CreateOrganizationAsync();
        var check = await client.CheckAsync(new { phoneNumber = "+81 90 5555 0005", channel = "call", purpose = "seminar", at = Noon });
        var checkId = check.GetProperty("checkId").GetString();

        var audit = factory.Services.GetRequiredService<CheckAudit>();
        await audit.FlushAsync(CancellationToken.None);
        var rows = await factory.QueryAsync<(string OrganizationId, string ContactHash, string Decision, string Reasons)>(
            "SELECT organization_id, contact_hash, decision, reasons FROM check_audit WHERE check_id = @checkId", new { checkId });
        var row = Assert.Single(rows);
        Assert.Equal((org, factory.HashOf("090-5555-0005"), "deny", "no_consent"), row);
        Assert.Equal(0, await factory.QueryScalarAsync<int>("SELECT COUNT(*) FROM check_audit WHERE contact_hash LIKE '%5555%' OR reasons LIKE '%5555%'"));
    }

    [Fact]
    public async Task Organization_contact_hours_are_used_by_the_check()
    {
        var (_, client) = await factory.CreateOrganizationAsync();
        var put = await client.PutAsJsonAsync("/api/consent/contact-hours", new { start = "13:00", end = "17:00" });
        Assert.True(put.IsSuccessStatusCode);
        var reasons = (await client.CheckAsync(new { phoneNumber = "090-6666-0006", channel = "call", purpose = "seminar", at = Noon })).Reasons();
        Assert.Contains("quiet_hours", reasons);
    }
}

public sealed class FailClosedTests
{
    [Fact]
    public void Gate_denies_with_gate_unavailable_until_its_index_is_loaded()
    {
        var index = new GateIndex();
        var hasher = new Telephony.PhoneNumberHasher("k1", new byte[32]);
        var gate = new PermissionGate(index, hasher, new ContactHasher("k1", new byte[32]), new ContactHoursStore(null!, TimeProvider.System), new CheckAudit(null!, Microsoft.Extensions.Logging.Abstractions.NullLogger<CheckAudit>.Instance),
            TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<PermissionGate>.Instance);
        var query = new CheckQuery("org_a", Telephony.PhoneNumbers.Parse("090-1234-5678").Number, null, "email", "seminar", null);

        var result = gate.Check(query);

        Assert.Equal("deny", result.Decision);
        Assert.Equal(["gate_unavailable"], result.Reasons);
    }

    [Fact]
    public void Gate_denies_with_gate_unavailable_when_the_decision_throws()
    {
        var index = new GateIndex();
        index.MarkReady();
        var audit = new CheckAudit(null!, Microsoft.Extensions.Logging.Abstractions.NullLogger<CheckAudit>.Instance);
        var gate = new PermissionGate(index, new Telephony.PhoneNumberHasher("k1", new byte[32]), new ContactHasher("k1", new byte[32]), new ContactHoursStore(null!, TimeProvider.System),
            audit, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<PermissionGate>.Instance);
        // A query that skipped validation: hashing a blank email throws inside the gate.
        var query = new CheckQuery("org_a", default, " ", "email", "seminar", null);

        var result = gate.Check(query);

        Assert.Equal("deny", result.Decision);
        Assert.Equal(["gate_unavailable"], result.Reasons);
        Assert.True(audit.TryRecord(new AuditRecord("x", "o", "h", "c", "p", "d", "r", 0, 0, "s")), "the audit queue still takes records");
    }
}
