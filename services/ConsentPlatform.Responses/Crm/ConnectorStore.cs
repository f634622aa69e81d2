using ConsentPlatform.ServiceDefaults.Data;
using Dapper;
using Microsoft.AspNetCore.DataProtection;

namespace ConsentPlatform.Responses.Crm;

public static class ConnectorKinds
{
    public const string Webhook = "webhook";
    public const string Salesforce = "salesforce";
    public static readonly IReadOnlyList<string> All = [Webhook, Salesforce];
}

/// <summary>A CRM connector. Secrets are kept encrypted (Data Protection) and never returned by the API.</summary>
public sealed record Connector
{
    public string ConnectorId { get; init; } = "";
    public string OrganizationId { get; init; } = "";
    public string Kind { get; init; } = "";
    public string Name { get; init; } = "";
    public bool Enabled { get; init; }
    public string Url { get; init; } = "";
    public string? Secret { get; init; }
    public string? ClientId { get; init; }
    public string? ExternalIdField { get; init; }
    public string? ApiVersion { get; init; }
    public long CreatedAt { get; init; }
    public long UpdatedAt { get; init; }
}

/// <summary>What the API and pages show of a connector.</summary>
public sealed record ConnectorInfo(
    string ConnectorId, string Kind, string Name, bool Enabled, string Url, string? ClientId, string? ExternalIdField,
    string? ApiVersion, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static ConnectorInfo From(Connector c) => new(c.ConnectorId, c.Kind, c.Name, c.Enabled, c.Url, c.ClientId, c.ExternalIdField,
        c.ApiVersion, DateTimeOffset.FromUnixTimeMilliseconds(c.CreatedAt), DateTimeOffset.FromUnixTimeMilliseconds(c.UpdatedAt));
}

public sealed class ConnectorStore(ResponsesDatabase database, IDataProtectionProvider protection, TimeProvider time)
{
    private readonly IDataProtector _protector = protection.CreateProtector("ConsentPlatform.Responses.CrmSecrets");

    private const string Columns = """
        connector_id AS ConnectorId, organization_id AS OrganizationId, kind AS Kind, name AS Name, enabled AS Enabled, url AS Url,
        secret AS Secret, client_id AS ClientId, external_id_field AS ExternalIdField, api_version AS ApiVersion,
        created_at AS CreatedAt, updated_at AS UpdatedAt
        """;

    public async Task<Connector> CreateAsync(string organizationId, ConnectorInput input, string secret, CancellationToken ct)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var connector = new Connector
        {
            ConnectorId = Guid.NewGuid().ToString(), OrganizationId = organizationId, Kind = input.Kind!, Name = input.Name!.Trim(),
            Enabled = input.Enabled ?? true, Url = input.Url!.Trim(), Secret = secret, ClientId = ConnectorInput.Clean(input.ClientId),
            ExternalIdField = ConnectorInput.Clean(input.ExternalIdField),
            ApiVersion = input.Kind == ConnectorKinds.Salesforce ? ConnectorInput.Clean(input.ApiVersion) ?? ConnectorInput.DefaultApiVersion : null,
            CreatedAt = now, UpdatedAt = now,
        };
        await using var tx = await database.BeginAsync(ct);
        const string sql = """
            INSERT INTO crm_connectors (connector_id, organization_id, kind, name, enabled, url, secret, client_id, external_id_field, api_version, created_at, updated_at)
            VALUES (@ConnectorId, @OrganizationId, @Kind, @Name, @enabled, @Url, @secret, @ClientId, @ExternalIdField, @ApiVersion, @CreatedAt, @UpdatedAt)
            """;
        await tx.Connection.ExecuteAsync(new CommandDefinition(sql, new
        {
            connector.ConnectorId, connector.OrganizationId, connector.Kind, connector.Name, enabled = connector.Enabled ? 1 : 0, connector.Url,
            secret = _protector.Protect(secret), connector.ClientId, connector.ExternalIdField, connector.ApiVersion, connector.CreatedAt, connector.UpdatedAt,
        }, tx.Inner, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return connector;
    }

    /// <summary>Changes settings; a null secret keeps the stored one.</summary>
    public async Task<Connector?> UpdateAsync(string organizationId, string connectorId, ConnectorInput input, string? secret, CancellationToken ct)
    {
        await using var tx = await database.BeginAsync(ct);
        const string sql = """
            UPDATE crm_connectors SET name = @name, enabled = @enabled, url = @url, secret = COALESCE(@secret, secret),
                client_id = @clientId, external_id_field = @externalIdField, api_version = COALESCE(@apiVersion, api_version), updated_at = @now
            WHERE connector_id = @connectorId AND organization_id = @organizationId
            """;
        var changed = await tx.Connection.ExecuteAsync(new CommandDefinition(sql, new
        {
            name = input.Name!.Trim(), enabled = input.Enabled ?? true ? 1 : 0, url = input.Url!.Trim(),
            secret = secret is null ? null : _protector.Protect(secret), clientId = ConnectorInput.Clean(input.ClientId),
            externalIdField = ConnectorInput.Clean(input.ExternalIdField), apiVersion = ConnectorInput.Clean(input.ApiVersion),
            now = time.GetUtcNow().ToUnixTimeMilliseconds(), connectorId, organizationId,
        }, tx.Inner, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return changed == 0 ? null : await FindAsync(connectorId, ct);
    }

    /// <summary>With the secret decrypted, for the delivery worker only.</summary>
    public async Task<Connector?> FindAsync(string connectorId, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var sql = $"SELECT {Columns} FROM crm_connectors WHERE connector_id = @connectorId";
        var row = await connection.QuerySingleOrDefaultAsync<Connector>(new CommandDefinition(sql, new { connectorId }, cancellationToken: ct));
        return row is null ? null : row with { Secret = row.Secret is null ? null : _protector.Unprotect(row.Secret) };
    }

    public async Task<IReadOnlyList<Connector>> ListAsync(string organizationId, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var sql = $"SELECT {Columns} FROM crm_connectors WHERE organization_id = @organizationId ORDER BY created_at";
        return (await connection.QueryAsync<Connector>(new CommandDefinition(sql, new { organizationId }, cancellationToken: ct)))
            .Select(c => c with { Secret = null }).ToList();
    }
}
