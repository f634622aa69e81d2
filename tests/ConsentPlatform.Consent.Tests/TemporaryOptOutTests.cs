using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ConsentPlatform.Consent.Gate;
using ConsentPlatform.Contracts;
using ConsentPlatform.Telephony;
using ConsentPlatform.Testing;
using Microsoft.AspNetCore.Mvc.Testing;
using static ConsentPlatform.Consent.Tests.FormHelpers;

namespace ConsentPlatform.Consent.Tests;

/// <summary>"Not now — contact me after a date" (R23): a stop that ends, reported as opted_out_until.</summary>
public sealed class TemporaryOptOutTests(ConsentFactory factory) : IClassFixture<ConsentFactory>
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Japan = TimeSpan.FromHours(9);

    /// <summary>Midnight in Japan <paramref name="days"/> from today, as the response form sends it.</summary>
    private static DateTimeOffset JapanMidnight(int days) => new(DateTime.SpecifyKind(DateTime.UtcNow.Date.AddDays(days), DateTimeKind.Unspecified), Japan);

    private static string NoonIn(int days) => JapanMidnight(days).AddHours(12).ToString("O");

    private async Task<(string Org, HttpClient Client, string Hash)> ConsentedAsync(string number, string legalName)
    {
        var (org, client) = await factory.CreateOrganizationAsync(legalName);
        var formId = (await client.CreateEventAsync()).GetProperty("id").GetString()!;
        using var browser = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var (response, _) = await browser.SubmitFormAsync(formId, [Field("channels", "sms"), Field("channels", "call"), Field("phone", number)]);
        Assert.True(response.IsSuccessStatusCode, $"form submit: {(int)response.StatusCode}");
        return (org, client, factory.HashOf(number));
    }

    private static OptOutRequested NotNow(string hash, string org, DateTimeOffset until, string source = "responses", params string[] channels) =>
        Api.OptOut(hash, org, source, null, channels) with { Until = until };

    [Fact]
    public async Task Temporary_opt_out_denies_as_opted_out_until_before_its_date_and_allows_after_it()
    {
        const string number = "090-7100-0001";
        var (org, client, hash) = await ConsentedAsync(number, "Pause K.K.");
        Assert.Equal("allow", (await client.CheckAsync(new { phoneNumber = number, channel = "sms", purpose = "seminar", at = NoonIn(5) })).Decision());
        var until = JapanMidnight(10);

        await factory.PublishAsync(NotNow(hash, org, until));

        await Eventually.AssertAsync(async () => (await client.CheckAsync(new { phoneNumber = number, channel = "sms", purpose = "seminar", at = NoonIn(5) })).Reasons().Length > 0,
            Soon, "the pause is applied");
        var during = await client.CheckAsync(new { phoneNumber = number, channel = "sms", purpose = "seminar", at = NoonIn(5) });
        Assert.Equal("deny", during.Decision());
        Assert.Equal(["opted_out_until"], during.Reasons());
        Assert.Equal(until, during.GetProperty("optedOutUntil").GetDateTimeOffset());
        Assert.Equal(["opted_out_until"], (await client.CheckAsync(new { phoneNumber = number, channel = "call", purpose = "seminar", at = NoonIn(5) })).Reasons());
        // A millisecond before the end it still applies; from the end on it does not, and the consent is still there.
        Assert.Contains("opted_out_until", (await client.CheckAsync(new { phoneNumber = number, channel = "email", purpose = "seminar", at = until.AddMilliseconds(-1).ToString("O") })).Reasons());
        Assert.DoesNotContain("opted_out_until", (await client.CheckAsync(new { phoneNumber = number, channel = "email", purpose = "seminar", at = until.ToString("O") })).Reasons());
        var after = await client.CheckAsync(new { phoneNumber = number, channel = "sms", purpose = "seminar", at = NoonIn(11) });
        Assert.Equal("allow", after.Decision());
        Assert.Equal(JsonValueKind.Null, after.GetProperty("optedOutUntil").ValueKind);

        Assert.Equal(until.ToUnixTimeMilliseconds(), await factory.QueryScalarAsync<long>("SELECT until_at FROM suppressions WHERE contact_hash = @hash", new { hash }));
        Assert.Equal(0, await factory.QueryScalarAsync<int>("SELECT COUNT(*) FROM consent_ledger WHERE phone_hash = @hash AND action = 'withdrawn'", new { hash }));
    }

    [Fact]
    public async Task Temporary_opt_out_is_announced_with_its_end_for_the_replicas()
    {
        var (org, _) = await factory.CreateOrganizationAsync();
        var hash = factory.HashOf("090-7100-0002");
        var until = JapanMidnight(30);

        await factory.PublishAsync(NotNow(hash, org, until, "responses", "sms"));

        await Eventually.AssertAsync(async () => (await AnnouncedAsync(hash)).Count == 1, Soon, "ContactSuppressed is in the outbox");
        var message = Assert.Single(await AnnouncedAsync(hash));
        Assert.Equal((until, "opted_out", "sms"), (message.Until, message.Reason, message.Channel));
    }

    [Fact]
    public async Task A_refusal_on_a_call_stays_for_good_even_when_it_names_a_date()
    {
        const string number = "090-7100-0003";
        var (org, client, hash) = await ConsentedAsync(number, "Refusal K.K.");

        await factory.PublishAsync(NotNow(hash, org, JapanMidnight(3), "call_refused", "call") with { Purpose = "seminar" });

        await Eventually.AssertAsync(async () => (await client.CheckAsync(new { phoneNumber = number, channel = "call", purpose = "seminar", at = NoonIn(1) })).Reasons().Contains("refused_on_call"),
            Soon, "the refusal is applied");
        Assert.Equal(["refused_on_call", "no_consent"], (await client.CheckAsync(new { phoneNumber = number, channel = "call", purpose = "seminar", at = NoonIn(40) })).Reasons());
        Assert.Null(await factory.QueryScalarAsync<long?>("SELECT until_at FROM suppressions WHERE contact_hash = @hash", new { hash }));
    }

    [Fact]
    public async Task Scrub_follows_the_same_end_date_as_the_check()
    {
        const string number = "090-7100-0004";
        var (org, client, hash) = await ConsentedAsync(number, "Scrub Pause K.K.");
        await factory.PublishAsync(NotNow(hash, org, JapanMidnight(10)));
        await Eventually.AssertAsync(async () => (await client.CheckAsync(new { phoneNumber = number, channel = "sms", purpose = "seminar", at = NoonIn(5) })).Reasons().Contains("opted_out_until"),
            Soon, "the pause is applied");

        Assert.Equal("deny,opted_out_until", await ScrubAsync(client, number, NoonIn(5)));
        Assert.Equal("allow,", await ScrubAsync(client, number, NoonIn(11)));
    }

    [Fact]
    public async Task Another_instance_loading_from_the_database_knows_the_end_date()
    {
        const string number = "090-7100-0005";
        var (org, client, hash) = await ConsentedAsync(number, "Restart K.K.");
        var until = JapanMidnight(10);
        await factory.PublishAsync(NotNow(hash, org, until, "responses", "sms"));
        await Eventually.AssertAsync(async () => (await client.CheckAsync(new { phoneNumber = number, channel = "sms", purpose = "seminar", at = NoonIn(5) })).Reasons().Contains("opted_out_until"),
            Soon, "the pause is applied");

        // A second host on the same data folder builds its index from the database alone.
        await using var restarted = factory.WithWebHostBuilder(_ => { });
        var key = await factory.Identity.CreateKeyAsync(org, ["consent"], "restarted");
        using var other = restarted.CreateClient();
        other.DefaultRequestHeaders.Authorization = new("Bearer", key.Key);

        var during = await other.CheckAsync(new { phoneNumber = number, channel = "sms", purpose = "seminar", at = NoonIn(5) });
        Assert.Equal(["opted_out_until"], during.Reasons());
        Assert.Equal(until, during.GetProperty("optedOutUntil").GetDateTimeOffset());
        Assert.Equal("allow", (await other.CheckAsync(new { phoneNumber = number, channel = "sms", purpose = "seminar", at = NoonIn(11) })).Decision());
    }

    private async Task<string> ScrubAsync(HttpClient client, string number, string at)
    {
        var response = await client.PostAsync($"/api/consent/scrubs?channel=sms&purpose=seminar&at={Uri.EscapeDataString(at)}",
            new StringContent($"phone\n{number}\n", Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var lines = (await client.GetStringAsync(response.Headers.Location + "/result")).ReplaceLineEndings("\n").Split('\n');
        return lines[1][(number.Length + 1)..];
    }

    private async Task<List<ContactSuppressed>> AnnouncedAsync(string hash) =>
        (await factory.QueryAsync<string>("SELECT body FROM outbox_messages WHERE message_type = @type", new { type = typeof(ContactSuppressed).FullName }))
            .Select(b => JsonSerializer.Deserialize<ContactSuppressed>(b, new JsonSerializerOptions(JsonSerializerDefaults.Web))!)
            .Where(m => m.ContactHash == hash)
            .ToList();
}

public sealed class TemporaryOptOutRulesTests
{
    private static readonly PhoneNumber Mobile = PhoneNumbers.Parse("090-1234-5678").Number;
    private static readonly DateTimeOffset Noon = new(2026, 3, 2, 3, 0, 0, TimeSpan.Zero);
    private static readonly long NoonMs = Noon.ToUnixTimeMilliseconds();

    private static SuppressionFact Pause(long until, string? org = "org_a") => new(Guid.NewGuid(), org, null, null, ReasonCodes.OptedOut, NoonMs - 1000, until);

    private static DenyReason Evaluate(params SuppressionFact[] suppressions) => EvaluateAt(Noon, suppressions);

    private static DenyReason EvaluateAt(DateTimeOffset at, params SuppressionFact[] suppressions) =>
        GateRules.Evaluate(new ContactFacts(suppressions, []), null, "org_a", "sms", "seminar", at, Mobile, ContactHours.Default) & ~DenyReason.NoConsent;

    [Fact]
    public void A_pause_and_a_permanent_opt_out_are_both_reported()
    {
        var permanent = new SuppressionFact(Guid.NewGuid(), "org_a", "sms", null, ReasonCodes.OptedOut, NoonMs - 1000);
        Assert.Equal(DenyReason.OptedOut | DenyReason.OptedOutUntil, Evaluate(permanent, Pause(NoonMs + 1)));
        Assert.Equal(["opted_out", "opted_out_until"], ReasonCodes.Of(DenyReason.OptedOut | DenyReason.OptedOutUntil));
    }

    [Fact]
    public void A_pause_that_has_ended_or_belongs_to_another_organization_does_not_apply()
    {
        Assert.Equal(DenyReason.None, Evaluate(Pause(NoonMs)));
        Assert.Equal(DenyReason.None, Evaluate(Pause(NoonMs + 86_400_000, org: "org_b")));
        Assert.Equal(DenyReason.OptedOutUntil, Evaluate(Pause(NoonMs + 1)));
    }

    [Fact]
    public void The_answer_names_the_latest_end_among_the_pauses_that_apply()
    {
        var facts = new ContactFacts([Pause(NoonMs + 5_000), Pause(NoonMs + 9_000), Pause(NoonMs + 20_000, org: "org_b"), Pause(NoonMs - 1)], []);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(NoonMs + 9_000), GateRules.OptedOutUntil(facts, null, "org_a", "sms", "seminar", Noon));
    }

    [Fact]
    public void An_erasure_or_a_refusal_never_ends_even_with_a_date()
    {
        var erased = new SuppressionFact(Guid.NewGuid(), null, null, null, ReasonCodes.Erased, NoonMs - 1000, NoonMs + 1);
        var refused = new SuppressionFact(Guid.NewGuid(), "org_a", null, null, ReasonCodes.RefusedOnCall, NoonMs - 1000, NoonMs + 1);
        Assert.Equal(DenyReason.Erased | DenyReason.RefusedOnCall, Evaluate(erased, refused));
        Assert.Equal(DenyReason.Erased | DenyReason.RefusedOnCall, EvaluateAt(Noon.AddDays(1), erased, refused));
    }
}
