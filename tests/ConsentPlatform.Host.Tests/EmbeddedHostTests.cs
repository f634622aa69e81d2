using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace ConsentPlatform.Host.Tests;

public sealed class EmbeddedHostTests(HostFactory host) : IClassFixture<HostFactory>
{
    [Fact]
    public async Task Host_is_ready_and_its_landing_page_lists_every_service_and_its_openapi_document()
    {
        using var client = host.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);

        var landing = await client.GetStringAsync("/");
        foreach (var service in new[] { "consent", "notices", "responses", "directory" })
        {
            Assert.Contains($"/openapi/{service}.json", landing);
            var document = await client.GetFromJsonAsync<JsonElement>($"/openapi/{service}.json");
            Assert.True(document.GetProperty("paths").EnumerateObject().Any(p => p.Name.StartsWith($"/api/{service}/", StringComparison.Ordinal)),
                $"the {service} document lists its own API");
        }
        Assert.Contains("/directory/organization", landing);
    }

    [Fact]
    public async Task Profile_published_by_directory_reaches_consent_notices_and_responses_through_the_outbox()
    {
        var (_, key) = await host.CreateOrganizationAsync("Outbox Trading K.K.");
        using var client = host.CreateClient(key.Key);

        var put = await client.PutAsJsonAsync("/api/directory/organization", new
        {
            legalName = "Outbox Trading K.K.", contactEmail = "privacy@outbox.example", privacyPolicyUrl = "https://outbox.example/privacy",
        });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);

        foreach (var service in new[] { "consent", "notices", "responses" })
        {
            await Testing.Eventually.AssertAsync(async () =>
            {
                var response = await client.GetAsync($"/api/{service}/organization");
                return response.IsSuccessStatusCode
                    && (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("legalName").GetString() == "Outbox Trading K.K.";
            }, TimeSpan.FromSeconds(10), $"{service} receives the profile");
        }
    }

    [Fact]
    public async Task Invalid_profile_is_refused_with_problem_details_naming_the_fields_and_nothing_is_published()
    {
        var (_, key) = await host.CreateOrganizationAsync();
        using var client = host.CreateClient(key.Key);

        var response = await client.PutAsJsonAsync("/api/directory/organization", new { legalName = "", contactEmail = "not-an-email", websiteUrl = "javascript:alert(1)" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("legalName", out _));
        Assert.True(errors.TryGetProperty("contactEmail", out _));
        Assert.True(errors.TryGetProperty("websiteUrl", out _));
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/directory/organization")).StatusCode);
    }

    [Fact]
    public async Task Malformed_json_gets_a_problem_details_400()
    {
        var (_, key) = await host.CreateOrganizationAsync();
        using var client = host.CreateClient(key.Key);
        var response = await client.PutAsync("/api/directory/organization", new StringContent("{\"legalName\": ", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
