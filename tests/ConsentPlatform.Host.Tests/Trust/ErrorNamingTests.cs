using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace ConsentPlatform.Host.Tests.Trust;

/// <summary>
/// Findings 8 and 9: in Production, input the framework cannot bind gets problem details naming
/// the JSON path or the parameter, and hostile input that used to crash a handler gets a 4xx.
/// </summary>
public sealed partial class ErrorNamingTests(ProductionHostFactory host) : IClassFixture<ProductionHostFactory>
{
    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task Malformed_json_names_where_it_broke()
    {
        var (_, key) = await host.CreateOrganizationAsync();
        using var client = host.CreateClient(key.Key);

        var fields = await TrustHelpers.ErrorFieldsAsync(await client.PutAsync("/api/directory/organization", Json("{\"legalName\": \"Acme\", \"address\": ")));

        Assert.Equal(["address"], fields);
    }

    [Fact]
    public async Task A_wrongly_typed_json_value_names_its_json_path()
    {
        var (_, key) = await host.CreateOrganizationAsync();
        using var client = host.CreateClient(key.Key);

        var fields = await TrustHelpers.ErrorFieldsAsync(await client.PostAsync("/api/consent/events", Json("{\"title\":\"T\",\"texts\":{\"sms\":{\"ja\":5}}}")));

        Assert.Equal(["texts.sms.ja"], fields);
    }

    [Fact]
    public async Task A_query_value_that_does_not_parse_names_the_parameter()
    {
        var (_, key) = await host.CreateOrganizationAsync();
        using var client = host.CreateClient(key.Key);

        Assert.Equal(["after"], await TrustHelpers.ErrorFieldsAsync(await client.GetAsync("/api/responses/feed?after=yesterday")));
        Assert.Equal(["take"], await TrustHelpers.ErrorFieldsAsync(await client.GetAsync("/api/responses/feed?take=99999999999999")));
    }

    [Fact]
    public async Task A_null_channel_on_event_create_and_update_is_a_400_naming_the_entry_not_a_500()
    {
        var (_, key) = await host.CreateOrganizationAsync();
        using var client = host.CreateClient(key.Key);
        var id = await client.CreateEventAsync();
        var body = JsonSerializer.Serialize(TrustHelpers.EventBody()).Replace("\"channels\":[\"sms\",\"email\"]", "\"channels\":[null]", StringComparison.Ordinal);
        Assert.Contains("[null]", body);

        Assert.Equal(["channels[0]"], await TrustHelpers.ErrorFieldsAsync(await client.PostAsync("/api/consent/events", Json(body))));
        Assert.Equal(["channels[0]"], await TrustHelpers.ErrorFieldsAsync(await client.PutAsync($"/api/consent/events/{id}", Json(body))));
        Assert.Single((await client.GetFromJsonAsync<JsonElement>("/api/consent/events")).EnumerateArray());
    }

    [Fact]
    public async Task A_control_character_in_the_sign_in_return_url_is_a_400_naming_it_not_a_500()
    {
        var (_, key) = await host.CreateOrganizationAsync();
        using var browser = host.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var page = await browser.GetStringAsync("/signin");
        var token = AntiforgeryToken().Match(page).Groups["value"].Value;

        var response = await browser.PostAsync("/signin", new FormUrlEncodedContent(
            [new("__RequestVerificationToken", token), new("key", key.Key), new("returnUrl", "/consent/events\u0001")]));

        Assert.Equal(["returnUrl"], await TrustHelpers.ErrorFieldsAsync(response));
    }

    [GeneratedRegex("<input type=\"hidden\" name=\"__RequestVerificationToken\" value=\"(?<value>[^\"]+)\"")]
    private static partial Regex AntiforgeryToken();
}
