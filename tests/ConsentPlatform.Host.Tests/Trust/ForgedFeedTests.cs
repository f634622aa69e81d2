using System.Net;
using System.Net.Http.Json;
using System.Text;
using ConsentPlatform.Directory.Feeds;
using ConsentPlatform.Directory.Organizations;

namespace ConsentPlatform.Host.Tests.Trust;

/// <summary>Finding 1: a profile value must not be able to add a "verified caller" card to the public vCard feed.</summary>
public sealed class ForgedFeedTests(ProductionHostFactory host) : IClassFixture<ProductionHostFactory>
{
    private const string SecondCard = "\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:4.0\r\nFN:Mega Bank\r\nTEL;VALUE=uri:tel:+81312345678";

    [Fact]
    public async Task Website_url_with_a_line_break_is_refused_naming_the_field_and_nothing_is_published()
    {
        var (_, key) = await host.CreateOrganizationAsync("Forger K.K.");
        using var client = host.CreateClient(key.Key);

        var response = await client.PutAsJsonAsync("/api/directory/organization", new { legalName = "Forger K.K.", websiteUrl = "https://forger.example/" + SecondCard });

        Assert.Equal(["websiteUrl"], await TrustHelpers.ErrorFieldsAsync(response));
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/directory/organization")).StatusCode);
    }

    [Fact]
    public void Every_vcard_value_is_escaped_so_no_value_can_start_a_property_or_card_of_its_own()
    {
        var profile = new DirectoryProfile("org_1", 1, "Forger K.K." + SecondCard, ["Shop" + SecondCard], "Tokyo", null,
            "a@forger.example" + SecondCard, "https://forger.example/" + SecondCard, null, TrustHelpers.FeedTime);

        var card = Encoding.UTF8.GetString(VCardWriter.Write([TrustHelpers.Published(profile, "Sales" + SecondCard, "renewals" + SecondCard)]));

        var lines = card.Replace("\r\n ", "").Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines, l => l == "BEGIN:VCARD");
        Assert.Single(lines, l => l == "END:VCARD");
        Assert.DoesNotContain(lines, l => l.StartsWith("FN:Mega Bank", StringComparison.Ordinal) || l.StartsWith("TEL;VALUE=uri", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("URL:https://forger.example/\\nEND:VCARD\\nBEGIN:VCARD", StringComparison.Ordinal));
    }
}
