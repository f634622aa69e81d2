using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ConsentPlatform.Consent;
using ConsentPlatform.Testing;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace ConsentPlatform.Host.Tests;

/// <summary>
/// An organization that upgraded: its events were saved before Notices kept purposes, so its reps
/// could plan no call (every purpose "unknown") until someone re-saved each event.
/// </summary>
public sealed class PurposeAnnouncementTests
{
    [Fact]
    public async Task Events_saved_before_Notices_kept_purposes_are_announced_at_the_next_start_and_calls_can_name_them()
    {
        using var folder = new TempDirectory("cp-upgrade-");
        string key;
        using (var before = new HostOnFolder(folder.Path))
        {
            var (_, issued) = await before.CreateOrganizationAsync("Upgrade Trading K.K.");
            key = issued.Key;
            using var company = before.CreateClient(key);
            var created = await company.PostAsJsonAsync("/api/consent/events", new
            {
                title = "Autumn Expo", purpose = "expo-followup", purposeText = new { ja = "展示会のご案内", en = "About the expo" }, channels = new[] { "sms" },
                texts = new { sms = new { ja = "SMSに同意します。", en = "I agree to SMS." } }, senderLegalName = "Upgrade Trading K.K.", lifetimeMonths = 12,
            });
            Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
            await Eventually.AssertAsync(async () => (await PurposesAsync(company)).Contains("expo-followup"), TimeSpan.FromSeconds(15), "Notices learns the new event's purpose");
        }
        // What a database from before purposes were announced looks like: the event, no mark, nothing in Notices.
        await HostOnFolder.ExecuteOfflineAsync(folder.Path, "consent", "UPDATE consent_events SET purpose_announced_at = NULL");
        await HostOnFolder.ExecuteOfflineAsync(folder.Path, "notices", "DELETE FROM event_purposes");

        using var after = new HostOnFolder(folder.Path);
        using var rep = after.CreateClient(key);
        await Eventually.AssertAsync(async () => (await PurposesAsync(rep)).SequenceEqual(["expo-followup"]), TimeSpan.FromSeconds(15),
            "the restarted Consent announces the old event's purpose to Notices");
        var planned = await rep.PostAsJsonAsync("/api/notices/calls", new { phoneNumber = "090-7100-0001", callerName = "Sato", topic = "Expo", purpose = "expo-followup" });
        var answer = await planned.Content.ReadAsStringAsync();
        // Other fields may still be refused (no calling number is published here); the purpose is not.
        Assert.False(planned.StatusCode == HttpStatusCode.BadRequest
            && JsonDocument.Parse(answer).RootElement.TryGetProperty("errors", out var errors) && errors.TryGetProperty("purpose", out _), answer);
        await using var reopened = await after.Services.GetRequiredService<ConsentDatabase>().OpenAsync();
        Assert.Equal(0, await reopened.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM consent_events WHERE purpose_announced_at IS NULL"));
    }

    private static async Task<string[]> PurposesAsync(HttpClient client) =>
        await client.GetFromJsonAsync<string[]>("/api/notices/purposes") ?? [];
}
