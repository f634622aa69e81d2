using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using ConsentPlatform.Contracts;
using ConsentPlatform.Telephony;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace ConsentPlatform.Directory.Tests;

public sealed partial class OptOutTests : IDisposable
{
    private readonly DirectoryApp _app = new();

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();

    private async Task<string> CallerAsync(string number = "03-5000-0001")
    {
        var (org, client) = await _app.CreateOrganizationAsync("Calling K.K.");
        await _app.PublishNumberAsync(client, number);
        return org;
    }

    [Fact]
    public async Task Stop_calls_from_an_entry_needs_a_code_sent_to_the_persons_own_number_then_requests_suppression_for_that_organization()
    {
        var org = await CallerAsync();
        using var person = _app.CreatePublicClient();

        var start = await person.PostAsJsonAsync("/api/public/directory/opt-out", new { callerNumber = "0350000001", phoneNumber = "080-7777-0001" });
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        var started = await start.Content.ReadFromJsonAsync<JsonElement>();
        var requestId = started.GetProperty("requestId").GetGuid();
        Assert.Equal("sms", started.GetProperty("method").GetString());

        var sms = await _app.Bus.WaitForAsync<SendVerificationCode>(m => m.RequestId == requestId, "the code goes to the person's own number");
        Assert.Equal("directory_opt_out", sms.Purpose);
        Assert.Equal("+818077770001", sms.PhoneNumber);
        Assert.Equal(org, sms.OrganizationId);
        Assert.Empty(_app.Bus.All<OptOutRequested>()); // nothing before the code is entered

        var done = await person.PostAsJsonAsync($"/api/public/directory/opt-out/{requestId}/code", new { code = sms.Code });
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        Assert.Equal("Calling K.K.", (await done.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("organizationName").GetString());

        var optOut = await _app.Bus.WaitForAsync<OptOutRequested>(m => m.RequestId == requestId, "Consent is asked to suppress the number");
        var hasher = _app.Services.GetRequiredService<PhoneNumberHasher>();
        Assert.Equal(hasher.Hash(PhoneNumbers.Parse("080-7777-0001").Number), optOut.ContactHash);
        Assert.Equal(org, optOut.OrganizationId);
        Assert.Empty(optOut.Channels);
        Assert.Equal("directory", optOut.Source);

        // The code is single use.
        Assert.Equal(HttpStatusCode.NotFound, (await person.PostAsJsonAsync($"/api/public/directory/opt-out/{requestId}/code", new { code = sms.Code })).StatusCode);
    }

    [Fact]
    public async Task Wrong_codes_do_not_opt_out_and_five_lock_the_persons_number()
    {
        await CallerAsync();
        using var person = _app.CreatePublicClient();
        var start = await person.PostAsJsonAsync("/api/public/directory/opt-out", new { callerNumber = "03-5000-0001", phoneNumber = "080-7777-0002" });
        var requestId = (await start.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("requestId").GetGuid();
        var code = await _app.Bus.CodeAsync(requestId, "directory_opt_out");
        var wrong = code == "111111" ? "222222" : "111111";

        for (var i = 0; i < 4; i++)
            Assert.Equal(HttpStatusCode.BadRequest, (await person.PostAsJsonAsync($"/api/public/directory/opt-out/{requestId}/code", new { code = wrong })).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await person.PostAsJsonAsync($"/api/public/directory/opt-out/{requestId}/code", new { code = wrong })).StatusCode);
        Assert.NotEqual(HttpStatusCode.OK, (await person.PostAsJsonAsync($"/api/public/directory/opt-out/{requestId}/code", new { code })).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests,
            (await person.PostAsJsonAsync("/api/public/directory/opt-out", new { callerNumber = "03-5000-0001", phoneNumber = "080-7777-0002" })).StatusCode);
        await Task.Delay(300);
        Assert.Empty(_app.Bus.All<OptOutRequested>());
    }

    [Fact]
    public async Task Codes_to_one_person_are_capped_per_hour()
    {
        await CallerAsync();
        using var person = _app.CreatePublicClient();
        var responses = new List<HttpResponseMessage>();
        for (var i = 0; i < 4; i++)
            responses.Add(await person.PostAsJsonAsync("/api/public/directory/opt-out", new { callerNumber = "03-5000-0001", phoneNumber = "080-7777-0003" }));
        // RateLimiting:CodesPerRecipientPerHour, 3 by default.
        Assert.Equal(Enumerable.Repeat(HttpStatusCode.Accepted, 3).Append(HttpStatusCode.TooManyRequests), responses.Select(r => r.StatusCode));
        Assert.True(responses[3].Headers.RetryAfter?.Delta is { TotalSeconds: > 0 and <= 3600 }, $"Retry-After: {responses[3].Headers.RetryAfter}");
    }

    [Fact]
    public async Task Opt_out_needs_a_registered_caller_number_and_a_valid_own_number()
    {
        await CallerAsync();
        using var person = _app.CreatePublicClient();
        var response = await person.PostAsJsonAsync("/api/public/directory/opt-out", new { callerNumber = "03-5000-9999", phoneNumber = "not a number" });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("callerNumber", out _));
        Assert.True(errors.TryGetProperty("phoneNumber", out _));
        Assert.DoesNotContain(_app.Bus.All<SendVerificationCode>(), m => m.Purpose == "directory_opt_out");
    }

    [Fact]
    public async Task Person_opts_out_from_the_lookup_page_without_script()
    {
        var org = await CallerAsync("03-5000-0002");
        using var browser = _app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        var page = await browser.GetStringAsync("/lookup?number=03-5000-0002");
        var token = AntiforgeryField().Match(page).Groups[1].Value;

        var sent = await browser.PostAsync("/lookup/opt-out", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["callerNumber"] = "+81350000002", ["phoneNumber"] = "０８０－７７７７－０００４",
        }));
        Assert.Equal(HttpStatusCode.OK, sent.StatusCode);
        var codePage = await sent.Content.ReadAsStringAsync();
        var action = Regex.Match(codePage, "action=\"/lookup/opt-out/([0-9a-f-]+)/code\"");
        Assert.True(action.Success, codePage);
        var requestId = Guid.Parse(action.Groups[1].Value);
        var code = await _app.Bus.CodeAsync(requestId, "directory_opt_out");

        var done = await browser.PostAsync($"/lookup/opt-out/{requestId}/code", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = AntiforgeryField().Match(codePage).Groups[1].Value, ["code"] = code, ["callerNumber"] = "+81350000002",
        }));
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        Assert.Contains("Calling K.K.", WebUtility.HtmlDecode(await done.Content.ReadAsStringAsync()));
        var optOut = await _app.Bus.WaitForAsync<OptOutRequested>(m => m.RequestId == requestId, "the page's opt-out is published");
        Assert.Equal(org, optOut.OrganizationId);
    }

    [Fact]
    public async Task Opt_out_form_without_an_antiforgery_token_is_rejected()
    {
        await CallerAsync();
        using var browser = _app.CreatePublicClient();
        var response = await browser.PostAsync("/lookup/opt-out", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["callerNumber"] = "+81350000001", ["phoneNumber"] = "080-7777-0005",
        }));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.DoesNotContain(_app.Bus.All<SendVerificationCode>(), m => m.Purpose == "directory_opt_out");
    }

    public void Dispose() => _app.Dispose();
}
