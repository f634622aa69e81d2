using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Xml.Linq;
using ConsentPlatform.Contracts;
using ConsentPlatform.Notices.Calls;
using ConsentPlatform.Notices.Sending;
using ConsentPlatform.Notices.Webhooks;
using ConsentPlatform.ServiceDefaults.Organizations;
using ConsentPlatform.Testing;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace ConsentPlatform.Notices.Tests;

/// <summary>Notices wired to the fake Twilio, with one organization whose profile and calling number are known.</summary>
public sealed class InboundFixture : IAsyncLifetime
{
    public const string CallingNumber = "+81312345678";
    public const string PublicBase = "https://notices.example.com";
    public const string Company = "株式会社アクメ";
    public const string ContactPhone = "03-9876-5432";

    public FakeTwilio Twilio { get; private set; } = null!;
    public NoticesFactory Notices { get; private set; } = null!;
    public string Org { get; private set; } = "";
    public HttpClient Client { get; private set; } = null!;
    public MessageRecorder Recorder { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Twilio = await FakeTwilio.StartAsync();
        // The callback URL is not reachable from the fake here; delivery status is not what these tests are about.
        Twilio.SendCallbacks = false;
        Notices = new NoticesFactory(new Dictionary<string, string?>
        {
            ["Sms:Provider"] = "Twilio", ["Sms:Twilio:AccountSid"] = FakeTwilio.AccountSid, ["Sms:Twilio:AuthToken"] = FakeTwilio.AuthToken,
            ["Sms:Twilio:From"] = "+15005550006", ["Sms:Twilio:BaseUrl"] = Twilio.BaseAddress.ToString(), ["Notices:PublicBaseUrl"] = PublicBase,
            ["Sms:RatePerSecond"] = "100",
        });
        (Org, Client) = await Notices.CreateOrganizationAsync(Company);
        await Notices.PublishCallingNumberAsync(Org, CallingNumber);
        await Notices.Bus.Publish(new OrganizationProfileChanged
        {
            OrganizationId = Org, Revision = 1, LegalName = Company, ContactPhone = ContactPhone, ChangedAt = Notices.Clock.Now,
        });
        var database = Notices.Services.GetRequiredService<NoticesDatabase>();
        await Eventually.AssertAsync(async () => await OrganizationProfiles.FindAsync(database, Org, default) is not null,
            TimeSpan.FromSeconds(10), "the organization's profile reaches Notices");
        Recorder = await MessageRecorder.ConnectAsync(Notices.Bus);
    }

    public async Task DisposeAsync()
    {
        await Recorder.DisposeAsync();
        Client.Dispose();
        await Notices.DisposeAsync();
        await Twilio.DisposeAsync();
    }
}

/// <summary>R20: replies to a notice — STOP and its Japanese equivalents, START/UNSTOP, HELP — through the signed inbound webhook.</summary>
public sealed class InboundReplyTests(InboundFixture fixture) : IClassFixture<InboundFixture>
{
    private const string Topic = "新サービスのご案内";

    private NoticesFactory Notices => fixture.Notices;

    /// <summary>The recipient has consented, a call was planned and its pre-call SMS reached the phone.</summary>
    private async Task TextedAsync(string number)
    {
        await Notices.RecordSmsConsentAsync(fixture.Org, number);
        var notice = await PlanAsync(number);
        Assert.Null(notice.Reason);
        await Eventually.AssertAsync(() => fixture.Twilio.Accepted.Any(m => m.Body.Contains(notice.Link!)), TimeSpan.FromSeconds(15), "the pre-call SMS reaches the phone");
    }

    private async Task<NoticeView> PlanAsync(string number)
    {
        var response = await fixture.Client.PostAsJsonAsync("/api/notices/calls", new { phoneNumber = number, callerName = "山田", topic = Topic, callingNumber = InboundFixture.CallingNumber, purpose = "sales" });
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<CallView>(JsonSerializerOptions.Web))!.Notices[0];
    }

    /// <summary>Posts what Twilio posts for an incoming SMS, signed; returns the status and the TwiML &lt;Message&gt; (null when none).</summary>
    private async Task<(HttpStatusCode Status, string? Reply)> ReplyAsync(string from, string body, string? sid = null)
    {
        var form = new Dictionary<string, string>
        {
            ["MessageSid"] = sid ?? "SM" + Guid.NewGuid().ToString("N"), ["AccountSid"] = FakeTwilio.AccountSid, ["From"] = from, ["To"] = "+15005550006", ["Body"] = body,
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, TwilioSender.InboundPath) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Add("X-Twilio-Signature", TwilioSignature.Compute(FakeTwilio.AuthToken, InboundFixture.PublicBase + TwilioSender.InboundPath, form));
        using var client = Notices.CreateClient();
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.OK) return (response.StatusCode, null);
        Assert.Equal("application/xml", response.Content.Headers.ContentType?.MediaType);
        return (response.StatusCode, XDocument.Parse(text).Root!.Element("Message")?.Value);
    }

    /// <summary>What Notices committed to publish for this contact, read from its outbox (written with the reply's own transaction).</summary>
    private async Task<long> OutboxCountAsync(string messageType, string number)
    {
        await using var connection = await Notices.Services.GetRequiredService<NoticesDatabase>().OpenAsync();
        return await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM outbox_messages WHERE instr(message_type, @messageType) > 0 AND instr(body, @hash) > 0",
            new { messageType, hash = Notices.HashOf(number) });
    }

    [Theory]
    [InlineData("STOP", "+819011110001")]
    [InlineData("stopall", "+819011110002")]
    [InlineData("  Unsubscribe ", "+819011110003")]
    [InlineData("END.", "+819011110004")]
    [InlineData("quit!", "+819011110005")]
    [InlineData("Cancel", "+819011110006")]
    [InlineData("REVOKE", "+819011110007")]
    [InlineData("OptOut", "+819011110008")]
    [InlineData("ＳＴＯＰ", "+819011110009")]
    [InlineData("停止", "+819011110010")]
    [InlineData("配信停止", "+819011110011")]
    [InlineData("不要", "+819011110012")]
    [InlineData("もう連絡しないで", "+819011110013")]
    public async Task A_stop_reply_opts_out_at_once_asks_consent_to_suppress_and_confirms_plainly(string reply, string number)
    {
        await TextedAsync(number);

        var (status, confirmation) = await ReplyAsync(number, reply);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.NotNull(confirmation);
        Assert.Contains(InboundFixture.Company, confirmation);
        // A confirmation, not a message: no link, no topic, nothing to sell.
        Assert.DoesNotContain("http", confirmation);
        Assert.DoesNotContain(Topic, confirmation);
        var optOut = await fixture.Recorder.WaitForAsync<OptOutRequested>(m => m.ContactHash == Notices.HashOf(number), "the opt-out is published for Consent");
        Assert.Equal((fixture.Org, "sms_reply"), (optOut.OrganizationId, optOut.Source));
        Assert.Equal([Channels.Sms], optOut.Channels);
        var next = await PlanAsync(number);
        Assert.Equal(("refused", "opted_out"), (next.Status, next.Reason));
    }

    [Fact]
    public async Task Erasing_a_contact_removes_the_replies_it_sent()
    {
        const string number = "+819011110501";
        await TextedAsync(number);
        await ReplyAsync(number, "STOP");
        var hash = Notices.HashOf(number);
        var database = Notices.Services.GetRequiredService<NoticesDatabase>();
        async Task<long> RepliesAsync()
        {
            await using var connection = await database.OpenAsync();
            return await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM inbound_replies WHERE contact_hash = @hash", new { hash });
        }
        Assert.Equal(1, await RepliesAsync());

        await Notices.Bus.Publish(new ErasureRequested { RequestId = Guid.NewGuid(), ContactHash = hash, RequestedAt = Notices.Clock.Now });

        await Eventually.AssertAsync(async () => await RepliesAsync() == 0, TimeSpan.FromSeconds(10), "the erased contact's replies are deleted");
    }

    [Fact]
    public async Task A_second_stop_gets_no_second_confirmation_and_a_redelivered_webhook_changes_nothing()
    {
        const string number = "+819011110101";
        await TextedAsync(number);
        var sid = "SM" + Guid.NewGuid().ToString("N");

        var first = await ReplyAsync(number, "STOP", sid);
        var redelivered = await ReplyAsync(number, "STOP", sid);
        var second = await ReplyAsync(number, "停止");

        Assert.NotNull(first.Reply);
        Assert.Equal((HttpStatusCode.OK, (string?)null), redelivered);
        Assert.Equal((HttpStatusCode.OK, (string?)null), second);
        // One opt-out per reply, none for Twilio's retry of the same reply.
        Assert.Equal(2, await OutboxCountAsync(nameof(OptOutRequested), number));
        // Confirmations travel in the webhook's answer, never as another SMS through the API.
        Assert.Single(fixture.Twilio.Accepted, m => m.To == number);
    }

    [Theory]
    [InlineData("START", "+819011110201")]
    [InlineData("unstop", "+819011110202")]
    public async Task Start_after_stop_opts_back_in(string reply, string number)
    {
        await TextedAsync(number);
        Assert.NotNull((await ReplyAsync(number, "STOP")).Reply);
        Assert.Equal("opted_out", (await PlanAsync(number)).Reason);

        var (status, answer) = await ReplyAsync(number, reply);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("STOP", answer);
        var optIn = await fixture.Recorder.WaitForAsync<OptInRequested>(m => m.ContactHash == Notices.HashOf(number), "the opt-in is published for Consent");
        Assert.Equal((fixture.Org, "sms_reply"), (optIn.OrganizationId, optIn.Source));
        Assert.Equal([Channels.Sms], optIn.Channels);
        Assert.Null((await PlanAsync(number)).Reason);
    }

    [Fact]
    public async Task Help_answers_with_the_contact_point_and_changes_nothing()
    {
        const string number = "+819011110301";
        await TextedAsync(number);

        var (status, answer) = await ReplyAsync(number, " help ");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains(InboundFixture.Company, answer);
        Assert.Contains(InboundFixture.ContactPhone, answer);
        Assert.Contains("STOP", answer);
        Assert.Equal(0, await OutboxCountAsync(nameof(OptOutRequested), number));
        Assert.Equal(0, await OutboxCountAsync(nameof(OptInRequested), number));
        Assert.Null((await PlanAsync(number)).Reason);
    }

    [Fact]
    public async Task A_reply_that_is_not_a_keyword_changes_nothing_and_gets_no_answer()
    {
        const string number = "+819011110401";
        await TextedAsync(number);

        var (status, answer) = await ReplyAsync(number, "明日の午後なら大丈夫です");

        Assert.Equal((HttpStatusCode.OK, (string?)null), (status, answer));
        Assert.Equal(0, await OutboxCountAsync(nameof(OptOutRequested), number));
        Assert.Null((await PlanAsync(number)).Reason);
    }
}
