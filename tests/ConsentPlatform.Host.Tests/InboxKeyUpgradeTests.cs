using ConsentPlatform.Consent;
using ConsentPlatform.Consent.Ledger;
using ConsentPlatform.Consent.Requests;
using ConsentPlatform.Consent.Suppression;
using ConsentPlatform.Contracts;
using ConsentPlatform.Directory;
using ConsentPlatform.Notices;
using ConsentPlatform.Notices.Replica;
using ConsentPlatform.Notices.Verification;
using ConsentPlatform.Responses;
using ConsentPlatform.Responses.Crm;
using ConsentPlatform.Responses.Links;
using ConsentPlatform.ServiceDefaults;
using ConsentPlatform.ServiceDefaults.Data;
using ConsentPlatform.ServiceDefaults.Messaging;
using ConsentPlatform.ServiceDefaults.Organizations;
using ConsentPlatform.Testing;
using Dapper;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using DirectoryErasureConsumer = ConsentPlatform.Directory.Erasure.ErasureRequestedConsumer;
using ResponsesErasureConsumer = ConsentPlatform.Responses.Erasure.ErasureRequestedConsumer;

namespace ConsentPlatform.Host.Tests;

/// <summary>
/// Inbox keys used to be written by hand in every Consume; they are now derived from the consumer and message
/// types (ADR 0037). A message handled before the upgrade, under its old key, must not be handled again when it
/// is redelivered after it: each service's migration rewrites the stored keys.
/// </summary>
public abstract class InboxKeyUpgradeTests<TProvider> where TProvider : ITestDatabaseProvider, new()
{
    /// <summary>Every key the consumers wrote by hand before the upgrade, with the consumer and message that now derive one.</summary>
    private static readonly (string Database, string OldKey, Type Consumer, Type Message)[] HandWritten =
    [
        ("consent", "consent.email-requested", typeof(EmailConsentConsumer), typeof(EmailConsentRequested)),
        ("consent", "consent.email-confirmed", typeof(EmailConsentConsumer), typeof(EmailConsentConfirmed)),
        ("consent", "consent.contact-erased", typeof(ContactErasedConsumer), typeof(ContactErased)),
        ("consent", "consent.opt-in", typeof(OptInRequestedConsumer), typeof(OptInRequested)),
        ("consent", "consent.opt-out", typeof(OptOutRequestedConsumer), typeof(OptOutRequested)),
        ("consent", "consent.organization-profile", typeof(OrganizationProfileChangedConsumer<ConsentDatabase>), typeof(OrganizationProfileChanged)),
        ("notices", "notices.send-verification-code", typeof(SendVerificationCodeConsumer), typeof(SendVerificationCode)),
        ("notices", "notices.send-email-confirmation", typeof(SendEmailConfirmationConsumer), typeof(SendEmailConfirmation)),
        ("notices", "notices.place-verification-call", typeof(PlaceVerificationCallConsumer), typeof(PlaceVerificationCall)),
        ("notices", "notices.event-purpose-saved", typeof(ReplicaConsumer), typeof(EventPurposeSaved)),
        ("notices", "notices.contact-suppressed", typeof(ReplicaConsumer), typeof(ContactSuppressed)),
        ("notices", "notices.contact-unsuppressed", typeof(ReplicaConsumer), typeof(ContactUnsuppressed)),
        ("notices", "notices.opt-out-requested", typeof(ReplicaConsumer), typeof(OptOutRequested)),
        ("notices", "notices.consent-recorded", typeof(ReplicaConsumer), typeof(ConsentRecorded)),
        ("notices", "notices.consent-withdrawn", typeof(ReplicaConsumer), typeof(ConsentWithdrawn)),
        ("notices", "notices.erasure-requested", typeof(ReplicaConsumer), typeof(ErasureRequested)),
        ("notices", "notices.caller-number-published", typeof(ReplicaConsumer), typeof(CallerNumberPublished)),
        ("notices", "notices.caller-number-withdrawn", typeof(ReplicaConsumer), typeof(CallerNumberWithdrawn)),
        ("notices", "notices.organization-profile", typeof(OrganizationProfileChangedConsumer<NoticesDatabase>), typeof(OrganizationProfileChanged)),
        ("directory", "directory.erasure-requested", typeof(DirectoryErasureConsumer), typeof(ErasureRequested)),
        ("responses", "responses.response-link", typeof(ResponseLinkIssuedConsumer), typeof(ResponseLinkIssued)),
        ("responses", "responses.consent-provenance", typeof(ConsentRecordedConsumer), typeof(ConsentRecorded)),
        ("responses", "responses.call-notice", typeof(CallNoticeSentConsumer), typeof(CallNoticeSent)),
        ("responses", "responses.preference-suppressed", typeof(PreferenceChangeConsumer), typeof(ContactSuppressed)),
        ("responses", "responses.preference-unsuppressed", typeof(PreferenceChangeConsumer), typeof(ContactUnsuppressed)),
        ("responses", "responses.preference-consent", typeof(PreferenceChangeConsumer), typeof(ConsentRecorded)),
        ("responses", "responses.preference-withdrawn", typeof(PreferenceChangeConsumer), typeof(ConsentWithdrawn)),
        ("responses", "responses.preference-expired", typeof(PreferenceChangeConsumer), typeof(ConsentExpired)),
        ("responses", "responses.erasure-requested", typeof(ResponsesErasureConsumer), typeof(ErasureRequested)),
        ("responses", "responses.organization-profile", typeof(OrganizationProfileChangedConsumer<ResponsesDatabase>), typeof(OrganizationProfileChanged)),
    ];

    private sealed class UpgradedDatabase(string name, PlatformOptions options) : ServiceDatabase(name, options);

    [DatabaseFact]
    public async Task A_message_handled_under_its_old_hand_written_key_is_not_handled_again_after_the_upgrade()
    {
        var folder = Path.Combine(Path.GetTempPath(), "cp-inbox-keys-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(folder);
        try
        {
            var services = new (string Name, System.Reflection.Assembly Assembly)[]
            {
                ("consent", typeof(ConsentDatabase).Assembly), ("notices", typeof(NoticesDatabase).Assembly),
                ("directory", typeof(DirectoryDatabase).Assembly), ("responses", typeof(ResponsesDatabase).Assembly),
            };
            var settings = await new TProvider().SettingsAsync(services.Select(s => s.Name));
            settings["Database:DataFolder"] = folder;
            settings["Hashing:Key"] = Convert.ToBase64String(new byte[32]);
            var options = PlatformOptions.Read(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());

            var handledBefore = new List<(string Database, Guid MessageId, string Key)>();
            foreach (var (name, assembly) in services)
            {
                var database = new UpgradedDatabase(name, options);
                var scripts = Migrator.FindScripts(typeof(ServiceDatabase).Assembly, "Migrations", database.Dialect, "platform")
                    .Concat(Migrator.FindScripts(assembly, "Migrations", database.Dialect, name)).ToList();
                Assert.Equal(2, scripts.Count(s => s.Id.EndsWith("_derived_inbox_keys.sql", StringComparison.Ordinal)));

                // The database as the previous version left it, with messages its consumers handled.
                await Migrator.ApplyAsync(name, database.OpenAsync, database.Dialect, scripts.Where(s => !s.Id.EndsWith("_derived_inbox_keys.sql", StringComparison.Ordinal)), NullLogger.Instance, default);
                await using (var transaction = await database.BeginAsync())
                {
                    foreach (var (_, oldKey, consumer, message) in HandWritten.Where(h => h.Database == name))
                    {
                        var messageId = Guid.NewGuid();
                        Assert.True(await Inbox.TryRecordAsync(transaction, messageId, oldKey));
                        handledBefore.Add((name, messageId, Inbox.KeyOf(consumer, message)));
                    }
                    await transaction.CommitAsync();
                }

                await Migrator.ApplyAsync(name, database.OpenAsync, database.Dialect, scripts, NullLogger.Instance, default);

                // The same messages redelivered: HandleOnceAsync(consumer, …) records under the derived key and runs the effect only if that succeeds.
                await using (var transaction = await database.BeginAsync())
                {
                    foreach (var (_, messageId, key) in handledBefore.Where(h => h.Database == name))
                        Assert.False(await Inbox.TryRecordAsync(transaction, messageId, key), $"{name}: message {messageId} would be handled again under {key}");
                    Assert.True(await Inbox.TryRecordAsync(transaction, Guid.NewGuid(), handledBefore.First(h => h.Database == name).Key));
                }
                await using var connection = await database.OpenAsync();
                Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM inbox_messages WHERE consumer NOT LIKE '%/%'"));
            }
            Assert.Equal(HandWritten.Length, handledBefore.Count);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { System.IO.Directory.Delete(folder, recursive: true); } catch (IOException) { }
        }
    }

    [Fact]
    public void Every_consumer_that_had_a_hand_written_key_derives_a_distinct_one()
    {
        foreach (var group in HandWritten.GroupBy(h => h.Database))
            Assert.Equal(group.Count(), group.Select(h => Inbox.KeyOf(h.Consumer, h.Message)).Distinct().Count());
        Assert.All(HandWritten, h => Assert.Contains(h.Consumer.GetInterfaces(), i => i == typeof(MassTransit.IConsumer<>).MakeGenericType(h.Message)));
    }
}

public sealed class SqliteInboxKeyUpgradeTests : InboxKeyUpgradeTests<SqliteProvider>;

public sealed class PostgreSqlInboxKeyUpgradeTests : InboxKeyUpgradeTests<PostgreSqlProvider>;

public sealed class SqlServerInboxKeyUpgradeTests : InboxKeyUpgradeTests<SqlServerProvider>;
