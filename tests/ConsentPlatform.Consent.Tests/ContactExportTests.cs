using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ConsentPlatform.Testing;
using Microsoft.AspNetCore.Mvc.Testing;
using static ConsentPlatform.Consent.Tests.FormHelpers;

namespace ConsentPlatform.Consent.Tests;

public sealed class ContactExportTests(ConsentFactory factory) : IClassFixture<ConsentFactory>
{
    [Fact]
    public async Task Per_contact_export_shows_the_organizations_rows_and_the_suppressions_that_apply()
    {
        var (org, client) = await factory.CreateOrganizationAsync();
        var (_, stranger) = await factory.CreateOrganizationAsync("Stranger K.K.");
        var formId = (await client.CreateEventAsync()).GetProperty("id").GetString()!;
        using var browser = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        await browser.SubmitFormAsync(formId, [Field("channels", "call"), Field("phone", "090-8888-0001")]);
        await factory.PublishAsync(Api.OptOut(factory.HashOf("090-8888-0001"), org, "directory"));

        await Eventually.AssertAsync(async () => (await client.GetFromJsonAsync<JsonElement>("/api/consent/contacts?phoneNumber=%2B819088880001"))
            .GetProperty("suppressions").GetArrayLength() == 1, TimeSpan.FromSeconds(10), "the suppression shows in the export");
        var export = await client.GetFromJsonAsync<JsonElement>("/api/consent/contacts?phoneNumber=090-8888-0001");
        Assert.Equal(["granted", "withdrawn"], export.GetProperty("ledger").EnumerateArray().Select(r => r.GetProperty("action").GetString()));
        Assert.Equal("Cloud Seminar 2026", export.GetProperty("ledger")[0].GetProperty("sourceEvent").GetString());
        var foreign = await stranger.GetFromJsonAsync<JsonElement>("/api/consent/contacts?phoneNumber=090-8888-0001");
        Assert.Equal(0, foreign.GetProperty("ledger").GetArrayLength());
        Assert.Equal(0, foreign.GetProperty("suppressions").GetArrayLength());
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/api/consent/contacts?phoneNumber=12")).StatusCode);
    }
}
