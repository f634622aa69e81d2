using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ConsentPlatform.Directory.Feeds;

namespace ConsentPlatform.Directory.Tests;

public sealed class FeedFixture : DirectoryApp
{
    public const string LongName = "株式会社とても長い名前の東京中央テレフォンマーケティングサービス; Sales, Japan \\ 支社";
    private readonly Lazy<Task<string>> _seeded;

    public FeedFixture() => _seeded = new(SeedAsync);

    /// <summary>The organization id of the seeded organization.</summary>
    public Task<string> SeededAsync() => _seeded.Value;

    private async Task<string> SeedAsync()
    {
        var (org, client) = await CreateOrganizationAsync(LongName, tradeNames: ["ACME, Inc.", "東京コール;本店"]);
        await PublishNumberAsync(client, "03-1234-0001", "営業部");
        await PublishNumberAsync(client, "090-1234-0002", "=HYPERLINK(\"http://evil.example\")");
        var (_, other) = await CreateOrganizationAsync("Other K.K.");
        await PublishNumberAsync(other, "06-1234-0003");
        return org;
    }
}

public sealed class FeedTests(FeedFixture app) : IClassFixture<FeedFixture>
{
    [Fact]
    public async Task VCard_follows_rfc_6350_and_survives_a_parse_round_trip()
    {
        var org = await app.SeededAsync();
        using var client = app.CreatePublicClient();
        var response = await client.GetAsync($"/api/public/directory/organizations/{org}/feed.vcf");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/vcard", response.Content.Headers.ContentType?.MediaType);
        var bytes = await response.Content.ReadAsByteArrayAsync();

        var card = Assert.Single(VCard.Parse(bytes));
        Assert.Equal("BEGIN", card[0].Name);
        Assert.Equal("VERSION", card[1].Name); // VERSION right after BEGIN (§6.7.9)
        Assert.Equal("4.0", card[1].RawValue);
        Assert.Equal("END", card[^1].Name);
        Assert.Equal(FeedFixture.LongName, Assert.Single(card, p => p.Name == "FN").Text);
        Assert.Equal(FeedFixture.LongName, Assert.Single(card, p => p.Name == "ORG").Text);
        Assert.Equal(["ACME, Inc.", "東京コール;本店"], Assert.Single(card, p => p.Name == "NICKNAME").TextList);

        var tels = card.Where(p => p.Name == "TEL").ToList();
        Assert.Equal(["tel:+81312340001", "tel:+819012340002"], tels.Select(t => t.RawValue));
        Assert.All(tels, t =>
        {
            Assert.Equal("work,voice", t.Parameters["TYPE"]);
            Assert.Equal("uri", t.Parameters["VALUE"]);
        });
        Assert.Contains("営業部", Assert.Single(card, p => p.Name == "NOTE").Text);
        // The long Japanese name had to be folded, and no line broke a character (PhysicalLines decodes each strictly).
        Assert.True(VCard.PhysicalLines(bytes).Count(l => l.StartsWith(' ')) >= 2);
    }

    [Fact]
    public async Task All_organizations_feed_has_one_card_per_organization_with_all_its_numbers()
    {
        await app.SeededAsync();
        using var client = app.CreatePublicClient();
        var cards = VCard.Parse(await client.GetByteArrayAsync("/api/public/directory/feed.vcf"));
        Assert.Equal(2, cards.Count);
        Assert.Equal(3, cards.Sum(c => c.Count(p => p.Name == "TEL")));
        Assert.Contains(cards, c => c.Single(p => p.Name == "FN").Text == "Other K.K." && c.Single(p => p.Name == "TEL").RawValue == "tel:+81612340003");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(40)]
    [InlineData(74)]
    [InlineData(75)]
    [InlineData(76)]
    [InlineData(300)]
    public void Folding_never_splits_a_multibyte_character_and_unfolds_to_the_original(int characters)
    {
        // Mixed widths: 1-byte ASCII, 3-byte kanji, 4-byte emoji (a surrogate pair in .NET).
        var pieces = new[] { "a", "東", "😀", "ü" };
        var value = string.Concat(Enumerable.Range(0, characters).Select(i => pieces[i % pieces.Length]));
        var line = "NOTE:" + value;
        using var output = new MemoryStream();
        VCardWriter.WriteFolded(output, line);

        var physical = VCard.PhysicalLines(output.ToArray());
        var unfolded = physical[0] + string.Concat(physical.Skip(1).Select(l => { Assert.StartsWith(" ", l); return l[1..]; }));
        Assert.Equal(line, unfolded);
    }

    [Fact]
    public async Task Csv_has_a_row_per_number_quotes_separators_and_neutralizes_formulas()
    {
        var org = await app.SeededAsync();
        using var client = app.CreatePublicClient();
        var response = await client.GetAsync($"/api/public/directory/organizations/{org}/feed.csv");
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var text = Encoding.UTF8.GetString(await response.Content.ReadAsByteArrayAsync()).TrimStart('\uFEFF');
        var lines = text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);

        Assert.StartsWith("organization_id,legal_name,trade_names,phone_number,", lines[0]);
        Assert.Equal(3, lines.Length);
        Assert.Contains("\"ACME, Inc. / 東京コール;本店\"", lines[1]);
        Assert.Contains(",+81312340001,03-1234-0001,営業部,", lines[1]);
        Assert.Contains(",\"'=HYPERLINK(\"\"http://evil.example\"\")\",", lines[2]);
    }

    [Fact]
    public async Task Csv_feed_starts_with_one_utf8_bom_for_excel_and_bom_false_leaves_it_out()
    {
        var org = await app.SeededAsync();
        using var client = app.CreatePublicClient();
        var path = $"/api/public/directory/organizations/{org}/feed.csv";

        var with = await client.GetAsync(path);
        var withBytes = await with.Content.ReadAsByteArrayAsync();
        var without = await client.GetByteArrayAsync(path + "?bom=false");

        Assert.Equal([0xEF, 0xBB, 0xBF], withBytes[..3]);
        Assert.Equal((byte)'o', withBytes[3]);
        Assert.Equal(withBytes.Length, with.Content.Headers.ContentLength);
        Assert.Equal(withBytes[3..], without);
    }

    [Fact]
    public async Task Json_feed_lists_organizations_with_their_numbers_in_the_documented_shape()
    {
        var org = await app.SeededAsync();
        using var client = app.CreatePublicClient();
        var feed = await client.GetFromJsonAsync<JsonElement>("/api/public/directory/feed.json");
        var organization = feed.GetProperty("organizations").EnumerateArray().Single(o => o.GetProperty("organizationId").GetString() == org);
        Assert.Equal(FeedFixture.LongName, organization.GetProperty("legalName").GetString());
        var numbers = organization.GetProperty("numbers").EnumerateArray().ToList();
        Assert.Equal(["+81312340001", "+819012340002"], numbers.Select(n => n.GetProperty("phoneNumber").GetString()));
        Assert.Equal("Asia/Tokyo", numbers[0].GetProperty("callingHours").GetProperty("timeZone").GetString());

        // Every property the feed carries is in the OpenAPI schema of its type.
        var schemas = (await client.GetFromJsonAsync<JsonElement>("/openapi/directory.json")).GetProperty("components").GetProperty("schemas");
        void Covered(JsonElement value, string schema)
        {
            var properties = schemas.GetProperty(schema).GetProperty("properties");
            foreach (var property in value.EnumerateObject()) Assert.True(properties.TryGetProperty(property.Name, out _), $"{schema}.{property.Name}");
        }
        Covered(feed, "DirectoryFeed");
        Covered(organization, "FeedOrganization");
        Covered(numbers[0], "FeedNumber");
    }

    [Theory]
    [InlineData("/api/public/directory/feed.vcf")]
    [InlineData("/api/public/directory/feed.csv")]
    [InlineData("/api/public/directory/feed.json")]
    public async Task Feeds_carry_validators_and_answer_304_on_revalidation(string path)
    {
        await app.SeededAsync();
        using var client = app.CreatePublicClient();
        var first = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var etag = first.Headers.ETag;
        var lastModified = first.Content.Headers.LastModified;
        Assert.NotNull(etag);
        Assert.False(etag.IsWeak);
        Assert.NotNull(lastModified);
        Assert.True(first.Headers.CacheControl is { Public: true, MaxAge: not null });

        using var byTag = new HttpRequestMessage(HttpMethod.Get, path);
        byTag.Headers.IfNoneMatch.Add(etag);
        var notModified = await client.SendAsync(byTag);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());
        Assert.Equal(etag, notModified.Headers.ETag);

        using var byDate = new HttpRequestMessage(HttpMethod.Get, path);
        byDate.Headers.IfModifiedSince = lastModified;
        Assert.Equal(HttpStatusCode.NotModified, (await client.SendAsync(byDate)).StatusCode);

        using var otherTag = new HttpRequestMessage(HttpMethod.Get, path);
        otherTag.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"something-else\""));
        otherTag.Headers.IfModifiedSince = lastModified; // ignored when If-None-Match is present
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(otherTag)).StatusCode);

        using var older = new HttpRequestMessage(HttpMethod.Get, path);
        older.Headers.IfModifiedSince = lastModified!.Value.AddSeconds(-1);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(older)).StatusCode);
    }

    [Fact]
    public async Task Unknown_organization_feed_is_404()
    {
        using var client = app.CreatePublicClient();
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/public/directory/organizations/org_doesnotexist/feed.vcf")).StatusCode);
    }
}

/// <summary>A fresh app: the feed's validators change when a number is published or withdrawn.</summary>
public sealed class FeedChangeTests : IDisposable
{
    private readonly DirectoryApp _app = new();

    [Fact]
    public async Task Publishing_or_withdrawing_a_number_changes_the_etag_and_a_stale_copy_is_refetched()
    {
        var (_, client) = await _app.CreateOrganizationAsync("Changing K.K.");
        var first = await _app.PublishNumberAsync(client, "03-4444-0001");
        using var reader = _app.CreatePublicClient();
        var before = await reader.GetAsync("/api/public/directory/feed.vcf");
        var etag = before.Headers.ETag!;

        await _app.PublishNumberAsync(client, "03-4444-0002");
        using var afterPublish = new HttpRequestMessage(HttpMethod.Get, "/api/public/directory/feed.vcf");
        afterPublish.Headers.IfNoneMatch.Add(etag);
        var refreshed = await reader.SendAsync(afterPublish);
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        Assert.Contains("tel:+81344440002", await refreshed.Content.ReadAsStringAsync());

        await client.PostAsync($"/api/directory/numbers/{first.GetProperty("id").GetString()}/withdrawal", null);
        using var afterWithdraw = new HttpRequestMessage(HttpMethod.Get, "/api/public/directory/feed.vcf");
        afterWithdraw.Headers.IfNoneMatch.Add(refreshed.Headers.ETag!);
        var withdrawn = await reader.SendAsync(afterWithdraw);
        Assert.Equal(HttpStatusCode.OK, withdrawn.StatusCode);
        Assert.DoesNotContain("tel:+81344440001", await withdrawn.Content.ReadAsStringAsync());
    }

    public void Dispose() => _app.Dispose();
}
