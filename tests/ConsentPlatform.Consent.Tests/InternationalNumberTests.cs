using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ConsentPlatform.Telephony;
using ConsentPlatform.Testing;
using Microsoft.Extensions.Configuration;

namespace ConsentPlatform.Consent.Tests;

/// <summary>Issue 15 through the gate check endpoint: an opt-out is recorded under the E.164 number, so
/// a check has to arrive at that same E.164 from whatever was typed.</summary>
public sealed class InternationalNumberTests(ConsentFactory factory) : IClassFixture<ConsentFactory>
{
    private const string At = "2026-03-02T12:00:00Z";

    private async Task<HttpClient> OptedOutAsync(string e164)
    {
        var (org, client) = await factory.CreateOrganizationAsync();
        await factory.PublishAsync(Api.OptOut(factory.Hasher.Hash(PhoneNumbers.Parse(e164).Number), org, "directory"));
        await Eventually.AssertAsync(async () => (await client.CheckAsync(new { phoneNumber = e164, channel = "call", purpose = "seminar", at = At })).Reasons().Contains("opted_out"),
            TimeSpan.FromSeconds(10), "the opt-out reaches the gate");
        return client;
    }

    [Theory]
    [InlineData("+31 06 12345678", "+31612345678")]
    [InlineData("+44 (0)20 7946 0000", "+442079460000")]
    [InlineData("+43 01 234567890", "+431234567890")]
    public async Task Check_with_a_trunk_prefix_after_the_country_code_finds_the_opt_out_of_the_e164_number(string typed, string e164)
    {
        var client = await OptedOutAsync(e164);

        var check = await client.CheckAsync(new { phoneNumber = typed, channel = "call", purpose = "seminar", at = At });

        Assert.Contains("opted_out", check.Reasons());
    }

    [Fact]
    public async Task Check_reads_a_national_number_in_the_default_region_it_is_given()
    {
        var client = await OptedOutAsync("+31612345678");

        var check = await client.CheckAsync(new { phoneNumber = "06 12345678", defaultRegion = "NL", channel = "call", purpose = "seminar", at = At });

        Assert.Contains("opted_out", check.Reasons());
    }

    [Theory]
    [InlineData("""{"phoneNumber":"+1 444 339 8019","channel":"call","purpose":"seminar"}""", "phoneNumber", "not in use")]
    [InlineData("""{"phoneNumber":"06 12345678","defaultRegion":"XX","channel":"call","purpose":"seminar"}""", "defaultRegion", "ISO 3166-1")]
    public async Task Unallocated_number_or_unknown_region_is_a_400_naming_the_field(string body, string field, string words)
    {
        var (_, client) = await factory.CreateOrganizationAsync();

        var response = await client.PostAsync("/api/consent/checks", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains(words, problem.GetProperty("errors").GetProperty(field)[0].GetString());
    }

    [Fact]
    public void Organization_default_regions_are_read_from_configuration_and_japan_stays_the_default()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Consent:DefaultRegions:org_nl"] = "nl",
        }).Build();

        var options = ConsentOptions.Read(configuration);

        Assert.Equal("NL", options.RegionFor("org_nl"));
        Assert.Equal("JP", options.RegionFor("org_other"));
    }

    [Fact]
    public void Unknown_default_region_is_a_start_up_error_naming_the_key()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Consent:DefaultRegions:org_x"] = "XX",
        }).Build();

        var options = ConsentOptions.Read(configuration);

        Assert.Contains(options.Errors, e => e.StartsWith("Consent:DefaultRegions:org_x: 'XX' is not valid", StringComparison.Ordinal));
    }
}
