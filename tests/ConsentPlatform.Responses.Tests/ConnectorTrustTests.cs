using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using ConsentPlatform.Responses.Crm;
using ConsentPlatform.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace ConsentPlatform.Responses.Tests;

/// <summary>Where connectors may send responses and secrets (issue 12, findings 2 and 3; ADR 0016).</summary>
public sealed class ConnectorTrustTests : IAsyncLifetime
{
    // Nothing allow-listed, as in production.
    private readonly ResponsesFactory _factory = new(new()
    {
        ["Responses:Crm:FirstRetrySeconds"] = "0.1",
        ["Responses:Crm:MaxBackoffSeconds"] = "0.2",
    });

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    private static async Task<JsonElement> ErrorsAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
    }

    [Theory]
    [InlineData("http://127.0.0.1:9/hook")]
    [InlineData("https://127.0.0.1/hook")]
    [InlineData("https://localhost/hook")]
    [InlineData("https://[::1]/hook")]
    [InlineData("https://169.254.169.254/latest/meta-data/")]
    [InlineData("https://[fd00:ec2::254]/latest/meta-data/")]
    [InlineData("https://[::ffff:127.0.0.1]/hook")]
    [InlineData("https://[::ffff:169.254.169.254]/hook")]
    [InlineData("https://10.0.0.5/hook")]
    [InlineData("https://172.16.8.1/hook")]
    [InlineData("https://192.168.1.1/hook")]
    [InlineData("https://100.64.0.1/hook")]
    [InlineData("https://0.0.0.0/hook")]
    [InlineData("https://224.0.0.1/hook")]
    [InlineData("https://user:pass@crm.example.com/hook")]
    public async Task A_connector_aimed_at_an_internal_address_is_refused_naming_the_url_and_nothing_is_saved(string url)
    {
        var (_, api) = await _factory.CreateOrganizationAsync();

        var errors = await ErrorsAsync(await api.PostAsJsonAsync("/api/responses/connectors", new { kind = "webhook", name = "Internal", url }));

        Assert.True(errors.TryGetProperty("url", out _), errors.ToString());
        Assert.Equal(0, await _factory.CountAsync("SELECT COUNT(*) FROM crm_connectors"));
    }

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("127.8.9.10", true)]
    [InlineData("10.255.0.1", true)]
    [InlineData("172.31.255.255", true)]
    [InlineData("172.32.0.1", false)]
    [InlineData("192.168.0.1", true)]
    [InlineData("100.64.0.1", true)]
    [InlineData("100.127.255.255", true)]
    [InlineData("100.128.0.1", false)]
    [InlineData("169.254.169.254", true)]
    [InlineData("0.0.0.0", true)]
    [InlineData("255.255.255.255", true)]
    [InlineData("239.1.2.3", true)]
    [InlineData("::", true)]
    [InlineData("::1", true)]
    [InlineData("fe80::1", true)]
    [InlineData("fc00::1", true)]
    [InlineData("fd00:ec2::254", true)]
    [InlineData("ff02::1", true)]
    [InlineData("::ffff:10.0.0.1", true)]
    [InlineData("64:ff9b::a9fe:a9fe", true)]
    [InlineData("2002:7f00:1::", true)]
    [InlineData("93.184.216.34", false)]
    [InlineData("8.8.8.8", false)]
    [InlineData("2606:4700:4700::1111", false)]
    [InlineData("::ffff:93.184.216.34", false)]
    public void Addresses_a_connector_may_not_reach(string address, bool refused) =>
        Assert.Equal(refused, OutboundUrlPolicy.IsRefused(IPAddress.Parse(address)));

    [Fact]
    public async Task A_delivery_is_not_sent_when_the_connectors_host_resolves_to_loopback_at_delivery_time()
    {
        // A listener that only counts connections: any attempt to reach it is the forgery.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var accepted = 0;
        _ = Task.Run(async () =>
        {
            while (true)
            {
                try { using var socket = await listener.AcceptSocketAsync(); Interlocked.Increment(ref accepted); }
                catch (Exception e) when (e is SocketException or ObjectDisposedException) { return; }
            }
        });
        var (org, api) = await _factory.CreateOrganizationAsync();
        // Saved as if its name had resolved to a public address then (DNS rebinding): only the store, no save-time check.
        await _factory.Services.GetRequiredService<ConnectorStore>().CreateAsync(org,
            new ConnectorInput { Kind = ConnectorKinds.Webhook, Name = "Rebound", Url = $"https://localhost:{port}/hook" }, CrmEndpoints.NewSecret(), default);
        var link = await _factory.IssueLinkAsync(org);

        await ResponsesFactory.SubmitAsync(_factory.CreateBrowser(), link.Code, ("preferredContact", "phone_ok"));

        string? error = null;
        await Eventually.AssertAsync(async () =>
                (error = (await _factory.QueryAsync<string?>("SELECT last_error FROM crm_deliveries")).FirstOrDefault()) is not null,
            TimeSpan.FromSeconds(10), "the delivery to be attempted");
        Assert.Equal(0, Volatile.Read(ref accepted));
        Assert.Contains("Refused to connect", error);
        Assert.Equal(0, await _factory.CountAsync("SELECT COUNT(*) FROM crm_deliveries WHERE status = 'delivered'"));
    }

    [Fact]
    public async Task Changing_a_salesforce_connectors_url_without_its_secret_is_refused_and_the_secret_goes_nowhere_new()
    {
        await using var factory = new ResponsesFactory(new() { ["Responses:Crm:AllowedHosts"] = "127.0.0.1" });
        await using var salesforce = await FakeSalesforce.StartAsync();
        await using var elsewhere = await FakeSalesforce.StartAsync();
        var (_, api) = await factory.CreateOrganizationAsync();
        var created = await api.PostAsJsonAsync("/api/responses/connectors", new
        {
            kind = "salesforce", name = "Salesforce", url = salesforce.Url, clientId = FakeSalesforce.ClientId,
            secret = FakeSalesforce.ClientSecret, externalIdField = "ConsentPlatform_Id__c",
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("connector").GetProperty("connectorId").GetString();

        var moved = await api.PutAsJsonAsync($"/api/responses/connectors/{id}", new
        {
            name = "Salesforce", url = elsewhere.Url, clientId = FakeSalesforce.ClientId, externalIdField = "ConsentPlatform_Id__c",
        });

        var errors = await ErrorsAsync(moved);
        Assert.True(errors.TryGetProperty("secret", out _), errors.ToString());
        Assert.Equal([salesforce.Url], await factory.QueryAsync<string>("SELECT url FROM crm_connectors"));

        var renamed = await api.PutAsJsonAsync($"/api/responses/connectors/{id}", new
        {
            name = "Salesforce (sales)", url = salesforce.Url, clientId = FakeSalesforce.ClientId, externalIdField = "ConsentPlatform_Id__c",
        });
        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        var movedWithSecret = await api.PutAsJsonAsync($"/api/responses/connectors/{id}", new
        {
            name = "Salesforce", url = elsewhere.Url, clientId = FakeSalesforce.ClientId, secret = FakeSalesforce.ClientSecret, externalIdField = "ConsentPlatform_Id__c",
        });
        Assert.Equal(HttpStatusCode.OK, movedWithSecret.StatusCode);
    }

    [Fact]
    public async Task No_connector_api_returns_a_secret_the_organization_gave()
    {
        await using var factory = new ResponsesFactory(new() { ["Responses:Crm:AllowedHosts"] = "127.0.0.1" });
        var (_, api) = await factory.CreateOrganizationAsync();
        const string secret = "my-own-signing-secret-0123456789";

        var created = await api.PostAsJsonAsync("/api/responses/connectors", new { kind = "webhook", name = "Own secret", url = "http://127.0.0.1:9/hook", secret });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("connector").GetProperty("connectorId").GetString();
        var updated = await api.PutAsJsonAsync($"/api/responses/connectors/{id}", new { name = "Own secret", url = "http://127.0.0.1:9/hook", secret });
        var listed = await api.GetAsync("/api/responses/connectors");

        foreach (var answer in new[] { created, updated, listed })
        {
            Assert.True(answer.IsSuccessStatusCode, $"{answer.RequestMessage!.Method} {(int)answer.StatusCode}");
            Assert.DoesNotContain(secret, await answer.Content.ReadAsStringAsync());
        }
    }
}
