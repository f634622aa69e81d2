using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace ConsentPlatform.Host.Tests.Trust;

/// <summary>Finding 12: NUL, control characters and bidirectional overrides are refused in every text field, at the edge.</summary>
public sealed class HostileTextTests(ProductionHostFactory host) : IClassFixture<ProductionHostFactory>
{
    public static TheoryData<string> Hostile => ["Acme\0K.K.", "Acme \u202Egnp.exe", "Acme \u2066K.K.\u2069", "Acme\u0085K.K.", "Acme\u001bK.K."];

    [Theory]
    [MemberData(nameof(Hostile))]
    public async Task Legal_name_with_hostile_characters_is_refused_naming_the_field(string legalName)
    {
        var (_, key) = await host.CreateOrganizationAsync();
        using var client = host.CreateClient(key.Key);

        var response = await client.PutAsJsonAsync("/api/directory/organization", new { legalName, contactEmail = "privacy@acme.example" });

        Assert.Equal(["legalName"], await TrustHelpers.ErrorFieldsAsync(response));
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/directory/organization")).StatusCode);
    }

    [Fact]
    public async Task Caller_name_that_goes_into_an_sms_is_refused_with_a_bidi_override()
    {
        var (_, key) = await host.CreateOrganizationAsync();
        using var client = host.CreateClient(key.Key);

        var response = await client.PostAsJsonAsync("/api/notices/calls", new
        {
            phoneNumber = "090-1234-5678", callerName = "Tanaka \u202Eknab ruoy", topic = "Renewal", callingNumber = "03-1234-5678", purpose = "sales",
        });

        // The organization has no events, so the purpose is named too; the caller's name is what this test is about.
        Assert.Contains("callerName", await TrustHelpers.ErrorFieldsAsync(response));
    }

    [Fact]
    public async Task Event_title_and_consent_text_are_refused_with_nul_or_bidi_but_a_consent_text_may_have_several_lines()
    {
        var (_, key) = await host.CreateOrganizationAsync();
        using var client = host.CreateClient(key.Key);

        var title = await client.PostAsJsonAsync("/api/consent/events", TrustHelpers.EventBody(title: "Seminar\0"));
        Assert.Equal(["title"], await TrustHelpers.ErrorFieldsAsync(title));
        var text = await client.PostAsJsonAsync("/api/consent/events", TrustHelpers.EventBody(smsJa: "同意します\u202Aします"));
        Assert.Equal(["texts.sms.ja"], await TrustHelpers.ErrorFieldsAsync(text));
        Assert.Empty((await client.GetFromJsonAsync<JsonElement>("/api/consent/events")).EnumerateArray());

        await client.CreateEventAsync(TrustHelpers.EventBody(smsJa: "一行目\r\n二行目"));
    }

    [Fact]
    public async Task Accepted_text_is_stored_in_nfc()
    {
        var (_, key) = await host.CreateOrganizationAsync();
        using var client = host.CreateClient(key.Key);

        var put = await client.PutAsJsonAsync("/api/directory/organization", new { legalName = "Cafe\u0301 K.K.", contactEmail = "privacy@cafe.example" });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);

        var profile = await client.GetFromJsonAsync<JsonElement>("/api/directory/organization");
        Assert.Equal("Caf\u00e9 K.K.", profile.GetProperty("legalName").GetString());
    }
}
