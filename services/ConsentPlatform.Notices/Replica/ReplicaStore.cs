using System.Data.Common;
using System.Runtime.CompilerServices;
using ConsentPlatform.Contracts;
using ConsentPlatform.ServiceDefaults.Data;
using Dapper;

namespace ConsentPlatform.Notices.Replica;

/// <summary>
/// Writes the local replicas (suppression, SMS consent, erasure, published calling numbers) and
/// reads them back. Every write is idempotent and order-tolerant: rows are keyed by the source's
/// id and a late, older event never undoes a newer one. Every write also registers, on its
/// transaction, the reload of what it changed into <see cref="ReplicaIndex"/>, so no caller has to
/// remember it (ADR 0037): once per contact and once for the published numbers per transaction,
/// however many rows the transaction writes.
/// </summary>
public sealed class ReplicaStore(ReplicaIndex index)
{
    /// <summary>What one transaction changed, reloaded together once it commits.</summary>
    private sealed class Changed
    {
        public readonly HashSet<string> Contacts = new(StringComparer.Ordinal);
        public bool Numbers;
    }

    // Keyed by the transaction itself: the entry goes with it, and a rollback leaves nothing behind.
    private readonly ConditionalWeakTable<Transaction, Changed> _changed = new();

    private sealed record SuppressionRow(string ContactHash, string? OrganizationId, string? Channel, string? Purpose, long? UntilAt, string Reason, long SuppressedAt);
    private sealed record ConsentRow(string ContactHash, string Kind, string OrganizationId, string Channel, string Purpose, long At, long? ExpiresAt);

    public async Task SuppressAsync(Transaction tx, string id, string contactHash, string? organizationId, string? channel, string? purpose,
        string reason, bool provisional, DateTimeOffset at, DateTimeOffset? until = null)
    {
        var sql = tx.Database.Dialect.InsertIfAbsent(
            "suppressions",
            "id, contact_hash, organization_id, channel, purpose, reason, provisional, suppressed_at, lifted_at, until_at",
            "@id, @contactHash, @organizationId, @channel, @purpose, @reason, @provisional, @at, NULL, @until",
            key: "id");
        await tx.Connection.ExecuteAsync(sql, new
        {
            id, contactHash, organizationId, channel, purpose, reason, provisional = provisional ? 1 : 0, at = at.ToUnixTimeMilliseconds(), until = until?.ToUnixTimeMilliseconds(),
        }, tx.Inner);
        await RecordChangeAsync(tx, contactHash);
    }

    /// <summary>Lifts Consent's suppression and any provisional one for the contact requested before it.</summary>
    public async Task UnsuppressAsync(Transaction tx, string id, string contactHash, DateTimeOffset at)
    {
        var now = at.ToUnixTimeMilliseconds();
        const string lift = "UPDATE suppressions SET lifted_at = @now WHERE id = @id AND lifted_at IS NULL";
        var lifted = await tx.Connection.ExecuteAsync(lift, new { id, now }, tx.Inner);
        if (lifted == 0)
        {
            // Arrived before its ContactSuppressed: leave a lifted row so that one cannot revive it.
            var tombstone = tx.Database.Dialect.InsertIfAbsent(
                "suppressions",
                "id, contact_hash, organization_id, channel, purpose, reason, provisional, suppressed_at, lifted_at",
                "@id, @contactHash, NULL, NULL, NULL, 'unsuppressed', 0, @now, @now",
                key: "id");
            await tx.Connection.ExecuteAsync(tombstone, new { id, contactHash, now }, tx.Inner);
        }
        const string provisional = """
            UPDATE suppressions SET lifted_at = @now
            WHERE contact_hash = @contactHash AND provisional = 1 AND lifted_at IS NULL AND suppressed_at <= @now
            """;
        await tx.Connection.ExecuteAsync(provisional, new { contactHash, now }, tx.Inner);
        await RecordChangeAsync(tx, contactHash);
    }

    /// <summary>START/UNSTOP: lifts the provisional stops that came from SMS replies.</summary>
    public async Task LiftReplyOptOutsAsync(Transaction tx, string contactHash, DateTimeOffset at)
    {
        const string sql = """
            UPDATE suppressions SET lifted_at = @now
            WHERE contact_hash = @contactHash AND provisional = 1 AND reason = 'sms_reply' AND lifted_at IS NULL
            """;
        await tx.Connection.ExecuteAsync(sql, new { contactHash, now = at.ToUnixTimeMilliseconds() }, tx.Inner);
        await RecordChangeAsync(tx, contactHash);
    }

    public async Task RecordConsentAsync(Transaction tx, string id, string kind, string contactHash, string organizationId, string channel,
        string purpose, DateTimeOffset at, DateTimeOffset? expiresAt)
    {
        var sql = tx.Database.Dialect.InsertIfAbsent(
            "consents",
            "id, kind, contact_hash, organization_id, channel, purpose, at, expires_at",
            "@id, @kind, @contactHash, @organizationId, @channel, @purpose, @at, @expiresAt",
            key: "id");
        await tx.Connection.ExecuteAsync(sql, new
        {
            id, kind, contactHash, organizationId, channel, purpose,
            at = at.ToUnixTimeMilliseconds(), expiresAt = expiresAt?.ToUnixTimeMilliseconds(),
        }, tx.Inner);
        await RecordChangeAsync(tx, contactHash);
    }

    /// <summary>Read in the transaction rather than from the index: an erasure consumed a moment ago on another instance counts.</summary>
    public static async Task<bool> IsErasedAsync(Transaction tx, IReadOnlyCollection<string> candidates) =>
        await tx.Connection.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM erasures WHERE contact_hash {tx.Database.Dialect.InList("@candidates")}", new { candidates }, tx.Inner) > 0;

    /// <summary>The gate's part of an erasure: the contact is marked erased (keyed hash only) and its consent replica goes.</summary>
    public async Task EraseAsync(Transaction tx, string contactHash, DateTimeOffset at)
    {
        var erasure = tx.Database.Dialect.InsertIfAbsent(
            "erasures",
            "contact_hash, erased_at",
            "@contactHash, @now",
            key: "contact_hash");
        const string consents = "DELETE FROM consents WHERE contact_hash = @contactHash";
        await tx.Connection.ExecuteAsync(erasure, new { contactHash, now = at.ToUnixTimeMilliseconds() }, tx.Inner);
        await tx.Connection.ExecuteAsync(consents, new { contactHash }, tx.Inner);
        await RecordChangeAsync(tx, contactHash);
    }

    public async Task PublishCallerNumberAsync(Transaction tx, CallerNumberPublished message)
    {
        var insert = tx.Database.Dialect.InsertIfAbsent(
            "caller_numbers",
            "id, organization_id, e164, department, published_at, withdrawn_at",
            "@id, @OrganizationId, @PhoneNumber, @Department, @at, NULL",
            key: "id");
        const string update = """
            UPDATE caller_numbers SET published_at = @at, department = @Department
            WHERE id = @id AND (published_at IS NULL OR published_at < @at)
            """;
        var args = new { id = message.CallerNumberId.ToString(), message.OrganizationId, message.PhoneNumber, message.Department, at = message.PublishedAt.ToUnixTimeMilliseconds() };
        if (await tx.Connection.ExecuteAsync(insert, args, tx.Inner) == 0)
            await tx.Connection.ExecuteAsync(update, args, tx.Inner);
        await RecordChangeAsync(tx, null);
    }

    public async Task WithdrawCallerNumberAsync(Transaction tx, CallerNumberWithdrawn message)
    {
        var insert = tx.Database.Dialect.InsertIfAbsent(
            "caller_numbers",
            "id, organization_id, e164, department, published_at, withdrawn_at",
            "@id, @OrganizationId, @PhoneNumber, NULL, NULL, @at",
            key: "id");
        const string update = "UPDATE caller_numbers SET withdrawn_at = @at WHERE id = @id AND (withdrawn_at IS NULL OR withdrawn_at < @at)";
        var args = new { id = message.CallerNumberId.ToString(), message.OrganizationId, message.PhoneNumber, at = message.WithdrawnAt.ToUnixTimeMilliseconds() };
        if (await tx.Connection.ExecuteAsync(insert, args, tx.Inner) == 0)
            await tx.Connection.ExecuteAsync(update, args, tx.Inner);
        await RecordChangeAsync(tx, null);
    }

    /// <summary>
    /// Null hash: the published numbers changed. The change log (which other instances follow) gets one
    /// row per contact per transaction, and this instance's index is reloaded for it once the
    /// transaction commits.
    /// </summary>
    private async Task RecordChangeAsync(Transaction tx, string? contactHash)
    {
        var changed = _changed.GetValue(tx, Register);
        if (contactHash is null ? changed.Numbers : !changed.Contacts.Add(contactHash)) return;
        if (contactHash is null) changed.Numbers = true;
        await tx.Connection.ExecuteAsync("INSERT INTO replica_changes (contact_hash, changed_at) VALUES (@contactHash, @now)",
            new { contactHash, now = ReplicaRefresher.ChangeClock.GetUtcNow().ToUnixTimeMilliseconds() }, tx.Inner);
    }

    private Changed Register(Transaction tx)
    {
        var changed = new Changed();
        var database = tx.Database;
        tx.OnCommitted(ct => ReloadAsync(database, changed, ct));
        return changed;
    }

    private async Task ReloadAsync(ServiceDatabase database, Changed changed, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        foreach (var chunk in changed.Contacts.Chunk(500))
            index.Replace(await LoadContactsAsync(connection, chunk, cancellationToken));
        if (changed.Numbers) index.ReplacePublished(await LoadPublishedNumbersAsync(connection, cancellationToken));
    }

    public static async Task<Dictionary<string, ContactState>> LoadContactsAsync(DbConnection connection, IReadOnlyCollection<string>? hashes, CancellationToken ct)
    {
        var filter = hashes is null ? "" : $" AND contact_hash {SqlDialect.Of(connection).InList("@hashes")}";
        var suppressionSql = $"""
            SELECT contact_hash AS ContactHash, organization_id AS OrganizationId, channel AS Channel, purpose AS Purpose, until_at AS UntilAt,
                   reason AS Reason, suppressed_at AS SuppressedAt
            FROM suppressions WHERE lifted_at IS NULL{filter}
            """;
        var consentSql = $"""
            SELECT contact_hash AS ContactHash, kind AS Kind, organization_id AS OrganizationId, channel AS Channel, purpose AS Purpose,
                   at AS At, expires_at AS ExpiresAt
            FROM consents WHERE 1 = 1{filter}
            """;
        var erasureSql = $"SELECT contact_hash AS Item1, erased_at AS Item2 FROM erasures WHERE 1 = 1{filter}";
        var args = new { hashes = hashes?.ToArray() };

        var suppressions = (await connection.QueryAsync<SuppressionRow>(new CommandDefinition(suppressionSql, args, cancellationToken: ct))).ToLookup(r => r.ContactHash);
        var consents = (await connection.QueryAsync<ConsentRow>(new CommandDefinition(consentSql, args, cancellationToken: ct))).ToLookup(r => r.ContactHash);
        var erasures = (await connection.QueryAsync<(string, long)>(new CommandDefinition(erasureSql, args, cancellationToken: ct))).ToDictionary(r => r.Item1, r => r.Item2);

        var all = new HashSet<string>(hashes ?? []);
        all.UnionWith(suppressions.Select(g => g.Key));
        all.UnionWith(consents.Select(g => g.Key));
        all.UnionWith(erasures.Keys);
        var states = new Dictionary<string, ContactState>(all.Count);
        foreach (var hash in all)
        {
            var entries = suppressions[hash].Select(s => new SuppressionEntry(s.OrganizationId, s.Channel, s.Purpose, s.UntilAt, s.Reason, s.SuppressedAt)).Distinct().ToArray();
            states[hash] = new ContactState(erasures.GetValueOrDefault(hash), entries, Fold(consents[hash]));
        }
        return states;
    }

    /// <summary>Per organization, channel and purpose: the latest consent (and its expiry) and the latest withdrawal.</summary>
    private static ConsentEntry[] Fold(IEnumerable<ConsentRow> rows) =>
        rows.GroupBy(r => (r.OrganizationId, r.Channel, r.Purpose)).Select(g =>
        {
            var latest = g.Where(r => r.Kind == "recorded").MaxBy(r => r.At);
            var withdrawn = g.Where(r => r.Kind == "withdrawn").Select(r => r.At).DefaultIfEmpty(0).Max();
            return new ConsentEntry(g.Key.OrganizationId, g.Key.Channel, g.Key.Purpose, latest?.At ?? 0, latest?.ExpiresAt, withdrawn);
        }).ToArray();

    public static async Task<Dictionary<string, HashSet<string>>> LoadPublishedNumbersAsync(DbConnection connection, CancellationToken ct)
    {
        const string sql = """
            SELECT organization_id AS Item1, e164 AS Item2 FROM caller_numbers
            WHERE published_at IS NOT NULL AND (withdrawn_at IS NULL OR withdrawn_at < published_at)
            """;
        var rows = await connection.QueryAsync<(string, string)>(new CommandDefinition(sql, cancellationToken: ct));
        return rows.GroupBy(r => r.Item1).ToDictionary(g => g.Key, g => g.Select(r => r.Item2).ToHashSet(StringComparer.Ordinal));
    }

    /// <summary>An organization's published calling numbers as this replica knows them (R21), oldest first.</summary>
    public static async Task<IReadOnlyList<(string E164, string? Department, DateTimeOffset PublishedAt)>> ListCallingNumbersAsync(
        DbConnection connection, string organizationId, CancellationToken ct)
    {
        const string sql = """
            SELECT e164 AS Item1, department AS Item2, published_at AS Item3 FROM caller_numbers
            WHERE organization_id = @organizationId AND published_at IS NOT NULL AND (withdrawn_at IS NULL OR withdrawn_at < published_at)
            ORDER BY published_at
            """;
        var rows = await connection.QueryAsync<(string, string?, long)>(new CommandDefinition(sql, new { organizationId }, cancellationToken: ct));
        return rows.Select(r => (r.Item1, r.Item2, DateTimeOffset.FromUnixTimeMilliseconds(r.Item3))).ToList();
    }

    /// <summary>Contacts changed since <paramref name="since"/> (unix ms), and whether the published numbers changed.</summary>
    public static async Task<(List<string> Hashes, bool NumbersChanged)> ChangesSinceAsync(DbConnection connection, long since, CancellationToken ct)
    {
        const string sql = "SELECT DISTINCT contact_hash FROM replica_changes WHERE changed_at >= @since";
        var rows = (await connection.QueryAsync<string?>(new CommandDefinition(sql, new { since }, cancellationToken: ct))).ToList();
        return (rows.Where(r => r is not null).Select(r => r!).ToList(), rows.Any(r => r is null));
    }
}
