using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ConsentPlatform.Contracts;
using Microsoft.AspNetCore.Mvc.Testing;
using static ConsentPlatform.Consent.Tests.FormHelpers;

namespace ConsentPlatform.Consent.Tests;

public sealed class ErasureTests(ConsentFactory factory) : IClassFixture<ConsentFactory>
{
    /// <summary>The one-time code as Notices would receive it: from our outbox (Notices sends it by SMS).</summary>
    private async Task<string> CodeSentToAsync(string e164) => (await factory.Codes.SentAsync(m => m.PhoneNumber == e164)).Code;

    private async Task<JsonElement> OpenAsync(HttpClient anonymous, string number, string kind)
    {
        var response = await anonymous.PostAsJsonAsync("/api/public/consent/requests", new { phoneNumber = number, kind });
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, json.ToString());
        return json;
    }

    [Fact]
    public async Task After_a_verified_erasure_the_contact_export_shows_only_the_suppression_entry_and_the_check_still_denies()
    {
        var (_, client) = await factory.CreateOrganizationAsync();
        var formId = (await client.CreateEventAsync()).GetProperty("id").GetString()!;
        using var browser = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        await browser.SubmitFormAsync(formId, [Field("channels", "call"), Field("channels", "email"), Field("phone", "090-6060-0001"), Field("email", "erase.me@example.jp")]);
        var at = new DateTimeOffset(DateTime.SpecifyKind(DateTime.UtcNow.Date.AddDays(1).AddHours(12), DateTimeKind.Unspecified), TimeSpan.FromHours(9)).ToString("O");
        Assert.Equal("allow", (await client.CheckAsync(new { phoneNumber = "090-6060-0001", channel = "call", purpose = "seminar", at })).Decision());

        var request = await OpenAsync(browser, "090-6060-0001", "erasure");
        var id = request.GetProperty("requestId").GetString();
        Assert.Equal("pending_verification", request.GetProperty("status").GetString());
        // Pending: nothing has been erased yet.
        Assert.Equal(2, (await client.GetFromJsonAsync<JsonElement>("/api/consent/contacts?phoneNumber=090-6060-0001")).GetProperty("ledger").GetArrayLength());

        var verified = await browser.PostAsJsonAsync($"/api/public/consent/requests/{id}/verify", new { code = await CodeSentToAsync("+819060600001") });
        Assert.Equal(HttpStatusCode.OK, verified.StatusCode);
        Assert.Equal("completed", (await verified.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());

        var export = await client.GetFromJsonAsync<JsonElement>("/api/consent/contacts?phoneNumber=090-6060-0001");
        Assert.Equal(0, export.GetProperty("ledger").GetArrayLength());
        var entry = Assert.Single(export.GetProperty("suppressions").EnumerateArray());
        Assert.Equal("erased", entry.GetProperty("reason").GetString());
        Assert.Equal(JsonValueKind.Null, entry.GetProperty("organizationId").ValueKind);
        Assert.Equal(0, (await client.GetFromJsonAsync<JsonElement>("/api/consent/contacts?email=erase.me@example.jp")).GetProperty("ledger").GetArrayLength());
        var check = await client.CheckAsync(new { phoneNumber = "090-6060-0001", channel = "call", purpose = "seminar", at });
        Assert.Equal("deny", check.Decision());
        Assert.Contains("erased", check.Reasons());
        Assert.Empty((await client.GetFromJsonAsync<JsonElement[]>($"/api/consent/events/{formId}/submissions"))!);
        Assert.Equal(0, await factory.QueryScalarAsync<int>("SELECT COUNT(*) FROM consent_ledger WHERE contact = '+819060600001' OR contact = 'erase.me@example.jp'"));
        Assert.Equal(0, await factory.QueryScalarAsync<int>("SELECT COUNT(*) FROM data_subject_requests WHERE contact IS NOT NULL AND id = @id", new { id }));
        Assert.Equal(1, await factory.QueryScalarAsync<int>("SELECT COUNT(*) FROM outbox_messages WHERE message_type = @type AND body LIKE @hash",
            new { type = typeof(ErasureRequested).FullName, hash = $"%{factory.HashOf("090-6060-0001")}%" }));
    }

    [Fact]
    public async Task Request_waits_as_pending_verification_and_a_wrong_code_changes_nothing()
    {
        var (org, client) = await factory.CreateOrganizationAsync();
        var formId = (await client.CreateEventAsync()).GetProperty("id").GetString()!;
        using var browser = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        await browser.SubmitFormAsync(formId, [Field("channels", "sms"), Field("phone", "090-6060-0002")]);
        var id = (await OpenAsync(browser, "090-6060-0002", "erasure")).GetProperty("requestId").GetString();
        var code = await CodeSentToAsync("+819060600002");

        var wrong = await browser.PostAsJsonAsync($"/api/public/consent/requests/{id}/verify", new { code = code == "000000" ? "111111" : "000000" });

        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.True((await wrong.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("code", out _));
        Assert.Equal("pending_verification", (await browser.GetFromJsonAsync<JsonElement>($"/api/public/consent/requests/{id}")).GetProperty("status").GetString());
        Assert.Equal(1, (await client.GetFromJsonAsync<JsonElement>("/api/consent/contacts?phoneNumber=090-6060-0002")).GetProperty("ledger").GetArrayLength());
        _ = org;
    }

    [Fact]
    public async Task Verified_stop_use_withdraws_every_consent_and_suppresses_every_channel()
    {
        var (_, client) = await factory.CreateOrganizationAsync();
        var formId = (await client.CreateEventAsync()).GetProperty("id").GetString()!;
        using var browser = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        await browser.SubmitFormAsync(formId, [Field("channels", "sms"), Field("phone", "090-6060-0003")]);
        var id = (await OpenAsync(browser, "090-6060-0003", "stop_use")).GetProperty("requestId").GetString();

        var verified = await browser.PostAsJsonAsync($"/api/public/consent/requests/{id}/verify", new { code = await CodeSentToAsync("+819060600003") });

        Assert.Equal(HttpStatusCode.OK, verified.StatusCode);
        var check = await client.CheckAsync(new { phoneNumber = "090-6060-0003", channel = "sms", purpose = "seminar" });
        Assert.Contains("opted_out", check.Reasons());
        Assert.Contains("no_consent", check.Reasons());
        var export = await client.GetFromJsonAsync<JsonElement>("/api/consent/contacts?phoneNumber=090-6060-0003");
        Assert.Equal(["granted", "withdrawn"], export.GetProperty("ledger").EnumerateArray().Select(r => r.GetProperty("action").GetString()));
    }

    [Theory]
    [InlineData("""{"phoneNumber":"090-1234","kind":"erasure"}""", "phoneNumber")]
    [InlineData("""{"phoneNumber":"03-1234-5678","kind":"erasure"}""", "phoneNumber")]
    [InlineData("""{"phoneNumber":"090-1234-5678","kind":"delete_everything"}""", "kind")]
    public async Task Bad_request_is_refused_naming_the_field_and_no_code_is_sent(string body, string field)
    {
        using var anonymous = factory.CreateClient();
        var before = await factory.OutboxWritesAsync();
        var response = await anonymous.PostAsync("/api/public/consent/requests", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty(field, out _));
        Assert.Equal(before, await factory.OutboxWritesAsync());
    }
}
