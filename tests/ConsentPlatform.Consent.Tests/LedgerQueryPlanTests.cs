using ConsentPlatform.Consent.Ledger;
using ConsentPlatform.ServiceDefaults.Data;
using Microsoft.Extensions.DependencyInjection;

namespace ConsentPlatform.Consent.Tests;

/// <summary>
/// The ledger's two "is this grant withdrawn yet?" queries run inside write transactions: the expiry sweep every
/// minute and every withdrawal. A full read of the ledger per grant there held SQLite's one writer for 89 s with
/// 1M rows and 5,000 expired grants, so each lookup must be an index search, never a scan.
/// </summary>
public sealed class LedgerQueryPlanTests(ConsentFactory factory) : IClassFixture<ConsentFactory>
{
    private sealed record PlanLine(long Id, long Parent, long NotUsed, string Detail);

    private async Task<IReadOnlyList<string>> PlanAsync(string sql, object parameters)
    {
        _ = factory.Services.GetRequiredService<ConsentDatabase>(); // the host migrates the database as it starts
        return (await factory.QueryAsync<PlanLine>("EXPLAIN QUERY PLAN " + sql, parameters)).Select(l => l.Detail).ToList();
    }

    private static void AssertNoLedgerScan(IReadOnlyList<string> plan)
    {
        Assert.NotEmpty(plan);
        Assert.DoesNotContain(plan, line => line.StartsWith("SCAN g", StringComparison.Ordinal) || line.StartsWith("SCAN w", StringComparison.Ordinal));
        Assert.Contains(plan, line => line.Contains("ix_consent_ledger_withdraws", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_expiry_sweep_finds_due_grants_and_their_withdrawals_by_index()
    {
        var plan = await PlanAsync(ExpiryAnnouncer.DueGrantsSql(SqlDialect.Sqlite), new { now = 0L, batch = 500 });

        AssertNoLedgerScan(plan);
        Assert.Contains(plan, line => line.Contains("ix_consent_ledger_expiry", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_withdrawal_finds_the_contacts_active_grants_by_index()
    {
        var plan = await PlanAsync(LedgerStore.ActiveGrantsSql(SqlDialect.Sqlite), new { contactHashes = new[] { "h1", "h2" } });

        AssertNoLedgerScan(plan);
    }
}
