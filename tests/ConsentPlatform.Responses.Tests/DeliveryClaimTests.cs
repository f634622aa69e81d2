using System.Collections.Concurrent;
using ConsentPlatform.Responses.Crm;
using ConsentPlatform.Testing;
using Dapper;

namespace ConsentPlatform.Responses.Tests;

/// <summary>
/// CRM delivery workers of two Responses processes on one database: every due delivery is claimed
/// (and so sent to the CRM) by one of them only. Each process has its own database object.
/// </summary>
public abstract class DeliveryClaimTests<TProvider> where TProvider : ITestDatabaseProvider, new()
{
    [DatabaseFact]
    public async Task Workers_of_two_processes_never_both_claim_a_delivery()
    {
        const int deliveries = 200;
        using var databases = await ProviderDatabases.CreateAsync(new TProvider(), "responses");
        var first = await databases.MigrateAsync(new ResponsesDatabase(databases.Options));
        var second = new ResponsesDatabase(databases.Options);
        var now = TimeProvider.System.GetUtcNow();
        await using (var tx = await first.BeginAsync())
        {
            const string connector = """
                INSERT INTO crm_connectors (connector_id, organization_id, kind, name, enabled, url, created_at, updated_at)
                VALUES ('crm-1', 'org_a', 'webhook', 'CRM', 1, 'https://crm.example.jp/hook', 0, 0)
                """;
            await tx.Connection.ExecuteAsync(connector, transaction: tx.Inner);
            // One contact per response: deliveries of one contact go one at a time by design.
            for (var i = 0; i < deliveries; i++)
                await DeliveryStore.EnqueueAsync(tx, "org_a", Guid.NewGuid(), $"hash-{i}", now, default);
            await tx.CommitAsync();
        }

        var stores = new[] { new DeliveryStore(first), new DeliveryStore(second) };
        var claims = new ConcurrentQueue<(int Process, long Id)>();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await Task.WhenAll(Enumerable.Range(0, 6).Select(w => Task.Run(async () =>
        {
            while (claims.Count < deliveries && !deadline.IsCancellationRequested)
            {
                var claimed = await stores[w % 2].ClaimDueAsync(TimeProvider.System.GetUtcNow(), TimeSpan.FromMinutes(5), 10, deadline.Token);
                foreach (var delivery in claimed) claims.Enqueue((w % 2, delivery.Id));
                // A worker sends what it claimed before it claims again; without that pause one
                // process could win every race for SQLite's single writer and the test would prove nothing.
                await Task.Delay(5, deadline.Token);
            }
        })));

        var twice = claims.GroupBy(c => c.Id).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(twice.Count == 0, $"{twice.Count} deliveries claimed twice, e.g. {string.Join(", ", twice.Take(5))}");
        Assert.Equal(deliveries, claims.Count);
        Assert.Equal(2, claims.Select(c => c.Process).Distinct().Count());
    }
}

public sealed class SqliteDeliveryClaimTests : DeliveryClaimTests<SqliteProvider>;

public sealed class PostgreSqlDeliveryClaimTests : DeliveryClaimTests<PostgreSqlProvider>;

public sealed class SqlServerDeliveryClaimTests : DeliveryClaimTests<SqlServerProvider>;
