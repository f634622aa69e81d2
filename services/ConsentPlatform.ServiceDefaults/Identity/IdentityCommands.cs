using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace ConsentPlatform.ServiceDefaults.Identity;

/// <summary>
/// The host's credential commands:
/// <c>org create --name "Acme K.K."</c>, <c>org list</c>,
/// <c>key create --org ORG --scopes consent,notices [--name dialer]</c>, <c>key list --org ORG</c>, <c>key revoke KEY_ID</c>.
/// </summary>
public static class IdentityCommands
{
    public static bool IsCommand(string[] args) => args.Length > 0 && args[0] is "org" or "key";

    public static async Task<int> RunAsync(string[] args, IConfiguration configuration, TextWriter output, TextWriter error)
    {
        var options = PlatformOptions.Read(configuration);
        var database = new IdentityDatabase(options);
        try
        {
            await Data.Migrator.ApplyAsync(database.Name, database.OpenAsync, database.Dialect,
                Data.Migrator.FindScripts(database.MigrationsAssembly, "Migrations.Identity", database.Dialect, "identity"), NullLogger.Instance, default);
        }
        catch (Exception e)
        {
            error.WriteLine(Data.Migrator.Explain(e, "identity", options).Message);
            return 2;
        }
        var store = new IdentityStore(database, options, TimeProvider.System);

        string? Option(string name)
        {
            var i = Array.IndexOf(args, "--" + name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        }

        try
        {
            switch (args.ElementAtOrDefault(0), args.ElementAtOrDefault(1))
            {
                case ("org", "create"):
                    var name = Option("name") ?? throw new ArgumentException("--name is required: the organization's legal name.");
                    var org = await store.CreateOrganizationAsync(name, Option("id"));
                    output.WriteLine($"Created organization {org.Id} ({org.LegalName}).");
                    output.WriteLine(org.Id);
                    return 0;
                case ("org", "list"):
                    foreach (var o in await store.ListOrganizationsAsync())
                        output.WriteLine($"{o.Id}\t{o.LegalName}\t{o.CreatedAt:u}");
                    return 0;
                case ("key", "create"):
                    var orgId = Option("org") ?? throw new ArgumentException("--org is required.");
                    var scopes = (Option("scopes") ?? string.Join(',', Scopes.All)).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                    var issued = await store.CreateKeyAsync(orgId, scopes, Option("name") ?? "default");
                    output.WriteLine($"Created key {issued.Info.Id} for {orgId} with scopes {string.Join(',', issued.Info.Scopes)}. It is shown only now:");
                    output.WriteLine(issued.Key);
                    return 0;
                case ("key", "list"):
                    foreach (var k in await store.ListKeysAsync(Option("org") ?? throw new ArgumentException("--org is required.")))
                        output.WriteLine($"{k.Id}\t{k.Name}\t{string.Join(',', k.Scopes)}\t{k.CreatedAt:u}\t{(k.RevokedAt is { } r ? "revoked " + r.ToString("u") : "active")}");
                    return 0;
                case ("key", "revoke"):
                    var keyId = args.ElementAtOrDefault(2) ?? throw new ArgumentException("Give the key id: key revoke KEY_ID.");
                    var revoked = await store.RevokeKeyAsync(keyId);
                    output.WriteLine(revoked ? $"Revoked key {keyId}; services stop accepting it within {options.IdentityCacheSeconds} s." : $"No active key {keyId}.");
                    return revoked ? 0 : 1;
                default:
                    error.WriteLine("Usage: org create --name NAME [--id ID] | org list | key create --org ORG [--scopes consent,notices,responses,directory] [--name NAME] | key list --org ORG | key revoke KEY_ID");
                    return 2;
            }
        }
        catch (ArgumentException e)
        {
            error.WriteLine(e.Message);
            return 2;
        }
    }
}
