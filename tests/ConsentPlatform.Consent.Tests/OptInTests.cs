using System.Text.Json;
using ConsentPlatform.Consent.Gate;
using ConsentPlatform.Consent.Suppression;
using ConsentPlatform.Contracts;
using ConsentPlatform.ServiceDefaults.Messaging;
using ConsentPlatform.Testing;
using MassTransit;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using static ConsentPlatform.Consent.Tests.FormHelpers;

namespace ConsentPlatform.Consent.Tests;

/// <summary>START/再開 (R20): an SMS reply lifts the SMS reply's opt-out, and nothing else.</summary>
public sealed class OptInTests(ConsentFactory factory) : IClassFixture<ConsentFactory>
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(10);
    private const string Noon = "2026-03-02T12:00:00+09:00";

    private static OptInRequested OptIn(string hash, string org, DateTimeOffset? at = null, string source = "sms_reply", params string[] channels) => new()
    {
        RequestId = Guid.NewGuid(), ContactHash = hash, OrganizationId = org, Channels = channels.Length == 0 ? [Channels.Sms] : channels, Source = source,
        RequestedAt = at ?? DateTimeOffset.UtcNow,
    };

    private static Task<string[]> ReasonsAsync(HttpClient client, string number, string channel, string purpose = "seminar") =>
        client.CheckAsync(new { phoneNumber = number, channel, purpose, at = Noon }).ContinueWith(t => t.Result.Reasons());

    private Task<int> LiftsAsync(string hash) => factory.QueryScalarAsync<int>("SELECT COUNT(*) FROM suppression_lifts WHERE contact_hash = @hash", new { hash });

    private async Task OptedOutAsync(HttpClient client, string number, string channel, OptOutRequested optOut)
    {
        await factory.PublishAsync(optOut);
        await Eventually.AssertAsync(async () => (await ReasonsAsync(client, number, channel)).Any(r => r is "opted_out" or "refused_on_call"), Soon, "the opt-out is applied");
    }

    [Fact]
    public async Task Sms_reply_start_lifts_the_sms_reply_stop_but_does_not_bring_the_consent_back()
    {
        var (org, client) = await factory.CreateOrganizationAsync("Start K.K.");
        const string number = "090-7200-0001";
        var hash = factory.HashOf(number);
        var formId = (await client.CreateEventAsync()).GetProperty("id").GetString()!;
        using var browser = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        await browser.SubmitFormAsync(formId, [Field("channels", "sms"), Field("phone", number)]);
        await OptedOutAsync(client, number, "sms", Api.OptOut(hash, org, "sms_reply", null, "sms"));

        await factory.PublishAsync(OptIn(hash, org));

        await Eventually.AssertAsync(async () => !(await ReasonsAsync(client, number, "sms")).Contains("opted_out"), Soon, "the stop is lifted");
        // The stop withdrew the SMS consent; a START is not a consent, so the answer is no_consent.
        Assert.Equal(["no_consent"], await ReasonsAsync(client, number, "sms"));
        // Append-only: the entry is still there, lifted by a row of its own, and the replicas are told.
        var suppressionId = await factory.QueryScalarAsync<string>("SELECT id FROM suppressions WHERE contact_hash = @hash", new { hash });
        Assert.Equal(suppressionId, await factory.QueryScalarAsync<string>("SELECT suppression_id FROM suppression_lifts WHERE contact_hash = @hash", new { hash }));
        await Eventually.AssertAsync(async () => (await UnsuppressedAsync(hash)).Any(m => m.SuppressionId == Guid.Parse(suppressionId)), Soon, "ContactUnsuppressed is in the outbox");
    }

    [Fact]
    public async Task Start_does_not_lift_a_refusal_another_sources_stop_or_another_organizations_stop()
    {
        var (org, client) = await factory.CreateOrganizationAsync("Careful K.K.");
        var (otherOrg, otherClient) = await factory.CreateOrganizationAsync("Other K.K.");
        const string number = "090-7200-0002";
        var hash = factory.HashOf(number);
        await OptedOutAsync(client, number, "call", Api.OptOut(hash, org, "call_refused", "seminar", "call"));
        await OptedOutAsync(client, number, "email", Api.OptOut(hash, org, "responses", null, "email"));
        await OptedOutAsync(otherClient, number, "sms", Api.OptOut(hash, otherOrg, "sms_reply", null, "sms"));
        await OptedOutAsync(client, number, "sms", Api.OptOut(hash, org, "sms_reply", null, "sms"));

        // Even a START naming every channel lifts only the SMS reply's stop of its own organization.
        await factory.PublishAsync(OptIn(hash, org, channels: [Channels.Sms, Channels.Call, Channels.Email]));

        await Eventually.AssertAsync(async () => !(await ReasonsAsync(client, number, "sms")).Contains("opted_out"), Soon, "the SMS reply's stop is lifted");
        Assert.Contains("refused_on_call", await ReasonsAsync(client, number, "call"));
        Assert.Contains("opted_out", await ReasonsAsync(client, number, "email"));
        Assert.Contains("opted_out", await ReasonsAsync(otherClient, number, "sms"));
        Assert.Equal(1, await LiftsAsync(hash));
    }

    [Fact]
    public async Task Start_from_a_source_that_cannot_speak_for_the_number_lifts_nothing()
    {
        var (org, client) = await factory.CreateOrganizationAsync();
        const string number = "090-7200-0003";
        var hash = factory.HashOf(number);
        await OptedOutAsync(client, number, "sms", Api.OptOut(hash, org, "responses", null, "sms"));
        var optIn = OptIn(hash, org, source: "responses");

        await factory.PublishAsync(optIn);

        await Eventually.AssertAsync(async () => await factory.QueryScalarAsync<int>("SELECT COUNT(*) FROM inbox_messages WHERE consumer = @consumer", new { consumer = Inbox.KeyOf<OptInRequestedConsumer, OptInRequested>() }) > 0
            && await factory.QueryScalarAsync<int>("SELECT COUNT(*) FROM opt_in_requests WHERE id = @id", new { id = optIn.RequestId.ToString() }) == 1, Soon, "the opt-in is handled");
        Assert.Contains("opted_out", await ReasonsAsync(client, number, "sms"));
        Assert.Equal(0, await LiftsAsync(hash));
    }

    [Fact]
    public async Task A_stop_that_arrives_after_the_later_start_is_lifted_on_arrival()
    {
        var (org, client) = await factory.CreateOrganizationAsync();
        const string number = "090-7200-0004";
        var hash = factory.HashOf(number);
        var stopAt = DateTimeOffset.UtcNow.AddMinutes(-2);
        var start = OptIn(hash, org, at: stopAt.AddMinutes(1));
        await factory.PublishAsync(start);
        await Eventually.AssertAsync(async () => await factory.QueryScalarAsync<int>("SELECT COUNT(*) FROM opt_in_requests WHERE id = @id", new { id = start.RequestId.ToString() }) == 1,
            Soon, "the start is recorded");

        await factory.PublishAsync(Api.OptOut(hash, org, "sms_reply", null, "sms") with { RequestedAt = stopAt });

        await Eventually.AssertAsync(async () => await LiftsAsync(hash) == 1, Soon, "the late stop is lifted");
        Assert.Equal(1, await factory.QueryScalarAsync<int>("SELECT COUNT(*) FROM suppressions WHERE contact_hash = @hash", new { hash }));
        Assert.DoesNotContain("opted_out", await ReasonsAsync(client, number, "sms"));

        // A stop sent after that start is the person's last word: it stays.
        await OptedOutAsync(client, number, "sms", Api.OptOut(hash, org, "sms_reply", null, "sms") with { RequestedAt = start.RequestedAt.AddMinutes(1) });
        await Task.Delay(300);
        Assert.Contains("opted_out", await ReasonsAsync(client, number, "sms"));
        Assert.Equal(1, await LiftsAsync(hash));
    }

    [Fact]
    public async Task Redelivered_start_lifts_once_and_records_once()
    {
        var (org, client) = await factory.CreateOrganizationAsync();
        const string number = "090-7200-0005";
        var hash = factory.HashOf(number);
        await OptedOutAsync(client, number, "sms", Api.OptOut(hash, org, "sms_reply", null, "sms"));
        var message = OptIn(hash, org);
        var messageId = NewId.NextGuid();
        var bus = factory.Services.GetRequiredService<IBus>();

        await bus.Publish(message, c => c.MessageId = messageId);
        await bus.Publish(message, c => c.MessageId = messageId);

        await Eventually.AssertAsync(async () => await factory.QueryScalarAsync<int>("SELECT COUNT(*) FROM inbox_messages WHERE message_id = @id", new { id = messageId.ToString() }) == 1,
            Soon, "the start is handled");
        await Task.Delay(500);
        Assert.Equal(1, await LiftsAsync(hash));
        Assert.Equal(1, await factory.QueryScalarAsync<int>("SELECT COUNT(*) FROM opt_in_requests WHERE contact_hash = @hash", new { hash }));
        Assert.Single(await UnsuppressedAsync(hash));
    }

    [Fact]
    public async Task Another_instance_loading_from_the_database_leaves_the_lifted_stop_out()
    {
        var (org, client) = await factory.CreateOrganizationAsync("Reload K.K.");
        const string number = "090-7200-0006";
        var hash = factory.HashOf(number);
        await OptedOutAsync(client, number, "sms", Api.OptOut(hash, org, "sms_reply", null, "sms"));
        await factory.PublishAsync(OptIn(hash, org));
        await Eventually.AssertAsync(async () => !(await ReasonsAsync(client, number, "sms")).Contains("opted_out"), Soon, "the stop is lifted");

        await using var restarted = factory.WithWebHostBuilder(_ => { });
        var key = await factory.Identity.CreateKeyAsync(org, ["consent"], "restarted");
        using var other = restarted.CreateClient();
        other.DefaultRequestHeaders.Authorization = new("Bearer", key.Key);

        Assert.DoesNotContain("opted_out", await ReasonsAsync(other, number, "sms"));
        // And a later stop written by the first instance reaches the second through its catch-up.
        await OptedOutAsync(client, number, "sms", Api.OptOut(hash, org, "responses", null, "sms"));
        await Eventually.AssertAsync(async () => (await ReasonsAsync(other, number, "sms")).Contains("opted_out"), Soon, "the other instance catches up");
    }

    private async Task<List<ContactUnsuppressed>> UnsuppressedAsync(string hash) =>
        (await factory.QueryAsync<string>("SELECT body FROM outbox_messages WHERE message_type = @type", new { type = typeof(ContactUnsuppressed).FullName }))
            .Select(b => JsonSerializer.Deserialize<ContactUnsuppressed>(b, new JsonSerializerOptions(JsonSerializerDefaults.Web))!)
            .Where(m => m.ContactHash == hash)
            .ToList();
}

public sealed class OptInRulesTests
{
    private static readonly DateTimeOffset At = new(2026, 3, 2, 3, 0, 0, TimeSpan.Zero);
    private static readonly long Before = At.ToUnixTimeMilliseconds() - 1;

    private static Suppression.OptIn Sms(bool all = false) => new(Guid.NewGuid(), "h", "org_a", all, all ? [] : [Channels.Sms], "sms_reply", At);

    [Fact]
    public void Lifts_an_earlier_sms_reply_opt_out_of_the_same_organization_on_a_named_channel()
    {
        Assert.True(Sms().MayLift("org_a", Channels.Sms, ReasonCodes.OptedOut, "sms_reply", Before));
    }

    [Theory]
    [InlineData("org_b", "sms", "opted_out", "sms_reply", "another organization")]
    [InlineData(null, "sms", "opted_out", "sms_reply", "every organization (a data-subject request or the directory)")]
    [InlineData("org_a", "sms", "refused_on_call", "sms_reply", "a refusal")]
    [InlineData("org_a", "sms", "erased", "sms_reply", "an erasure")]
    [InlineData("org_a", "sms", "opted_out", "responses", "another source")]
    [InlineData("org_a", "call", "opted_out", "sms_reply", "a channel it does not name")]
    [InlineData("org_a", null, "opted_out", "sms_reply", "every channel, when it names one")]
    public void Does_not_lift(string? organization, string? channel, string reason, string source, string what)
    {
        Assert.False(Sms().MayLift(organization, channel, reason, source, Before), what);
    }

    [Fact]
    public void Does_not_lift_an_opt_out_made_after_it()
    {
        Assert.False(Sms().MayLift("org_a", Channels.Sms, ReasonCodes.OptedOut, "sms_reply", At.ToUnixTimeMilliseconds()));
    }

    [Fact]
    public void A_request_for_every_channel_lifts_an_entry_for_every_channel_of_its_source()
    {
        Assert.True(Sms(all: true).MayLift("org_a", null, ReasonCodes.OptedOut, "sms_reply", Before));
        Assert.False(Sms(all: true).MayLift("org_a", null, ReasonCodes.OptedOut, "directory", Before));
    }

    [Fact]
    public void A_source_that_is_not_the_number_itself_lifts_nothing()
    {
        var fromResponses = Sms() with { Source = "responses" };
        Assert.False(fromResponses.MayLift("org_a", Channels.Sms, ReasonCodes.OptedOut, "responses", Before));
    }
}
