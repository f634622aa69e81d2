using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using ConsentPlatform.Consent;
using ConsentPlatform.Directory;
using ConsentPlatform.Notices;
using ConsentPlatform.Responses;
using ConsentPlatform.ServiceDefaults.Data;
using ConsentPlatform.Testing;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace ConsentPlatform.Host.Tests;

/// <summary>
/// Anyone may ask the platform to text a one-time code to a number (data-subject requests, the
/// generic opt-out, a directory entry's opt-out). However many requests arrive, from however many
/// clients, one number gets at most RateLimiting:CodesPerRecipientPerHour (3 by default) codes an
/// hour from each; the requests beyond that get 429 with Retry-After and send nothing.
/// </summary>
public sealed partial class RecipientLimitTests(HostFactory host, ITestOutputHelper output) : IClassFixture<HostFactory>
{
    private const int PerHour = 3;
    private const int Attempts = 10;

    [Fact]
    public async Task Ten_anonymous_data_subject_requests_for_one_number_send_at_most_three_sms()
    {
        using var anonymous = host.CreateClient();
        var statuses = new List<HttpResponseMessage>();
        for (var i = 0; i < Attempts; i++)
            statuses.Add(await anonymous.PostAsJsonAsync("/api/public/consent/requests", new { phoneNumber = "090-7100-0001", kind = i % 2 == 0 ? "erasure" : "stop_use" }));

        await AssertLimitedAsync(statuses, HttpStatusCode.Accepted, "phoneNumber", () => SmsToAsync("+819071000001"), "SMS to +819071000001");
    }

    [Fact]
    public async Task Ten_anonymous_data_subject_requests_for_one_email_send_at_most_three_emails()
    {
        using var anonymous = host.CreateClient();
        var statuses = new List<HttpResponseMessage>();
        for (var i = 0; i < Attempts; i++)
            statuses.Add(await anonymous.PostAsJsonAsync("/api/public/consent/requests", new { email = i % 2 == 0 ? "limit.me@example.jp" : "Limit.Me@Example.JP", kind = "erasure" }));

        await AssertLimitedAsync(statuses, HttpStatusCode.Accepted, "email", EmailsAsync, "emails to limit.me@example.jp");

        Task<int> EmailsAsync() => host.QueryAsync<NoticesDatabase, int>("SELECT COUNT(*) FROM dev_emails WHERE contact_hash = @hash",
            new { hash = host.Services.GetRequiredService<Telephony.PhoneNumberHasher>().HashEmail("limit.me@example.jp") });
    }

    [Fact]
    public async Task Ten_generic_opt_out_requests_for_one_number_send_at_most_three_sms()
    {
        using var browser = host.CreateClient();
        // Without a user agent the page is the link-preview placeholder, which has no form.
        browser.DefaultRequestHeaders.UserAgent.ParseAdd("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148");
        var statuses = new List<HttpResponseMessage>();
        for (var i = 0; i < Attempts; i++)
        {
            var token = FormToken(await (await browser.GetAsync("/r/lostcode?lang=en")).Content.ReadAsStringAsync());
            statuses.Add(await browser.PostAsync("/r/opt-out", new FormUrlEncodedContent([new("__formToken", token), new("phoneNumber", "090-7100-0002"), new("lang", "en")])));
        }

        await AssertLimitedAsync(statuses, HttpStatusCode.OK, null, () => SmsToAsync("+819071000002"), "SMS to +819071000002");
    }

    [Fact]
    public async Task Ten_directory_opt_out_requests_for_one_number_send_at_most_three_sms()
    {
        var (_, key) = await host.CreateOrganizationAsync("Limit Calls K.K.");
        using var company = host.CreateClient(key.Key);
        await host.PublishCallingNumberAsync(company, "Limit Calls K.K.", "03-5000-7101");

        using var anonymous = host.CreateClient();
        var statuses = new List<HttpResponseMessage>();
        for (var i = 0; i < Attempts; i++)
            statuses.Add(await anonymous.PostAsJsonAsync("/api/public/directory/opt-out", new { callerNumber = "03-5000-7101", phoneNumber = "090-7100-0003" }));

        await AssertLimitedAsync(statuses, HttpStatusCode.Accepted, null, () => SmsToAsync("+819071000003"), "SMS to +819071000003");
    }

    private async Task AssertLimitedAsync(List<HttpResponseMessage> responses, HttpStatusCode accepted, string? field, Func<Task<int>> sent, string what)
    {
        await SettledAsync();
        var count = await sent();
        output.WriteLine($"{Attempts} requests: {string.Join(", ", responses.Select(r => (int)r.StatusCode))}; {count} {what}");
        Assert.True(count <= PerHour, $"{count} {what} from {Attempts} requests (at most {PerHour})");
        Assert.Equal(PerHour, responses.Count(r => r.StatusCode == accepted));
        Assert.Equal(PerHour, count);
        foreach (var refused in responses.Where(r => r.StatusCode != accepted))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.True(refused.Headers.RetryAfter?.Delta is { TotalSeconds: > 0 and <= 3600 }, $"Retry-After: {refused.Headers.RetryAfter}");
            if (field is null) continue;
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            Assert.Equal(field, (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
        }
    }

    /// <summary>Every code the services wrote has been published and Notices has sent or placed all it was given.</summary>
    private async Task SettledAsync()
    {
        ServiceDatabase[] publishers =
        [
            host.Services.GetRequiredService<ConsentDatabase>(), host.Services.GetRequiredService<ResponsesDatabase>(), host.Services.GetRequiredService<DirectoryDatabase>(),
        ];
        await Eventually.AssertAsync(async () =>
        {
            foreach (var database in publishers)
            {
                await using var connection = await database.OpenAsync();
                if (await connection.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM outbox_messages WHERE sent_at IS NULL") > 0) return false;
            }
            await using var notices = await host.Services.GetRequiredService<NoticesDatabase>().OpenAsync();
            return await notices.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM outbox_messages WHERE sent_at IS NULL") == 0
                && await notices.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM inbox_messages") > 0
                && await notices.ExecuteScalarAsync<int>(
                    "SELECT (SELECT COUNT(*) FROM outgoing_messages WHERE status IN ('pending', 'sending')) + (SELECT COUNT(*) FROM outgoing_emails WHERE status IN ('pending', 'sending'))") == 0;
        }, TimeSpan.FromSeconds(30), "every code is handed to Notices and sent");
        // The bus hands a published command to Notices a moment after the outbox marks it sent.
        await Task.Delay(TimeSpan.FromSeconds(1));
        await Eventually.AssertAsync(async () =>
        {
            await using var notices = await host.Services.GetRequiredService<NoticesDatabase>().OpenAsync();
            return await notices.ExecuteScalarAsync<int>(
                "SELECT (SELECT COUNT(*) FROM outgoing_messages WHERE status IN ('pending', 'sending')) + (SELECT COUNT(*) FROM outgoing_emails WHERE status IN ('pending', 'sending'))") == 0;
        }, TimeSpan.FromSeconds(30), "Notices sends what it was given");
    }

    private Task<int> SmsToAsync(string e164) => host.QueryAsync<NoticesDatabase, int>("SELECT COUNT(*) FROM dev_inbox WHERE to_number = @e164", new { e164 });

    private static string FormToken(string html) =>
        FormTokenPattern().Match(html) is { Success: true } m ? WebUtility.HtmlDecode(m.Groups[1].Value) : throw new InvalidOperationException("No form token in the page");

    [GeneratedRegex("name=\"__formToken\" value=\"([^\"]+)\"")]
    private static partial Regex FormTokenPattern();

}
