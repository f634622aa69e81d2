using System.Net;
using ConsentPlatform.Contracts;
using ConsentPlatform.Testing;
using Dapper;
using Microsoft.Data.Sqlite;
using static ConsentPlatform.Consent.Tests.FormHelpers;
using static ConsentPlatform.Consent.Tests.ImportHelpers;

namespace ConsentPlatform.Consent.Tests;

/// <summary>
/// The write of an import: one transaction of inserts only (Import/ConsentImporter, Ledger/LedgerBatch).
/// Opt-outs arriving meanwhile must still be recorded and win; a write that fails half-way leaves nothing.
/// </summary>
public sealed class ImportWriteTests(ConsentFactory factory) : IClassFixture<ConsentFactory>
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(30);

    private static string NoonInTokyo(int daysFromNow) =>
        new DateTimeOffset(DateTime.SpecifyKind(DateTime.UtcNow.Date.AddDays(daysFromNow).AddHours(12), DateTimeKind.Unspecified), TimeSpan.FromHours(9)).ToString("O");

    private async Task<(string Org, HttpClient Client, string EventId)> EventAsync()
    {
        var (org, client) = await factory.CreateOrganizationAsync();
        var id = (await client.CreateEventAsync(EventBody())).GetProperty("id").GetString()!;
        return (org, client, id);
    }

    /// <summary>Registrations with distinct mobile numbers 090-{prefix}{i:D3}-{i:D4}, consenting to call and sms.</summary>
    private static string[] Registrations(int count, int prefix) =>
        Enumerable.Range(0, count).Select(i => Row(phone: $"090-{prefix}{i / 10_000:D3}-{i % 10_000:D4}", channels: "call sms")).ToArray();

    private static string Number(int prefix, int i) => $"090{prefix}{i / 10_000:D3}{i % 10_000:D4}";

    private async Task<string[]> ReasonsAsync(HttpClient client, string number, string channel) =>
        (await client.CheckAsync(new { phoneNumber = number, channel, purpose = "seminar", at = NoonInTokyo(1) })).Reasons();

    [Fact]
    public async Task Opt_outs_sent_while_a_large_import_is_written_are_recorded_and_the_gate_denies_them_once_both_are_done()
    {
        var (org, client, id) = await EventAsync();
        const int prefix = 4;
        var alsoInFile = Number(prefix, 9876);
        var notInFile = "09012340000";

        var import = client.ImportAsync(id, Csv(Registrations(10_000, prefix)));
        // Opt-outs for numbers of the file keep coming while the import is checked, written and applied: some
        // go before its transaction, some queue behind it, some come after. Whatever the order, each must hold.
        await factory.PublishAsync(Api.OptOut(factory.HashOf(notInFile), org, "responses"));
        await factory.PublishAsync(Api.OptOut(factory.HashOf(alsoInFile), org, "responses", null, "sms"));
        var optedOut = new List<string>();
        do
        {
            optedOut.Add(Number(prefix, optedOut.Count * 7));
            await factory.PublishAsync(Api.OptOut(factory.HashOf(optedOut[^1]), org, "responses"));
            await Task.WhenAny(import, Task.Delay(10));
        }
        while (!import.IsCompleted);
        var response = await import;
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"import: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");

        await Eventually.AssertAsync(async () => await factory.QueryScalarAsync<long>("SELECT COUNT(*) FROM suppressions WHERE organization_id = @org", new { org }) == optedOut.Count + 2,
            Soon, "every opt-out is recorded as a suppression entry");
        foreach (var number in optedOut)
        {
            Assert.Contains("opted_out", await ReasonsAsync(client, number, "call"));
            Assert.Contains("opted_out", await ReasonsAsync(client, number, "sms"));
        }
        Assert.Contains("opted_out", await ReasonsAsync(client, notInFile, "call"));
        Assert.Contains("opted_out", await ReasonsAsync(client, alsoInFile, "sms"));
        // The rest of the import stands: the call consent of the sms-only opt-out, and every other number.
        Assert.Equal("allow", (await client.CheckAsync(new { phoneNumber = alsoInFile, channel = "call", purpose = "seminar", at = NoonInTokyo(1) })).Decision());
        Assert.Equal("allow", (await client.CheckAsync(new { phoneNumber = Number(prefix, 5000), channel = "sms", purpose = "seminar", at = NoonInTokyo(1) })).Decision());
        Assert.Equal(20_000, await factory.QueryScalarAsync<long>("SELECT COUNT(*) FROM consent_ledger WHERE organization_id = @org AND method = 'import'", new { org }));
    }

    [Fact]
    public async Task Import_whose_write_fails_half_way_leaves_no_row_no_message_and_nothing_in_the_gate()
    {
        var (org, client, id) = await EventAsync();
        const int prefix = 5;
        // Every row is valid; the database refuses the 1,501st registration in the middle of the write transaction.
        var rows = Registrations(2_000, prefix);
        rows[1_500] = Row(phone: Number(prefix, 1_500), channels: "call sms", evidence: "refused by the test trigger");
        await using (var connection = new SqliteConnection($"Data Source={Path.Combine(factory.DataFolder, "consent.db")};Pooling=False"))
            await connection.ExecuteAsync("""
                CREATE TRIGGER IF NOT EXISTS test_refuse_import BEFORE INSERT ON consent_ledger
                WHEN NEW.evidence = 'refused by the test trigger'
                BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;
                """);
        try
        {
            var response = await client.ImportAsync(id, Csv(rows));
            Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        }
        finally
        {
            await using var connection = new SqliteConnection($"Data Source={Path.Combine(factory.DataFolder, "consent.db")};Pooling=False");
            await connection.ExecuteAsync("DROP TRIGGER test_refuse_import");
        }

        Assert.Equal(0, await factory.QueryScalarAsync<long>("SELECT COUNT(*) FROM consent_ledger WHERE organization_id = @org", new { org }));
        Assert.Equal(0, await factory.QueryScalarAsync<long>("SELECT COUNT(*) FROM consent_imports WHERE organization_id = @org", new { org }));
        Assert.Equal(0, await factory.QueryScalarAsync<long>("SELECT COUNT(*) FROM outbox_messages WHERE message_type = @type AND body LIKE @org",
            new { type = typeof(ConsentRecorded).FullName, org = $"%{org}%" }));
        // Rows written before the failure never reached the gate either.
        Assert.Equal(["no_consent"], await ReasonsAsync(client, Number(prefix, 0), "call"));

        // The same file without the refused row goes through afterwards: nothing was left locked or half-done.
        rows[1_500] = Row(phone: Number(prefix, 1_500), channels: "call sms");
        await client.ImportOkAsync(id, Csv(rows));
        Assert.Equal(4_000, await factory.QueryScalarAsync<long>("SELECT COUNT(*) FROM consent_ledger WHERE organization_id = @org", new { org }));
    }

    [Fact]
    public async Task Imported_rows_keep_the_file_order_and_take_ascending_ids_so_the_indexes_are_written_in_order()
    {
        var (org, client, id) = await EventAsync();
        const int prefix = 6;
        await client.ImportOkAsync(id, Csv(Registrations(300, prefix)));

        var rows = await factory.QueryAsync<(string Id, string ReceiptId, string Contact, string Channel)>(
            "SELECT id AS Id, receipt_id AS ReceiptId, contact AS Contact, channel AS Channel FROM consent_ledger WHERE organization_id = @org ORDER BY seq", new { org });
        Assert.Equal(Enumerable.Range(0, 300).SelectMany(i => new[] { ("+81" + Number(prefix, i)[1..], "call"), ("+81" + Number(prefix, i)[1..], "sms") }),
            rows.Select(r => (r.Contact, r.Channel)));
        Assert.Equal(rows.Select(r => r.Id).Order(StringComparer.Ordinal), rows.Select(r => r.Id));
        Assert.Equal(600, rows.Select(r => r.Id).Distinct().Count());
        Assert.Equal(rows.Select(r => r.ReceiptId).Order(StringComparer.Ordinal), rows.Select(r => r.ReceiptId));
        Assert.Equal(300, rows.Select(r => r.ReceiptId).Distinct().Count());
        var messageIds = await factory.QueryAsync<string>("SELECT message_id FROM outbox_messages WHERE message_type = @type AND body LIKE @org ORDER BY id",
            new { type = typeof(ConsentRecorded).FullName, org = $"%{org}%" });
        Assert.Equal(600, messageIds.Count);
        Assert.Equal(messageIds.Order(StringComparer.Ordinal), messageIds);
    }
}
