using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ConsentPlatform.Responses.Crm;
using ConsentPlatform.Testing;

namespace ConsentPlatform.Responses.Tests;

public sealed class CrmDeliveryTests : IAsyncLifetime
{
    private readonly ResponsesFactory _factory = new(new()
    {
        // The fake CRM listens on loopback over http, which only an allow-listed host may be.
        ["Responses:Crm:AllowedHosts"] = "127.0.0.1",
        ["Responses:Crm:FirstRetrySeconds"] = "0.2",
        ["Responses:Crm:MaxBackoffSeconds"] = "0.5",
        ["Responses:Crm:BreakSeconds"] = "0.5",
        ["Responses:Crm:TimeoutSeconds"] = "1",
        ["Responses:Crm:MaxAttempts"] = "3",
    });
    private FakeCrm _crm = default!;

    public async Task InitializeAsync() => _crm = await FakeCrm.StartAsync();

    private async Task<(string Org, HttpClient Api, string ConnectorId)> WithWebhookAsync()
    {
        var (org, api) = await _factory.CreateOrganizationAsync();
        var created = await api.PostAsJsonAsync("/api/responses/connectors", new { kind = "webhook", name = "Fake CRM", url = _crm.Url });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        _crm.Secret = body.GetProperty("signingSecret").GetString()!;
        return (org, api, body.GetProperty("connector").GetProperty("connectorId").GetString()!);
    }

    private async Task<IReadOnlyList<JsonElement>> DeliveriesAsync(HttpClient api, string? status = null) =>
        await api.GetFromJsonAsync<List<JsonElement>>("/api/responses/deliveries" + (status is null ? "" : $"?status={status}")) ?? [];

    [Fact]
    public async Task Webhook_receives_every_response_signed_and_labelled_with_its_delivery_id()
    {
        var (org, api, _) = await WithWebhookAsync();
        var link = await _factory.IssueLinkAsync(org);

        await ResponsesFactory.SubmitAsync(_factory.CreateBrowser(), link.Code, ("preferredContact", "email_only"), ("email", "taro@example.jp"), ("comments", "hello"));

        await Eventually.AssertAsync(() => _crm.Accepted.Count == 1, TimeSpan.FromSeconds(10), "the webhook to receive the response");
        var received = Assert.Single(_crm.Accepted);
        Assert.Equal(link.ContactHash, received.ContactHash);
        Assert.Equal("email_only", received.PreferredContact);
        Assert.Equal(0, _crm.BadSignatures);
        await Eventually.AssertAsync(async () => (await DeliveriesAsync(api, "delivered")).Count == 1, TimeSpan.FromSeconds(5), "the log to show it delivered");
        Assert.Equal(received.DeliveryId, (await DeliveriesAsync(api, "delivered"))[0].GetProperty("deliveryId").GetString());
    }

    [Fact]
    public async Task Webhook_that_is_down_gets_the_response_once_it_recovers()
    {
        var (org, api, _) = await WithWebhookAsync();
        var link = await _factory.IssueLinkAsync(org);
        _crm.Mode = CrmMode.Down;

        await ResponsesFactory.SubmitAsync(_factory.CreateBrowser(), link.Code, ("preferredContact", "no_further_contact"));
        await Eventually.AssertAsync(() => _crm.Refused >= 2, TimeSpan.FromSeconds(10), "the sender to retry while the CRM is down");
        Assert.Empty(_crm.Accepted);
        // Redeliver in case the short test budget already dead-lettered it; a pending one is put back in line too.
        _crm.Mode = CrmMode.Up;
        foreach (var d in await DeliveriesAsync(api)) await api.PostAsync($"/api/responses/deliveries/{d.GetProperty("deliveryId").GetString()}/redeliver", null);

        await Eventually.AssertAsync(() => _crm.Accepted.Count == 1, TimeSpan.FromSeconds(10), "the response to arrive after recovery");
        Assert.Equal(0, _crm.Duplicates);
    }

    [Fact]
    public async Task Delivery_that_keeps_failing_becomes_a_dead_letter_and_is_redelivered_through_the_api()
    {
        var (org, api, _) = await WithWebhookAsync();
        var link = await _factory.IssueLinkAsync(org);
        _crm.Mode = CrmMode.Down;

        await ResponsesFactory.SubmitAsync(_factory.CreateBrowser(), link.Code, ("preferredContact", "phone_ok"));
        await Eventually.AssertAsync(async () => (await DeliveriesAsync(api, "dead")).Count == 1, TimeSpan.FromSeconds(20), "a dead letter after 3 attempts");
        var dead = (await DeliveriesAsync(api, "dead"))[0];
        Assert.Equal(3, dead.GetProperty("attempts").GetInt32());
        Assert.Contains("503", dead.GetProperty("lastError").GetString());
        var attemptsWhenDead = _crm.Attempts;
        await Task.Delay(1500);
        Assert.Equal(attemptsWhenDead, _crm.Attempts);

        _crm.Mode = CrmMode.Up;
        var redeliver = await api.PostAsync($"/api/responses/deliveries/{dead.GetProperty("deliveryId").GetString()}/redeliver", null);

        Assert.Equal(HttpStatusCode.Accepted, redeliver.StatusCode);
        await Eventually.AssertAsync(() => _crm.Accepted.Count == 1, TimeSpan.FromSeconds(10), "the redelivered response to arrive");
        Assert.Equal(HttpStatusCode.NotFound, (await api.PostAsync("/api/responses/deliveries/nope/redeliver", null)).StatusCode);
    }

    [Fact]
    public async Task Later_response_of_a_contact_is_held_back_until_the_earlier_one_is_delivered()
    {
        var (org, api, _) = await WithWebhookAsync();
        var link = await _factory.IssueLinkAsync(org);
        var other = await _factory.IssueLinkAsync(org, phone: "080-9876-5432");
        _crm.Mode = CrmMode.Down;
        var browser = _factory.CreateBrowser();

        await ResponsesFactory.SubmitAsync(browser, link.Code, ("preferredContact", "phone_ok"), ("comments", "first"));
        await Eventually.AssertAsync(async () => (await DeliveriesAsync(api, "dead")).Count == 1, TimeSpan.FromSeconds(20), "the first to become a dead letter");
        _crm.Mode = CrmMode.Up;
        await ResponsesFactory.SubmitAsync(browser, link.Code, ("preferredContact", "no_further_contact"), ("comments", "second"));
        await ResponsesFactory.SubmitAsync(browser, other.Code, ("preferredContact", "phone_ok"), ("comments", "other contact"));

        // The other contact is not held up; this contact's second answer is.
        await Eventually.AssertAsync(() => _crm.Accepted.Any(r => r.Comments == "other contact"), TimeSpan.FromSeconds(10), "the other contact's response");
        await Task.Delay(1000);
        Assert.DoesNotContain(_crm.Accepted, r => r.Comments == "second");

        var dead = (await DeliveriesAsync(api, "dead"))[0];
        await api.PostAsync($"/api/responses/deliveries/{dead.GetProperty("deliveryId").GetString()}/redeliver", null);
        await Eventually.AssertAsync(() => _crm.Accepted.Count == 3, TimeSpan.FromSeconds(10), "both of the contact's responses");
        Assert.Equal(["first", "second"], _crm.Accepted.Where(r => r.ContactHash == link.ContactHash).Select(r => r.Comments));
    }

    [Fact]
    public async Task Stalled_webhook_times_out_and_the_response_is_retried()
    {
        var (org, _, _) = await WithWebhookAsync();
        var link = await _factory.IssueLinkAsync(org);
        _crm.Mode = CrmMode.Stall;

        await ResponsesFactory.SubmitAsync(_factory.CreateBrowser(), link.Code, ("preferredContact", "phone_ok"));
        await Eventually.AssertAsync(() => _crm.Attempts >= 1, TimeSpan.FromSeconds(10), "a first, stalled attempt");
        _crm.Mode = CrmMode.Up;

        await Eventually.AssertAsync(() => _crm.Accepted.Count == 1, TimeSpan.FromSeconds(15), "the retry after the timeout to get through");
        Assert.True(_crm.Attempts >= 2);
    }

    [Fact]
    public async Task Signature_check_refuses_a_tampered_body_a_wrong_secret_and_a_replayed_timestamp()
    {
        var body = Encoding.UTF8.GetBytes("{\"event\":\"response.recorded\"}");
        var now = DateTimeOffset.UtcNow;
        var header = WebhookSignature.Sign("s3cret-s3cret-s3cret", now.ToUnixTimeSeconds(), body);

        Assert.True(WebhookSignature.Verify("s3cret-s3cret-s3cret", header, body, now, WebhookSignature.ReplayWindow));
        Assert.False(WebhookSignature.Verify("s3cret-s3cret-s3cret", header, Encoding.UTF8.GetBytes("{\"event\":\"other\"}"), now, WebhookSignature.ReplayWindow));
        Assert.False(WebhookSignature.Verify("another-secret-xyz", header, body, now, WebhookSignature.ReplayWindow));
        Assert.False(WebhookSignature.Verify("s3cret-s3cret-s3cret", header, body, now.AddMinutes(6), WebhookSignature.ReplayWindow));
        Assert.False(WebhookSignature.Verify("s3cret-s3cret-s3cret", null, body, now, WebhookSignature.ReplayWindow));
    }

    [Fact]
    public async Task Salesforce_connector_upserts_the_lead_by_external_id_and_logs_a_task()
    {
        await using var salesforce = await FakeSalesforce.StartAsync();
        var (org, api) = await _factory.CreateOrganizationAsync();
        var created = await api.PostAsJsonAsync("/api/responses/connectors", new
        {
            kind = "salesforce", name = "Salesforce", url = salesforce.Url, clientId = FakeSalesforce.ClientId,
            secret = FakeSalesforce.ClientSecret, externalIdField = "ConsentPlatform_Id__c",
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var link = await _factory.IssueLinkAsync(org);
        var browser = _factory.CreateBrowser();

        await ResponsesFactory.SubmitAsync(browser, link.Code, ("preferredContact", "email_only"), ("email", "taro@example.jp"), ("comments", "email please"));
        await Eventually.AssertAsync(() => salesforce.Tasks.Count == 1, TimeSpan.FromSeconds(10), "a task for the first response");
        salesforce.ExpireToken();
        await ResponsesFactory.SubmitAsync(browser, link.Code, ("preferredContact", "no_further_contact"));
        await Eventually.AssertAsync(() => salesforce.Tasks.Count == 2, TimeSpan.FromSeconds(10), "a task for the second response, after a fresh token");

        var lead = Assert.Single(salesforce.Leads);
        Assert.Equal($"ConsentPlatform_Id__c/{link.ContactHash}", lead.Key);
        Assert.Equal("taro@example.jp", lead.Value["Email"].GetString());
        Assert.True(lead.Value["DoNotCall"].GetBoolean());
        Assert.True(lead.Value["HasOptedOutOfEmail"].GetBoolean());
        Assert.Equal(link.MaskedNumber, lead.Value["LastName"].GetString());
        Assert.All(salesforce.Tasks, t => Assert.Equal(lead.Value["Id"].GetString(), t["WhoId"].GetString()));
        Assert.Contains("email please", salesforce.Tasks.First()["Description"].GetString());
        Assert.Equal(2, salesforce.TokensIssued);
    }

    [Fact]
    public async Task Pull_feed_lists_responses_after_the_cursor_oldest_first()
    {
        var (org, api) = await _factory.CreateOrganizationAsync();
        var link = await _factory.IssueLinkAsync(org);
        var browser = _factory.CreateBrowser();
        foreach (var comment in new[] { "one", "two", "three" })
            await ResponsesFactory.SubmitAsync(browser, link.Code, ("preferredContact", "phone_ok"), ("comments", comment));

        var first = await api.GetFromJsonAsync<JsonElement>("/api/responses/feed?after=0&take=2");
        var cursor = first.GetProperty("cursor").GetInt64();
        var second = await api.GetFromJsonAsync<JsonElement>($"/api/responses/feed?after={cursor}&take=2");

        Assert.Equal(["one", "two"], first.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("comments").GetString()));
        Assert.True(first.GetProperty("more").GetBoolean());
        Assert.Equal(["three"], second.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("comments").GetString()));
        Assert.False(second.GetProperty("more").GetBoolean());
        var (_, stranger) = await _factory.CreateOrganizationAsync("Other K.K.");
        Assert.Empty((await stranger.GetFromJsonAsync<JsonElement>("/api/responses/feed?after=0")).GetProperty("items").EnumerateArray());
    }

    [Theory]
    [InlineData("ftp", "http://crm.example/hook", "kind")]
    [InlineData("webhook", "http://crm.example/hook", "url")]
    [InlineData("webhook", "not a url", "url")]
    [InlineData("salesforce", "https://acme.my.salesforce.com", "clientId")]
    public async Task Connector_with_bad_settings_is_refused_naming_the_field(string kind, string url, string field)
    {
        var (_, api) = await _factory.CreateOrganizationAsync();

        var response = await api.PostAsJsonAsync("/api/responses/connectors", new { kind, name = "x", url });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty(field, out _));
        Assert.Empty(await api.GetFromJsonAsync<List<JsonElement>>("/api/responses/connectors") ?? []);
    }

    public async Task DisposeAsync()
    {
        await _crm.DisposeAsync();
        _factory.Dispose();
    }
}
