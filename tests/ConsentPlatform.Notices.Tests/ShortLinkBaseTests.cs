using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ConsentPlatform.Notices.Calls;
using ConsentPlatform.Notices.Templates;
using ConsentPlatform.Testing;

namespace ConsentPlatform.Notices.Tests;

/// <summary>Short links point where the platform really is (ADR 0020), never at a fixed address.</summary>
public sealed class ShortLinkBaseTests
{
    private const string Mobile = "090-1234-5678";
    private const string CallingNumber = "+81312345678";

    [Theory]
    [InlineData(new[] { "http://127.0.0.1:5123" }, "http://127.0.0.1:5123")]
    [InlineData(new[] { "http://[::]:8080" }, "http://localhost:8080")]
    [InlineData(new[] { "http://0.0.0.0:8080" }, "http://localhost:8080")]
    [InlineData(new[] { "http://+:80" }, "http://localhost:80")]
    [InlineData(new[] { "http://*:5000", "https://*:5001" }, "https://localhost:5001")]
    [InlineData(new[] { "http://[::1]:7000" }, "http://[::1]:7000")]
    public void The_listening_address_prefers_https_and_names_wildcards_localhost(string[] addresses, string expected) =>
        Assert.Equal(expected, ShortLinks.Choose(addresses));

    [Fact]
    public async Task Without_configuration_the_link_names_the_port_the_service_listens_on()
    {
        var port = FreePort.Next();
        using var factory = new NoticesFactory();
        factory.UseKestrel(port);
        factory.KestrelAddress = new Uri($"http://127.0.0.1:{port}");
        factory.StartServer();

        var link = await PlanAsync(factory);

        Assert.Matches($"^http://127\\.0\\.0\\.1:{port}/r/[0-9A-Za-z]{{10}}$", link);
    }

    [Theory]
    [InlineData("https://consent.example.jp", null, "https://consent.example.jp/r/")]
    [InlineData("https://notices.example.jp/", "https://go.example.jp/r/", "https://go.example.jp/r/")]
    public async Task A_configured_public_address_or_short_link_base_is_used(string publicBase, string? shortLinkBase, string expected)
    {
        using var factory = new NoticesFactory(new Dictionary<string, string?> { ["Notices:PublicBaseUrl"] = publicBase, ["Notices:ShortLinkBaseUrl"] = shortLinkBase });

        Assert.StartsWith(expected, await PlanAsync(factory));
    }

    private static async Task<string> PlanAsync(NoticesFactory factory)
    {
        var (org, client) = await factory.CreateOrganizationAsync();
        await factory.PublishCallingNumberAsync(org, CallingNumber);
        await factory.RecordSmsConsentAsync(org, Mobile);
        var response = await client.PostAsJsonAsync("/api/notices/calls", new
        {
            phoneNumber = Mobile, callerName = "山田", topic = "新サービスのご案内", callingNumber = CallingNumber, purpose = "sales",
        });
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var call = (await response.Content.ReadFromJsonAsync<CallView>(JsonSerializerOptions.Web))!;
        var notice = Assert.Single(call.Notices);
        Assert.Null(notice.Reason);
        return notice.Link!;
    }
}
