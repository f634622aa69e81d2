using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace ConsentPlatform.Consent.Tests;

/// <summary>CSV for Japanese Excel (issue 14): downloads carry the UTF-8 BOM unless ?bom=false; uploads may be Shift_JIS (CP932).</summary>
public sealed class CsvEncodingTests(ConsentFactory factory) : IClassFixture<ConsentFactory>
{
    private static readonly byte[] Bom = [0xEF, 0xBB, 0xBF];

    private static Encoding ShiftJis()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return Encoding.GetEncoding(932);
    }

    private static ByteArrayContent Csv(byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        return content;
    }

    [Fact]
    public async Task Ledger_csv_read_as_bytes_starts_with_the_utf8_bom_and_bom_false_leaves_it_out()
    {
        var (_, client) = await factory.CreateOrganizationAsync();

        var withBom = await client.GetByteArrayAsync("/api/consent/ledger?format=csv");
        var without = await client.GetByteArrayAsync("/api/consent/ledger?format=csv&bom=false");

        Assert.Equal(Bom, withBom[..3]);
        Assert.NotEqual(Bom, without[..3]);
        Assert.Equal(without, withBom[3..]);
        Assert.StartsWith("id,", Encoding.UTF8.GetString(without), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Contact_export_and_scrub_result_csv_start_with_the_bom_too_and_json_does_not()
    {
        var (_, client) = await factory.CreateOrganizationAsync();

        var contact = await client.GetByteArrayAsync("/api/consent/contacts?phoneNumber=090-7777-0001&format=csv");
        var scrub = await client.PostAsync("/api/consent/scrubs?channel=call&purpose=seminar", Csv(Encoding.UTF8.GetBytes("phone\n090-7777-0001\n")));
        Assert.Equal(HttpStatusCode.Created, scrub.StatusCode);
        var result = await client.GetAsync(scrub.Headers.Location + "/result");
        var resultBytes = await result.Content.ReadAsByteArrayAsync();
        var json = await client.GetByteArrayAsync("/api/consent/ledger?format=json");

        Assert.Equal(Bom, contact[..3]);
        Assert.Equal(Bom, resultBytes[..3]);
        Assert.Equal(resultBytes.Length, result.Content.Headers.ContentLength);
        Assert.Equal((byte)'[', json[0]);
    }

    [Fact]
    public async Task Permission_check_audit_csv_starts_with_the_bom_and_bom_false_leaves_it_out()
    {
        var (_, _, browser) = await factory.SignedInAsync();

        var withBom = await browser.GetByteArrayAsync("/consent/console/audit.csv");
        var without = await browser.GetByteArrayAsync("/consent/console/audit.csv?bom=false");

        Assert.Equal(Bom, withBom[..3]);
        Assert.StartsWith("checked_at,", Encoding.UTF8.GetString(without), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cp932_scrub_upload_gives_correct_results_and_says_it_was_converted()
    {
        var (_, client) = await factory.CreateOrganizationAsync();
        var upload = ShiftJis().GetBytes("氏名,電話番号\n山田 太郎,090-7777-0002\n佐藤,12\n");

        var response = await client.PostAsync("/api/consent/scrubs?channel=call&purpose=seminar", Csv(upload));
        var job = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.True(response.StatusCode == HttpStatusCode.Created, job.ToString());
        Assert.Equal("Shift_JIS (CP932)", job.GetProperty("convertedFrom").GetString());
        var result = Encoding.UTF8.GetString((await client.GetByteArrayAsync(response.Headers.Location + "/result"))[3..]);
        var lines = result.ReplaceLineEndings("\n").Split('\n');
        Assert.Equal("氏名,電話番号,decision,reasons", lines[0]);
        // The number was found in the 電話番号 column and read (no consent for it), not taken for an invalid one.
        Assert.StartsWith("山田 太郎,090-7777-0002,deny,no_consent", lines[1], StringComparison.Ordinal);
        Assert.Equal("佐藤,12,deny,invalid_number", lines[2]);
    }

    [Fact]
    public async Task Utf8_scrub_upload_with_or_without_bom_is_not_converted()
    {
        var (_, client) = await factory.CreateOrganizationAsync();
        foreach (var upload in new[] { Encoding.UTF8.GetBytes("電話番号\n090-7777-0003\n"), [.. Bom, .. Encoding.UTF8.GetBytes("電話番号\n090-7777-0003\n")] })
        {
            var response = await client.PostAsync("/api/consent/scrubs?channel=call&purpose=seminar", Csv(upload));
            var job = await response.Content.ReadFromJsonAsync<JsonElement>();

            Assert.True(response.StatusCode == HttpStatusCode.Created, job.ToString());
            Assert.Equal(JsonValueKind.Null, job.GetProperty("convertedFrom").ValueKind);
            Assert.Equal(1, job.GetProperty("rowsChecked").GetInt32());
        }
    }

    [Theory]
    [InlineData("scrubs?channel=call&purpose=seminar")]
    [InlineData("events/{event}/imports")]
    public async Task Upload_that_is_neither_utf8_nor_cp932_is_a_400_naming_the_encoding_and_the_first_bad_byte(string path)
    {
        var (_, client) = await factory.CreateOrganizationAsync();
        var eventId = (await client.CreateEventAsync()).GetProperty("id").GetString()!;
        // 0x81 is a Shift_JIS lead byte, and a space cannot follow it; in UTF-8 it is a stray continuation byte.
        byte[] upload = [.. Encoding.ASCII.GetBytes("phone\n090"), 0x81, 0x20, .. Encoding.ASCII.GetBytes("\n")];

        var response = await client.PostAsync($"/api/consent/{path.Replace("{event}", eventId, StringComparison.Ordinal)}", Csv(upload));
        var problem = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, problem);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("\"file\"", problem);
        Assert.Contains("offset 9", problem);
        Assert.Contains("0x81", problem);
        Assert.Contains("UTF-8", problem);
    }
}
