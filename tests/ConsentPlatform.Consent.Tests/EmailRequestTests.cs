using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ConsentPlatform.Contracts;
using Microsoft.AspNetCore.Mvc.Testing;
using static ConsentPlatform.Consent.Tests.FormHelpers;

namespace ConsentPlatform.Consent.Tests;

/// <summary>Data-subject requests by email (R31-R32): the code goes to the address, the ledger is matched by the email's keyed hash.</summary>
public sealed class EmailRequestTests(ConsentFactory factory) : IClassFixture<ConsentFactory>
{
    private Task<SendVerificationCode> CommandSentToAsync(string email) => factory.Codes.SentAsync(m => m.Email == email);

    private async Task<string> OpenAsync(HttpClient anonymous, string email, string kind)
    {
        var response = await anonymous.PostAsJsonAsync("/api/public/consent/requests", new { email, kind });
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, json.ToString());
        Assert.Equal("pending_verification", json.GetProperty("status").GetString());
        return json.GetProperty("requestId").GetString()!;
    }

    private static string TomorrowNoonTokyo() =>
        new DateTimeOffset(DateTime.SpecifyKind(DateTime.UtcNow.Date.AddDays(1).AddHours(12), DateTimeKind.Unspecified), TimeSpan.FromHours(9)).ToString("O");

    private Task<int> ErasureRequestsForAsync(string hash) =>
        factory.QueryScalarAsync<int>("SELECT COUNT(*) FROM outbox_messages WHERE message_type = @type AND body LIKE @hash",
            new { type = typeof(ErasureRequested).FullName, hash = $"%{hash}%" });

    [Fact]
    public async Task A_verified_erasure_by_email_removes_that_email_and_its_number_keeping_only_erased_suppression_entries()
    {
        var (_, client) = await factory.CreateOrganizationAsync();
        var formId = (await client.CreateEventAsync()).GetProperty("id").GetString()!;
        using var browser = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        await browser.SubmitFormAsync(formId, [Field("channels", "call"), Field("channels", "email"), Field("phone", "090-6161-0001"), Field("email", "hanako@example.jp")]);
        var at = TomorrowNoonTokyo();
        Assert.Equal("allow", (await client.CheckAsync(new { phoneNumber = "090-6161-0001", channel = "call", purpose = "seminar", at })).Decision());

        var id = await OpenAsync(browser, "Hanako@Example.JP", "erasure");
        // The code goes to the address, never to a number, and nothing is erased until it is entered.
        var command = await CommandSentToAsync("hanako@example.jp");
        Assert.Null(command.PhoneNumber);
        Assert.Equal("dsr", command.Purpose);
        var wrong = await browser.PostAsJsonAsync($"/api/public/consent/requests/{id}/verify", new { code = command.Code == "000000" ? "111111" : "000000" });
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.Equal(2, (await client.GetFromJsonAsync<JsonElement>("/api/consent/contacts?email=hanako@example.jp")).GetProperty("ledger").GetArrayLength());

        var verified = await browser.PostAsJsonAsync($"/api/public/consent/requests/{id}/verify", new { code = command.Code });

        Assert.Equal(HttpStatusCode.OK, verified.StatusCode);
        Assert.Equal("completed", (await verified.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        var byEmail = await client.GetFromJsonAsync<JsonElement>("/api/consent/contacts?email=hanako@example.jp");
        Assert.Equal(0, byEmail.GetProperty("ledger").GetArrayLength());
        Assert.Equal("erased", Assert.Single(byEmail.GetProperty("suppressions").EnumerateArray()).GetProperty("reason").GetString());
        var byPhone = await client.GetFromJsonAsync<JsonElement>("/api/consent/contacts?phoneNumber=090-6161-0001");
        Assert.Equal(0, byPhone.GetProperty("ledger").GetArrayLength());
        Assert.Equal("erased", Assert.Single(byPhone.GetProperty("suppressions").EnumerateArray()).GetProperty("reason").GetString());
        var check = await client.CheckAsync(new { phoneNumber = "090-6161-0001", channel = "call", purpose = "seminar", at });
        Assert.Equal("deny", check.Decision());
        Assert.Contains("erased", check.Reasons());
        Assert.Equal(0, await factory.QueryScalarAsync<int>("SELECT COUNT(*) FROM consent_ledger WHERE contact = '+819061610001' OR contact = 'hanako@example.jp'"));
        Assert.Equal(0, await factory.QueryScalarAsync<int>("SELECT COUNT(*) FROM data_subject_requests WHERE contact IS NOT NULL AND id = @id", new { id }));
        // Every service is asked to erase both: the others match numbers and emails only by keyed hash.
        Assert.Equal(1, await ErasureRequestsForAsync(factory.Hasher.HashEmail("hanako@example.jp")));
        Assert.Equal(1, await ErasureRequestsForAsync(factory.HashOf("090-6161-0001")));
    }

    [Fact]
    public async Task A_verified_stop_use_by_email_withdraws_every_consent_of_that_email_and_suppresses_its_number()
    {
        var (_, client) = await factory.CreateOrganizationAsync();
        var formId = (await client.CreateEventAsync()).GetProperty("id").GetString()!;
        using var browser = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        await browser.SubmitFormAsync(formId, [Field("channels", "sms"), Field("channels", "email"), Field("phone", "090-6161-0002"), Field("email", "taro@example.jp")]);
        var id = await OpenAsync(browser, "taro@example.jp", "stop_use");

        var verified = await browser.PostAsJsonAsync($"/api/public/consent/requests/{id}/verify", new { code = (await CommandSentToAsync("taro@example.jp")).Code });

        Assert.Equal(HttpStatusCode.OK, verified.StatusCode);
        var sms = await client.CheckAsync(new { phoneNumber = "090-6161-0002", channel = "sms", purpose = "seminar", at = TomorrowNoonTokyo() });
        Assert.Equal("deny", sms.Decision());
        Assert.Contains("opted_out", sms.Reasons());
        Assert.Contains("no_consent", sms.Reasons());
        var email = await client.CheckAsync(new { email = "taro@example.jp", channel = "email", purpose = "seminar" });
        Assert.Equal("deny", email.Decision());
        var export = await client.GetFromJsonAsync<JsonElement>("/api/consent/contacts?email=taro@example.jp");
        Assert.Equal(["granted", "granted", "withdrawn", "withdrawn"], export.GetProperty("ledger").EnumerateArray().Select(r => r.GetProperty("action").GetString()).Order());
        Assert.All(export.GetProperty("suppressions").EnumerateArray(), s => Assert.Equal("opted_out", s.GetProperty("reason").GetString()));
        Assert.Equal(0, await ErasureRequestsForAsync(factory.Hasher.HashEmail("taro@example.jp")));
    }

    [Theory]
    [InlineData("""{"email":"not-an-address","kind":"erasure"}""", new[] { "email" })]
    [InlineData("""{"email":"a@example.jp","phoneNumber":"090-1234-5678","kind":"stop_use"}""", new[] { "email", "phoneNumber" })]
    [InlineData("""{"kind":"erasure"}""", new[] { "email", "phoneNumber" })]
    [InlineData("""{"email":"  ","phoneNumber":"","kind":"erasure"}""", new[] { "email", "phoneNumber" })]
    public async Task A_bad_email_or_both_or_neither_contact_is_refused_naming_the_fields_and_no_code_is_sent(string body, string[] fields)
    {
        using var anonymous = factory.CreateClient();
        var before = await factory.OutboxWritesAsync();
        var requests = await factory.QueryScalarAsync<int>("SELECT COUNT(*) FROM data_subject_requests");

        var response = await anonymous.PostAsync("/api/public/consent/requests", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Equal(fields.Order(), errors.EnumerateObject().Select(e => e.Name).Order());
        Assert.Equal(before, await factory.OutboxWritesAsync());
        Assert.Equal(requests, await factory.QueryScalarAsync<int>("SELECT COUNT(*) FROM data_subject_requests"));
    }
}
