using ConsentPlatform.Host;
using ConsentPlatform.ServiceDefaults.Identity;
using ConsentPlatform.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ConsentPlatform.Host.Tests;

/// <summary>The all-in-one host in process, on its own temporary data folder.</summary>
public class HostFactory : WebApplicationFactory<HostAssembly>
{
    private readonly TempDirectory _data = new("cp-host-");

    public string DataFolder => _data.Path;

    protected virtual string EnvironmentName => Environments.Development;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(EnvironmentName);
        builder.UseSetting("Database:DataFolder", _data.Path);
        builder.UseSetting("Identity:CacheSeconds", "1");
        builder.UseSetting("RateLimiting:PublicRequestsPerMinute", "100000");
        builder.UseSetting("Outbox:PollMilliseconds", "20");
    }

    public IdentityStore Identity => Services.GetRequiredService<IdentityStore>();

    /// <summary>A new organization and a key for it with the given scopes (all when none given).</summary>
    public async Task<(string OrganizationId, IssuedApiKey Key)> CreateOrganizationAsync(string legalName = "Acme K.K.", params string[] scopes)
    {
        var org = await Identity.CreateOrganizationAsync(legalName);
        var key = await Identity.CreateKeyAsync(org.Id, scopes.Length == 0 ? Scopes.All.ToArray() : scopes, "test");
        return (org.Id, key);
    }

    public HttpClient CreateClient(string apiKey)
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Authorization = new("Bearer", apiKey);
        return client;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (disposing) _data.Dispose();
    }
}

/// <summary>The host as `dotnet run` starts it without launch settings: what an attacker meets.</summary>
public sealed class ProductionHostFactory : HostFactory
{
    protected override string EnvironmentName => Environments.Production;
}
