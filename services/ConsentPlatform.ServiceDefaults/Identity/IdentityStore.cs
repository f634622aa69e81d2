using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Dapper;

namespace ConsentPlatform.ServiceDefaults.Identity;

public sealed record Organization(string Id, string LegalName, DateTimeOffset CreatedAt);

public sealed record ApiKeyInfo(string Id, string OrganizationId, string Name, IReadOnlyList<string> Scopes, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);

/// <summary>A key as handed out once: the only time its secret exists outside the caller.</summary>
public sealed record IssuedApiKey(ApiKeyInfo Info, string Key);

/// <summary>
/// Creates organizations and keys, revokes keys, and validates presented keys. Keys look like
/// <c>cpk_{id}_{secret}</c>; only SHA-256 of the secret is stored (the secret is 190 random
/// bits, so a slow password hash would add nothing). Validation results are cached for
/// Identity:CacheSeconds, which bounds how long a revoked key keeps working.
/// </summary>
public sealed class IdentityStore(IdentityDatabase database, PlatformOptions options, TimeProvider time)
{
    private const string Prefix = "cpk_";
    private const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private readonly ConcurrentDictionary<string, (StoredKey? Key, long ExpiresAt)> _cache = new();

    private sealed record StoredKey(string Id, string OrganizationId, string LegalName, string SecretHash, string Scopes, long? RevokedAt);

    public async Task<Organization> CreateOrganizationAsync(string legalName, string? id = null, CancellationToken cancellationToken = default)
    {
        legalName = legalName.Trim();
        if (legalName.Length is 0 or > 200) throw new ArgumentException("The legal name must be 1-200 characters.", nameof(legalName));
        id ??= "org_" + RandomString(12);
        var createdAt = time.GetUtcNow();
        await using var connection = await database.OpenAsync(cancellationToken);
        const string sql = "INSERT INTO organizations (id, legal_name, created_at) VALUES (@id, @legalName, @createdAt)";
        await connection.ExecuteAsync(new CommandDefinition(sql, new { id, legalName, createdAt = createdAt.ToUnixTimeMilliseconds() }, cancellationToken: cancellationToken));
        return new Organization(id, legalName, createdAt);
    }

    public async Task<IReadOnlyList<Organization>> ListOrganizationsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        const string sql = "SELECT id AS Id, legal_name AS LegalName, created_at AS CreatedAt FROM organizations ORDER BY created_at";
        var rows = await connection.QueryAsync<(string Id, string LegalName, long CreatedAt)>(new CommandDefinition(sql, cancellationToken: cancellationToken));
        return rows.Select(r => new Organization(r.Id, r.LegalName, DateTimeOffset.FromUnixTimeMilliseconds(r.CreatedAt))).ToList();
    }

    public async Task<IssuedApiKey> CreateKeyAsync(string organizationId, IReadOnlyCollection<string> scopes, string name, CancellationToken cancellationToken = default)
    {
        var unknown = scopes.Except(Identity.Scopes.All).ToList();
        if (scopes.Count == 0 || unknown.Count > 0)
            throw new ArgumentException($"Scopes must be some of: {string.Join(", ", Identity.Scopes.All)}" + (unknown.Count > 0 ? $" (unknown: {string.Join(", ", unknown)})" : ""), nameof(scopes));

        var id = RandomString(12);
        var secret = RandomString(32);
        var createdAt = time.GetUtcNow();
        await using var connection = await database.OpenAsync(cancellationToken);
        const string exists = "SELECT COUNT(*) FROM organizations WHERE id = @organizationId";
        if (await connection.ExecuteScalarAsync<int>(new CommandDefinition(exists, new { organizationId }, cancellationToken: cancellationToken)) == 0)
            throw new ArgumentException($"No organization '{organizationId}'.", nameof(organizationId));

        const string sql = """
            INSERT INTO api_keys (id, organization_id, name, secret_hash, scopes, created_at)
            VALUES (@id, @organizationId, @name, @secretHash, @scopes, @createdAt)
            """;
        await connection.ExecuteAsync(new CommandDefinition(sql, new
        {
            id, organizationId, name,
            secretHash = HashSecret(secret),
            scopes = string.Join(' ', scopes.Distinct().Order()),
            createdAt = createdAt.ToUnixTimeMilliseconds(),
        }, cancellationToken: cancellationToken));
        return new IssuedApiKey(new ApiKeyInfo(id, organizationId, name, scopes.Distinct().Order().ToList(), createdAt, null), $"{Prefix}{id}_{secret}");
    }

    public async Task<IReadOnlyList<ApiKeyInfo>> ListKeysAsync(string organizationId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        const string sql = """
            SELECT id, organization_id, name, scopes, created_at, revoked_at FROM api_keys
            WHERE organization_id = @organizationId ORDER BY created_at
            """;
        var rows = await connection.QueryAsync<(string Id, string OrganizationId, string Name, string Scopes, long CreatedAt, long? RevokedAt)>(
            new CommandDefinition(sql, new { organizationId }, cancellationToken: cancellationToken));
        return rows.Select(r => new ApiKeyInfo(r.Id, r.OrganizationId, r.Name, r.Scopes.Split(' '), DateTimeOffset.FromUnixTimeMilliseconds(r.CreatedAt),
            r.RevokedAt is { } revoked ? DateTimeOffset.FromUnixTimeMilliseconds(revoked) : null)).ToList();
    }

    /// <summary>Revokes a key; every service stops accepting it within Identity:CacheSeconds.</summary>
    public async Task<bool> RevokeKeyAsync(string keyId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        const string sql = "UPDATE api_keys SET revoked_at = @now WHERE id = @keyId AND revoked_at IS NULL";
        var changed = await connection.ExecuteAsync(new CommandDefinition(sql, new { keyId, now = time.GetUtcNow().ToUnixTimeMilliseconds() }, cancellationToken: cancellationToken));
        _cache.TryRemove(keyId, out _);
        return changed == 1;
    }

    /// <summary>The caller behind a presented key, or null when the key is unknown, wrong or revoked.</summary>
    public async Task<Caller?> ValidateAsync(string presentedKey, CancellationToken cancellationToken = default)
    {
        if (!TryParse(presentedKey, out var keyId, out var secret)) return null;
        var stored = await FindAsync(keyId, cancellationToken);
        if (stored is null || stored.RevokedAt is not null) return null;
        var expected = Encoding.ASCII.GetBytes(stored.SecretHash);
        var actual = Encoding.ASCII.GetBytes(HashSecret(secret));
        return CryptographicOperations.FixedTimeEquals(expected, actual)
            ? new Caller(stored.OrganizationId, stored.LegalName, stored.Id, stored.Scopes.Split(' '))
            : null;
    }

    /// <summary>Whether a key is still usable (browser sessions re-check it on every request).</summary>
    public async Task<bool> IsActiveAsync(string keyId, CancellationToken cancellationToken = default) =>
        await FindAsync(keyId, cancellationToken) is { RevokedAt: null };

    private async Task<StoredKey?> FindAsync(string keyId, CancellationToken cancellationToken)
    {
        var now = Environment.TickCount64;
        if (_cache.TryGetValue(keyId, out var cached) && cached.ExpiresAt > now) return cached.Key;

        await using var connection = await database.OpenAsync(cancellationToken);
        const string sql = """
            SELECT k.id AS Id, k.organization_id AS OrganizationId, o.legal_name AS LegalName, k.secret_hash AS SecretHash,
                   k.scopes AS Scopes, k.revoked_at AS RevokedAt
            FROM api_keys k JOIN organizations o ON o.id = k.organization_id
            WHERE k.id = @keyId
            """;
        var key = await connection.QuerySingleOrDefaultAsync<StoredKey>(new CommandDefinition(sql, new { keyId }, cancellationToken: cancellationToken));
        _cache[keyId] = (key, now + options.IdentityCacheSeconds * 1000L);
        return key;
    }

    private static bool TryParse(string presented, out string keyId, out string secret)
    {
        keyId = secret = "";
        var span = presented.AsSpan().Trim();
        if (span.Length != Prefix.Length + 12 + 1 + 32 || !span.StartsWith(Prefix, StringComparison.Ordinal) || span[Prefix.Length + 12] != '_')
            return false;
        keyId = span.Slice(Prefix.Length, 12).ToString();
        secret = span[(Prefix.Length + 13)..].ToString();
        return true;
    }

    private static string HashSecret(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    internal static string RandomString(int length) => RandomNumberGenerator.GetString(Alphabet, length);
}

public sealed record Caller(string OrganizationId, string LegalName, string KeyId, IReadOnlyList<string> Scopes);
