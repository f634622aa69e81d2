using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ConsentPlatform.Contracts;
using Microsoft.Extensions.DependencyInjection;

namespace ConsentPlatform.Directory.Tests;

public sealed class NumberVerificationTests(DirectoryApp app) : IClassFixture<DirectoryApp>
{
    private static async Task<JsonElement> LookupAsync(HttpClient client, string number) =>
        await client.GetFromJsonAsync<JsonElement>($"/api/public/directory/lookup?number={Uri.EscapeDataString(number)}");

    private static async Task<string> AllFeedsAsync(HttpClient client) =>
        await client.GetStringAsync("/api/public/directory/feed.vcf") + await client.GetStringAsync("/api/public/directory/feed.csv")
        + await client.GetStringAsync("/api/public/directory/feed.json");

    [Fact]
    public async Task Mobile_number_is_verified_by_an_sms_code_sent_through_notices_and_then_published()
    {
        var (org, client) = await app.CreateOrganizationAsync("SMS Verified K.K.");
        var added = await DirectoryApp.AddNumberAsync(client, "090-1111-0001");
        Assert.Equal("pending", added.GetProperty("status").GetString());
        Assert.Equal("sms", added.GetProperty("verificationMethod").GetString());
        var id = added.GetProperty("id").GetString()!;

        var start = await client.PostAsync($"/api/directory/numbers/{id}/verification", null);
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        var startBody = await start.Content.ReadAsStringAsync();
        var requestId = JsonDocument.Parse(startBody).RootElement.GetProperty("requestId").GetGuid();
        var sms = await app.Bus.WaitForAsync<SendVerificationCode>(m => m.RequestId == requestId, "Notices is asked to send the code");
        Assert.Equal("+819011110001", sms.PhoneNumber);
        Assert.Equal("directory_verification", sms.Purpose);
        Assert.Equal(org, sms.OrganizationId);
        Assert.Matches("^[0-9]{6}$", sms.Code);
        Assert.DoesNotContain(sms.Code, startBody); // the code never comes back through the API
        Assert.DoesNotContain(sms.Code, await client.GetStringAsync($"/api/directory/numbers/{id}"));

        var confirmed = await client.PostAsJsonAsync($"/api/directory/numbers/{id}/verification/code", new { code = sms.Code });
        Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        Assert.Equal("published", (await confirmed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());

        var published = await app.Bus.WaitForAsync<CallerNumberPublished>(m => m.CallerNumberId == Guid.Parse(id), "CallerNumberPublished goes out");
        Assert.Equal("+819011110001", published.PhoneNumber);
        Assert.Equal(org, published.OrganizationId);
        Assert.True((await LookupAsync(app.CreatePublicClient(), "090-1111-0001")).GetProperty("registered").GetBoolean());
    }

    [Fact]
    public async Task Landline_gets_its_code_read_out_on_a_call_and_stays_pending_until_the_code_is_entered()
    {
        var (_, client) = await app.CreateOrganizationAsync("Landline K.K.");
        var added = await DirectoryApp.AddNumberAsync(client, "06-6111-0002");
        Assert.Equal("call", added.GetProperty("verificationMethod").GetString());
        var id = added.GetProperty("id").GetString()!;

        var start = await client.PostAsync($"/api/directory/numbers/{id}/verification", null);
        var requestId = (await start.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("requestId").GetGuid();
        var call = await app.Bus.WaitForAsync<PlaceVerificationCall>(m => m.RequestId == requestId, "a call is placed to the landline");
        Assert.Equal("+81661110002", call.PhoneNumber);
        Assert.DoesNotContain(app.Bus.All<SendVerificationCode>(), m => m.RequestId == requestId); // no SMS to a landline

        Assert.Equal("pending", (await client.GetFromJsonAsync<JsonElement>($"/api/directory/numbers/{id}")).GetProperty("status").GetString());
        var publicClient = app.CreatePublicClient();
        Assert.False((await LookupAsync(publicClient, "06-6111-0002")).GetProperty("registered").GetBoolean());

        var confirmed = await client.PostAsJsonAsync($"/api/directory/numbers/{id}/verification/code", new { code = call.Code });
        Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        Assert.True((await LookupAsync(publicClient, "06-6111-0002")).GetProperty("registered").GetBoolean());
    }

    [Fact]
    public async Task Unverified_numbers_never_appear_in_lookup_or_feeds()
    {
        var (_, client) = await app.CreateOrganizationAsync("Half Done K.K.");
        await app.PublishNumberAsync(client, "03-3111-0003"); // so the organization is in the feeds at all
        var pending = await DirectoryApp.AddNumberAsync(client, "03-3111-0004");
        var sent = await DirectoryApp.AddNumberAsync(client, "03-3111-0005");
        await app.RequestCodeAsync(client, sent.GetProperty("id").GetString()!);
        var wrong = await client.PostAsJsonAsync($"/api/directory/numbers/{sent.GetProperty("id").GetString()}/verification/code", new { code = "000000" });
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);

        var publicClient = app.CreatePublicClient();
        Assert.True((await LookupAsync(publicClient, "03-3111-0003")).GetProperty("registered").GetBoolean());
        var feeds = await AllFeedsAsync(publicClient);
        Assert.Contains("+81331110003", feeds);
        foreach (var unverified in new[] { ("03-3111-0004", "+81331110004"), ("03-3111-0005", "+81331110005") })
        {
            Assert.False((await LookupAsync(publicClient, unverified.Item1)).GetProperty("registered").GetBoolean());
            Assert.DoesNotContain(unverified.Item2, feeds);
            Assert.DoesNotContain("3111-000" + unverified.Item1[^1], feeds);
        }
        Assert.Equal("pending", pending.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Withdrawn_number_leaves_lookup_and_feeds_and_is_announced()
    {
        var (_, client) = await app.CreateOrganizationAsync("Withdrawing K.K.");
        var number = await app.PublishNumberAsync(client, "03-3111-0006");
        var id = number.GetProperty("id").GetString()!;

        var withdrawn = await client.PostAsync($"/api/directory/numbers/{id}/withdrawal", null);
        Assert.Equal(HttpStatusCode.OK, withdrawn.StatusCode);
        Assert.Equal("withdrawn", (await withdrawn.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());

        var message = await app.Bus.WaitForAsync<CallerNumberWithdrawn>(m => m.CallerNumberId == Guid.Parse(id), "CallerNumberWithdrawn goes out");
        Assert.Equal("+81331110006", message.PhoneNumber);
        var publicClient = app.CreatePublicClient();
        Assert.False((await LookupAsync(publicClient, "03-3111-0006")).GetProperty("registered").GetBoolean());
        Assert.DoesNotContain("+81331110006", await AllFeedsAsync(publicClient));
        Assert.Equal(HttpStatusCode.Conflict, (await client.PostAsync($"/api/directory/numbers/{id}/withdrawal", null)).StatusCode);
    }

    [Fact]
    public async Task Invalid_number_details_are_refused_naming_each_field_and_nothing_is_stored()
    {
        var (_, client) = await app.CreateOrganizationAsync("Sloppy K.K.");
        var response = await client.PostAsJsonAsync("/api/directory/numbers", new
        {
            phoneNumber = "call me maybe", purposes = Array.Empty<string>(), callingHoursStart = "25:00", callingHoursEnd = "08:00",
            validUntil = DateTimeOffset.UtcNow.AddDays(-1),
        });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        foreach (var field in new[] { "phoneNumber", "purposes", "callingHoursStart", "validUntil" })
            Assert.True(errors.TryGetProperty(field, out _), $"error for {field}");
        Assert.Empty(await client.GetFromJsonAsync<JsonElement[]>("/api/directory/numbers") ?? []);
    }

    [Fact]
    public async Task Number_cannot_be_added_before_the_profile_that_names_the_caller_exists()
    {
        var (_, client) = await app.CreateOrganizationAsync("No Profile K.K.", withProfile: false);
        var response = await client.PostAsJsonAsync("/api/directory/numbers", new
        {
            phoneNumber = "03-3111-0010", purposes = new[] { "Sales" }, callingHoursStart = "09:00", callingHoursEnd = "18:00",
        });
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("no_profile", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Number_published_by_one_organization_cannot_be_published_by_another()
    {
        var (_, first) = await app.CreateOrganizationAsync("First Holder K.K.");
        await app.PublishNumberAsync(first, "03-3111-0011");
        var (_, second) = await app.CreateOrganizationAsync("Second Claimant K.K.");
        var added = await DirectoryApp.AddNumberAsync(second, "03-3111-0011");
        var id = added.GetProperty("id").GetString()!;
        var code = await app.RequestCodeAsync(second, id);

        var confirmed = await second.PostAsJsonAsync($"/api/directory/numbers/{id}/verification/code", new { code });
        Assert.Equal(HttpStatusCode.Conflict, confirmed.StatusCode);
        var entry = (await LookupAsync(app.CreatePublicClient(), "0331110011")).GetProperty("entry");
        Assert.Equal("First Holder K.K.", entry.GetProperty("legalName").GetString());
    }

    [Fact]
    public async Task Another_organizations_number_is_not_visible_or_changeable()
    {
        var (_, owner) = await app.CreateOrganizationAsync("Owner K.K.");
        var number = await DirectoryApp.AddNumberAsync(owner, "03-3111-0012");
        var id = number.GetProperty("id").GetString()!;
        var (_, other) = await app.CreateOrganizationAsync("Nosy K.K.");

        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/api/directory/numbers/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.PostAsync($"/api/directory/numbers/{id}/verification", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.PostAsync($"/api/directory/numbers/{id}/withdrawal", null)).StatusCode);
        Assert.Empty(await other.GetFromJsonAsync<JsonElement[]>("/api/directory/numbers") ?? []);
    }
}

/// <summary>Tests that move the clock get an app of their own.</summary>
public sealed class VerificationLockTests : IDisposable
{
    private readonly DirectoryApp _app = new();

    [Fact]
    public async Task Five_wrong_codes_lock_verification_of_that_number_for_a_while()
    {
        var (_, client) = await _app.CreateOrganizationAsync("Guessing K.K.");
        var added = await DirectoryApp.AddNumberAsync(client, "090-2222-0001");
        var id = added.GetProperty("id").GetString()!;
        var code = await _app.RequestCodeAsync(client, id);
        var wrong = code == "123456" ? "654321" : "123456";

        for (var attempt = 1; attempt <= 4; attempt++)
        {
            var response = await client.PostAsJsonAsync($"/api/directory/numbers/{id}/verification/code", new { code = wrong });
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal(5 - attempt, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("attemptsLeft").GetInt32());
        }
        var fifth = await client.PostAsJsonAsync($"/api/directory/numbers/{id}/verification/code", new { code = wrong });
        Assert.Equal(HttpStatusCode.TooManyRequests, fifth.StatusCode);
        Assert.True(fifth.Headers.RetryAfter is not null);

        // Locked: even the right code is refused, and no new code can be requested.
        var right = await client.PostAsJsonAsync($"/api/directory/numbers/{id}/verification/code", new { code });
        Assert.Equal(HttpStatusCode.TooManyRequests, right.StatusCode);
        Assert.Equal("locked", (await right.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("reason").GetString());
        Assert.Equal(HttpStatusCode.TooManyRequests, (await client.PostAsync($"/api/directory/numbers/{id}/verification", null)).StatusCode);
        Assert.Equal("pending", (await client.GetFromJsonAsync<JsonElement>($"/api/directory/numbers/{id}")).GetProperty("status").GetString());

        // Another number of the same organization is not affected.
        await _app.PublishNumberAsync(client, "090-2222-0002");

        // After the lock (30 minutes by default) the code issued before it is void; a new one works.
        _app.Clock.Advance(TimeSpan.FromMinutes(31));
        var stale = await client.PostAsJsonAsync($"/api/directory/numbers/{id}/verification/code", new { code });
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        var fresh = await _app.RequestCodeAsync(client, id);
        var accepted = await client.PostAsJsonAsync($"/api/directory/numbers/{id}/verification/code", new { code = fresh });
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
    }

    [Fact]
    public async Task Withdrawing_and_adding_the_number_again_does_not_clear_its_wrong_codes()
    {
        var (_, client) = await _app.CreateOrganizationAsync("Sneaky K.K.");
        var first = (await DirectoryApp.AddNumberAsync(client, "090-2222-0003")).GetProperty("id").GetString()!;
        await _app.RequestCodeAsync(client, first);
        for (var attempt = 0; attempt < 3; attempt++)
            await client.PostAsJsonAsync($"/api/directory/numbers/{first}/verification/code", new { code = "999999x" });
        await client.PostAsync($"/api/directory/numbers/{first}/withdrawal", null);

        var second = (await DirectoryApp.AddNumberAsync(client, "090-2222-0003")).GetProperty("id").GetString()!;
        var code = await _app.RequestCodeAsync(client, second);
        var wrong = code == "123456" ? "654321" : "123456";
        await client.PostAsJsonAsync($"/api/directory/numbers/{second}/verification/code", new { code = wrong });
        var locked = await client.PostAsJsonAsync($"/api/directory/numbers/{second}/verification/code", new { code = wrong });
        Assert.Equal(HttpStatusCode.TooManyRequests, locked.StatusCode);
    }

    [Fact]
    public async Task Number_valid_from_a_later_date_is_published_then_and_expires_at_its_end()
    {
        var (_, client) = await _app.CreateOrganizationAsync("Seasonal K.K.");
        var now = _app.Clock.GetUtcNow();
        var added = await DirectoryApp.AddNumberAsync(client, "03-3222-0004", extra: new { validFrom = now.AddDays(1), validUntil = now.AddDays(2) });
        var id = added.GetProperty("id").GetString()!;
        var code = await _app.RequestCodeAsync(client, id);
        var verified = await client.PostAsJsonAsync($"/api/directory/numbers/{id}/verification/code", new { code });
        Assert.Equal("verified", (await verified.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());

        var registry = _app.Services.GetRequiredService<Numbers.NumberRegistry>();
        var published = _app.Services.GetRequiredService<Published.PublishedDirectory>();
        var publicClient = _app.CreatePublicClient();
        async Task<bool> Registered() =>
            (await publicClient.GetFromJsonAsync<JsonElement>("/api/public/directory/lookup?number=0332220004")).GetProperty("registered").GetBoolean();
        Assert.False(await Registered());

        _app.Clock.Advance(TimeSpan.FromDays(1.5));
        Assert.Equal(1, await registry.ApplyValidityAsync(CancellationToken.None));
        await published.RefreshAsync();
        Assert.True(await Registered());
        await _app.Bus.WaitForAsync<CallerNumberPublished>(m => m.CallerNumberId == Guid.Parse(id), "published when its validity begins");

        _app.Clock.Advance(TimeSpan.FromDays(1));
        Assert.False(await Registered()); // gone at once, even before the refresher moves it
        Assert.Equal(1, await registry.ApplyValidityAsync(CancellationToken.None));
        await _app.Bus.WaitForAsync<CallerNumberWithdrawn>(m => m.CallerNumberId == Guid.Parse(id), "withdrawn when its validity ends");
        Assert.Equal("expired", (await client.GetFromJsonAsync<JsonElement>($"/api/directory/numbers/{id}")).GetProperty("status").GetString());
    }

    public void Dispose() => _app.Dispose();
}
