using System.Net;
using System.Net.Http.Json;
using ConsentPlatform.Testing;
using ConsentPlatform.Contracts;
using ConsentPlatform.Notices.Replica;
using ConsentPlatform.ServiceDefaults.Messaging;

namespace ConsentPlatform.Host.Tests;

/// <summary>Nothing is lost: what a service committed but had not yet published when it stopped is delivered after it starts again.</summary>
public sealed class RestartDeliveryTests
{
    [Fact]
    public async Task A_message_committed_but_not_yet_published_when_the_host_stopped_reaches_its_consumer_after_the_restart()
    {
        using var folder = new TempDirectory("cp-restart-");
        string key;
        using (var before = new HostOnFolder(folder.Path))
        {
            var (_, issued) = await before.CreateOrganizationAsync("Restart Trading K.K.");
            key = issued.Key;
            using var company = before.CreateClient(key);
            var created = await company.PostAsJsonAsync("/api/consent/events", new
            {
                title = "Winter Expo", purpose = "winter-expo", purposeText = new { ja = "展示会のご案内", en = "About the expo" }, channels = new[] { "sms" },
                texts = new { sms = new { ja = "SMSに同意します。", en = "I agree to SMS." } }, senderLegalName = "Restart Trading K.K.", lifetimeMonths = 12,
            });
            Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
            await Eventually.AssertAsync(async () => (await company.GetFromJsonAsync<string[]>("/api/notices/purposes"))!.Contains("winter-expo"),
                TimeSpan.FromSeconds(15), "Notices learns the purpose");
        }
        // As if the process had stopped between Consent's commit and the relay's publish: the row
        // unsent, and Notices never having seen it.
        await HostOnFolder.ExecuteOfflineAsync(folder.Path, "consent",
            "UPDATE outbox_messages SET sent_at = NULL, claimed_by = NULL, claimed_until = NULL WHERE message_type LIKE '%.EventPurposeSaved'");
        await HostOnFolder.ExecuteOfflineAsync(folder.Path, "notices",
            "DELETE FROM event_purposes; DELETE FROM inbox_messages WHERE consumer = '" + Inbox.KeyOf<ReplicaConsumer, EventPurposeSaved>() + "'");

        using var after = new HostOnFolder(folder.Path);
        using var rep = after.CreateClient(key);
        await Eventually.AssertAsync(async () => (await rep.GetFromJsonAsync<string[]>("/api/notices/purposes"))!.Contains("winter-expo"),
            TimeSpan.FromSeconds(15), "the restarted relay publishes the row to a bus whose consumers are listening");
    }
}
