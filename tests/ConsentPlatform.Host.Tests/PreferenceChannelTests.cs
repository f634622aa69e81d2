using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using ConsentPlatform.Notices;
using ConsentPlatform.Notices.Sending;
using ConsentPlatform.Notices.Webhooks;
using ConsentPlatform.Responses;
using ConsentPlatform.Responses.Crm;
using ConsentPlatform.Responses.Tests;
using ConsentPlatform.Telephony;
using ConsentPlatform.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace ConsentPlatform.Host.Tests;

/// <summary>The embedded host with CRM webhooks allowed to a loopback receiver and Twilio's inbound webhook signed with a known token.</summary>
public sealed class CrmHostFactory : HostFactory
{
    public const string TwilioToken = "crm-test-twilio-token";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Responses:Crm:AllowedHosts", "127.0.0.1");
        builder.UseSetting("Responses:Crm:PollSeconds", "0.05");
        builder.UseSetting("Responses:Crm:FirstRetrySeconds", "0.2");
        builder.UseSetting("Responses:Crm:MaxBackoffSeconds", "0.5");
        builder.UseSetting("Sms:Twilio:AuthToken", TwilioToken);
    }
}

/// <summary>
/// Issue 13, acceptance 1 through the real channels: a person who consented by SMS at an event and got a pre-call
/// notice (planned with the CRM's lead id) says no in one place, and the organization's CRM webhook — real HTTP,
/// signatures checked — receives exactly one signed preference change with the right change and the lead id, after
/// the consent it already heard; the pull feed's last change for the organization says the same.
/// </summary>
public sealed partial class PreferenceChannelTests(CrmHostFactory host) : IClassFixture<CrmHostFactory>, IAsyncLifetime
{
    private const string Purpose = "seminar";
    private const string PhoneBrowser = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148";
    private static int _landlines;
    private FakeCrm _crm = default!;

    public async Task InitializeAsync() => _crm = await FakeCrm.StartAsync();

    public async Task DisposeAsync() => await _crm.DisposeAsync();

    private sealed record Contact(HttpClient Company, string Number, string E164, string Landline, string CallId, string Code, string ExternalId);

    /// <summary>The organization, its webhook to the fake CRM, the person's SMS consent and a planned call with the CRM's lead id.</summary>
    private async Task<Contact> ContactAsync(string number)
    {
        var e164 = PhoneNumbers.Parse(number).Number.E164;
        var landline = $"03-5000-{7300 + Interlocked.Increment(ref _landlines):0000}";
        var (_, key) = await host.CreateOrganizationAsync("Channel Trading K.K.");
        var company = host.CreateClient(key.Key);
        await host.PublishCallingNumberAsync(company, "Channel Trading K.K.", landline);
        Assert.Equal(HttpStatusCode.OK, (await company.PutAsJsonAsync("/api/notices/settings",
            new { allowedFrom = "00:00", allowedUntil = "23:59", frequencyCap = 10, frequencyWindowHours = 1 })).StatusCode);
        var connector = await company.PostAsJsonAsync("/api/responses/connectors", new { kind = "webhook", name = "Fake CRM", url = _crm.Url });
        Assert.True(connector.StatusCode == HttpStatusCode.Created, await connector.Content.ReadAsStringAsync());
        _crm.Secret = (await connector.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("signingSecret").GetString()!;

        var created = await company.PostAsJsonAsync("/api/consent/events", new
        {
            title = "Channel Expo", purpose = Purpose, purposeText = new { ja = "展示会のご案内", en = "About the expo" }, channels = new[] { "sms" },
            texts = new { sms = new { ja = "SMSに同意します。", en = "I agree to SMS." } }, senderLegalName = "Channel Trading K.K.", lifetimeMonths = 12,
        });
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var eventId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        using var person = host.CreateClient();
        var page = await person.GetStringAsync($"/consent/forms/{eventId}?lang=en");
        var hidden = HiddenInput().Matches(page).Select(m => new KeyValuePair<string, string>(WebUtility.HtmlDecode(m.Groups["name"].Value), WebUtility.HtmlDecode(m.Groups["value"].Value)));
        var submitted = await person.PostAsync($"/consent/forms/{eventId}", new FormUrlEncodedContent([.. hidden, new("channels", "sms"), new("phone", number)]));
        Assert.True(submitted.IsSuccessStatusCode, await submitted.Content.ReadAsStringAsync());

        var externalId = "lead-" + Guid.NewGuid().ToString("N")[..8];
        string? callId = null;
        await Eventually.AssertAsync(async () =>
        {
            var planned = await company.PostAsJsonAsync("/api/notices/calls", new { phoneNumber = number, callerName = "Sato", topic = "Expo follow-up", callingNumber = landline, purpose = Purpose, externalId });
            var answer = await planned.Content.ReadFromJsonAsync<JsonElement>();
            if (!planned.IsSuccessStatusCode || answer.GetProperty("notices")[0].GetProperty("status").GetString() == "refused") return false;
            callId = answer.GetProperty("id").GetString();
            return true;
        }, TimeSpan.FromSeconds(20), "a pre-call notice is queued once Notices has the consent", TimeSpan.FromMilliseconds(250));
        string? code = null;
        await Eventually.AssertAsync(async () => (code = ShortLink().Match(await host.QueryAsync<NoticesDatabase, string?>(
                "SELECT body FROM dev_inbox WHERE to_number = @e164 AND body LIKE '%/r/%'", new { e164 }) ?? "") is { Success: true } m ? m.Groups["code"].Value : null) is not null,
            TimeSpan.FromSeconds(15), "the pre-call SMS reaches the phone");
        await Eventually.AssertAsync(async () => await host.QueryAsync<ResponsesDatabase, long>("SELECT COUNT(*) FROM crm_contacts WHERE external_id = @externalId", new { externalId }) == 1,
            TimeSpan.FromSeconds(15), "Responses knows the CRM's lead id");
        // The consent itself was the first change the CRM heard of (before the lead id was given).
        await Eventually.AssertAsync(() => _crm.Preferences.Any(p => p.Preference.Change.Kind == "consented"), TimeSpan.FromSeconds(15), "the CRM hears of the consent");
        return new Contact(company, number, e164, landline, callId!, code!, externalId);
    }

    /// <summary>Exactly one change after those already received, signed and carrying the lead id; and the feed's last change is it.</summary>
    private async Task<CrmPreference> OneMoreEventAsync(Contact contact, int before)
    {
        await Eventually.AssertAsync(() => _crm.Preferences.Count > before, TimeSpan.FromSeconds(20), "the CRM receives the change");
        await Task.Delay(1000); // room for a second event or a duplicate delivery
        Assert.Equal(0, _crm.BadSignatures);
        Assert.Equal(0, _crm.Duplicates);
        var change = Assert.Single(_crm.Preferences.Skip(before)).Preference;
        Assert.Equal(contact.ExternalId, change.ExternalId);
        var feed = await contact.Company.GetFromJsonAsync<JsonElement>("/api/responses/feed?preferencesAfter=0&take=500");
        var last = feed.GetProperty("preferences").EnumerateArray().Last().GetProperty("preference");
        Assert.Equal(change.ChangeId, last.GetProperty("changeId").GetString());
        return change;
    }

    [Fact]
    public async Task No_further_contact_on_the_short_link_reaches_the_crm_once()
    {
        var contact = await ContactAsync("090-7300-0001");
        var before = _crm.Preferences.Count;
        using var browser = host.CreateClient();
        browser.DefaultRequestHeaders.UserAgent.ParseAdd(PhoneBrowser);
        var form = await browser.GetStringAsync($"/r/{contact.Code}?lang=en");
        var posted = await browser.PostAsync($"/r/{contact.Code}", new FormUrlEncodedContent(
            [new("__formToken", WebUtility.HtmlDecode(FormToken().Match(form).Groups[1].Value)), new("lang", "en"), new("preferredContact", "no_further_contact")]));
        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);

        var change = await OneMoreEventAsync(contact, before);
        Assert.Equal((PreferenceKinds.Stopped, (string?)null, "responses"), (change.Change.Kind, change.Change.Channel, change.Source));
    }

    [Theory]
    [InlineData("090-7300-0002", "STOP")]
    [InlineData("090-7300-0003", "配信停止")]
    public async Task A_stop_reply_in_english_or_japanese_reaches_the_crm_once_although_it_also_withdraws_the_consent(string number, string body)
    {
        var contact = await ContactAsync(number);
        var before = _crm.Preferences.Count;
        await ReplyAsync(contact, body);

        var change = await OneMoreEventAsync(contact, before);
        Assert.Equal((PreferenceKinds.Stopped, "sms", "sms_reply"), (change.Change.Kind, change.Change.Channel, change.Source));
    }

    /// <summary>
    /// Issue 17: a STOP is applied once where it arrives (the provisional stop, in the webhook's transaction) and once per
    /// decision Consent sends back (ContactSuppressed, ConsentWithdrawn); Notices does not apply its own OptOutRequested
    /// again. Each committed change is one row in the replica's change log and one reload of the contact's index entry,
    /// registered together by the store that wrote it.
    /// </summary>
    [Fact]
    public async Task A_stop_reply_is_applied_once_where_it_arrives_and_once_for_each_decision_consent_sends_back()
    {
        var contact = await ContactAsync("090-7300-0009");
        var hash = host.Services.GetRequiredService<PhoneNumberHasher>().Hash(PhoneNumbers.Parse(contact.Number).Number);
        Task<long> CountAsync(string sql) => host.QueryAsync<NoticesDatabase, long>(sql, new { hash });
        var changesBefore = await CountAsync("SELECT COUNT(*) FROM replica_changes WHERE contact_hash = @hash");

        await ReplyAsync(contact, "STOP");

        await Eventually.AssertAsync(async () =>
                await CountAsync("SELECT COUNT(*) FROM suppressions WHERE contact_hash = @hash AND provisional = 0") == 1 &&
                await CountAsync("SELECT COUNT(*) FROM consents WHERE contact_hash = @hash AND kind = 'withdrawn'") == 1,
            TimeSpan.FromSeconds(20), "Consent's suppression and withdrawal reach Notices");
        await Task.Delay(1000); // room for a late application of Notices' own OptOutRequested
        Assert.Equal(1, await CountAsync("SELECT COUNT(*) FROM suppressions WHERE contact_hash = @hash AND provisional = 1"));
        // The provisional stop, Consent's suppression, Consent's withdrawal: three writes, three reloads.
        Assert.Equal(3, await CountAsync("SELECT COUNT(*) FROM replica_changes WHERE contact_hash = @hash") - changesBefore);
    }

    [Fact]
    public async Task Start_after_stop_reaches_the_crm_as_resumed_once()
    {
        var contact = await ContactAsync("090-7300-0004");
        var before = _crm.Preferences.Count;
        await ReplyAsync(contact, "STOP");
        await OneMoreEventAsync(contact, before);
        await ReplyAsync(contact, "START");

        var change = await OneMoreEventAsync(contact, before + 1);
        Assert.Equal((PreferenceKinds.Resumed, "sms"), (change.Change.Kind, change.Change.Channel));
    }

    [Fact]
    public async Task A_refused_call_reaches_the_crm_once()
    {
        var contact = await ContactAsync("090-7300-0005");
        var before = _crm.Preferences.Count;
        var logged = await contact.Company.PostAsJsonAsync($"/api/notices/calls/{contact.CallId}/outcome", new { outcome = "refused" });
        Assert.True(logged.IsSuccessStatusCode, await logged.Content.ReadAsStringAsync());

        var change = await OneMoreEventAsync(contact, before);
        Assert.Equal((PreferenceKinds.Stopped, "call", Purpose, "call_refused"), (change.Change.Kind, change.Change.Channel, change.Change.Purpose, change.Source));
    }

    [Fact]
    public async Task An_opt_out_through_the_directory_entry_reaches_the_crm_once()
    {
        var contact = await ContactAsync("090-7300-0006");
        var before = _crm.Preferences.Count;
        using var person = host.CreateClient();
        var started = await person.PostAsJsonAsync("/api/public/directory/opt-out", new { callerNumber = contact.Landline, phoneNumber = contact.Number });
        Assert.True(started.StatusCode == HttpStatusCode.Accepted, await started.Content.ReadAsStringAsync());
        var request = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("requestId").GetString();
        var done = await person.PostAsJsonAsync($"/api/public/directory/opt-out/{request}/code", new { code = await CodeSentAsync(contact) });
        Assert.True(done.StatusCode == HttpStatusCode.OK, await done.Content.ReadAsStringAsync());

        var change = await OneMoreEventAsync(contact, before);
        Assert.Equal((PreferenceKinds.Stopped, (string?)null, "directory"), (change.Change.Kind, change.Change.Channel, change.Source));
    }

    [Fact]
    public async Task A_verified_stop_use_request_reaches_the_crm_once()
    {
        var contact = await ContactAsync("090-7300-0007");
        var before = _crm.Preferences.Count;
        using var person = host.CreateClient();
        var opened = await person.PostAsJsonAsync("/api/public/consent/requests", new { phoneNumber = contact.Number, kind = "stop_use" });
        Assert.True(opened.StatusCode == HttpStatusCode.Accepted, await opened.Content.ReadAsStringAsync());
        var id = (await opened.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("requestId").GetString();
        var verified = await person.PostAsJsonAsync($"/api/public/consent/requests/{id}/verify", new { code = await CodeSentAsync(contact) });
        Assert.True(verified.StatusCode == HttpStatusCode.OK, await verified.Content.ReadAsStringAsync());

        var change = await OneMoreEventAsync(contact, before);
        Assert.Equal((PreferenceKinds.Stopped, "all_organizations", "dsr_stop_use"), (change.Change.Kind, change.Change.Scope, change.Source));
    }

    /// <summary>
    /// Issue 13, acceptance 2: after a verified erasure the CRM receives one "erased" change with its lead id and nothing
    /// of the person, and no file of Responses' database (the -wal and -shm too) nor its API holds the number any longer.
    /// </summary>
    [Fact]
    public async Task An_erasure_reaches_the_crm_as_the_lead_id_alone_and_responses_keeps_nothing_of_the_contact()
    {
        var contact = await ContactAsync("090-7300-0008");
        using var browser = host.CreateClient();
        browser.DefaultRequestHeaders.UserAgent.ParseAdd(PhoneBrowser);
        var form = await browser.GetStringAsync($"/r/{contact.Code}?lang=en");
        var answered = await browser.PostAsync($"/r/{contact.Code}", new FormUrlEncodedContent(
        [
            new("__formToken", WebUtility.HtmlDecode(FormToken().Match(form).Groups[1].Value)), new("lang", "en"), new("preferredContact", "phone_ok"),
            new("comments", $"Call me on {contact.Number} after six."),
        ]));
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        await Eventually.AssertAsync(() => !_crm.Accepted.IsEmpty, TimeSpan.FromSeconds(15), "the CRM receives the answer");
        Assert.NotEmpty(ResponsesResidue(contact));
        var before = _crm.Preferences.Count;

        using var person = host.CreateClient();
        var opened = await person.PostAsJsonAsync("/api/public/consent/requests", new { phoneNumber = contact.Number, kind = "erasure" });
        Assert.True(opened.StatusCode == HttpStatusCode.Accepted, await opened.Content.ReadAsStringAsync());
        var id = (await opened.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("requestId").GetString();
        var verified = await person.PostAsJsonAsync($"/api/public/consent/requests/{id}/verify", new { code = await CodeSentAsync(contact) });
        Assert.True(verified.StatusCode == HttpStatusCode.OK, await verified.Content.ReadAsStringAsync());

        var erased = await OneMoreEventAsync(contact, before);
        Assert.Equal((PreferenceKinds.Erased, (string?)null), (erased.Change.Kind, erased.ContactHash));
        var hash = host.Services.GetRequiredService<PhoneNumberHasher>().Hash(PhoneNumbers.Parse(contact.Number).Number);
        var body = _crm.PreferenceBodies.Last();
        foreach (var value in PersonalValues(contact).Append(hash)) Assert.DoesNotContain(value, body);

        await Eventually.AssertAsync(() => Task.FromResult(ResponsesResidue(contact).Count == 0), TimeSpan.FromSeconds(30),
            "Responses erases the contact and its files keep no copy");
        var feed = await contact.Company.GetStringAsync("/api/responses/feed?after=0&preferencesAfter=0&take=500");
        var responses = await contact.Company.GetStringAsync("/api/responses/responses");
        foreach (var value in PersonalValues(contact).Append(hash))
        {
            Assert.DoesNotContain(value, feed);
            Assert.DoesNotContain(value, responses);
        }
        var kinds = JsonDocument.Parse(feed).RootElement.GetProperty("preferences").EnumerateArray()
            .Select(p => p.GetProperty("preference").GetProperty("change").GetProperty("kind").GetString());
        Assert.Equal([PreferenceKinds.Erased], kinds);
    }

    private static IEnumerable<string> PersonalValues(Contact contact) =>
        [contact.E164, contact.E164[1..], "0" + contact.E164[3..], contact.Number, PhoneNumbers.Parse(contact.Number).Number.FormatMasked()];

    /// <summary>Every place the number (any form, or masked) appears in Responses' database files, which include its -wal.</summary>
    private List<string> ResponsesResidue(Contact contact)
    {
        var (found, files) = host.Residue(PersonalValues(contact), "responses*");
        Assert.Contains(files, f => f.EndsWith("-wal", StringComparison.Ordinal));
        return found;
    }

    /// <summary>A reply to the notice, as Twilio posts it (signed).</summary>
    private async Task ReplyAsync(Contact contact, string body)
    {
        KeyValuePair<string, string>[] form = [new("MessageSid", "SM" + Guid.NewGuid().ToString("N")), new("From", contact.E164), new("To", "+15005550006"), new("Body", body)];
        using var request = new HttpRequestMessage(HttpMethod.Post, TwilioSender.InboundPath) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Add("X-Twilio-Signature", TwilioSignature.Compute(CrmHostFactory.TwilioToken, "http://localhost" + TwilioSender.InboundPath, form));
        using var client = host.CreateClient();
        var response = await client.SendAsync(request);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    /// <summary>The six digits of the one-time code last texted to the person (not the notice with its link).</summary>
    private async Task<string> CodeSentAsync(Contact contact)
    {
        string? code = null;
        await Eventually.AssertAsync(async () => (code = SixDigits().Match(await host.QueryAsync<NoticesDatabase, string?>(
                "SELECT body FROM dev_inbox WHERE to_number = @E164 AND body NOT LIKE '%/r/%' ORDER BY created_at DESC", new { contact.E164 }) ?? "") is { Success: true } m ? m.Value : null) is not null,
            TimeSpan.FromSeconds(15), "the code reaches the person");
        return code!;
    }

    [GeneratedRegex("""<input type="hidden" name="(?<name>[^"]+)" value="(?<value>[^"]*)" />""")]
    private static partial Regex HiddenInput();

    [GeneratedRegex("name=\"__formToken\" value=\"([^\"]+)\"")]
    private static partial Regex FormToken();

    [GeneratedRegex(@"/r/(?<code>[A-Za-z0-9_-]+)")]
    private static partial Regex ShortLink();

    [GeneratedRegex(@"(?<!\d)\d{6}(?!\d)")]
    private static partial Regex SixDigits();
}
