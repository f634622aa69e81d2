using ConsentPlatform.Consent.Gate;
using ConsentPlatform.Consent.Suppression;
using ConsentPlatform.Contracts;
using ConsentPlatform.ServiceDefaults.Identity;
using ConsentPlatform.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace ConsentPlatform.Consent.Tests;

/// <summary>
/// Two Consent processes on one database (two hosts with their own database objects and gate
/// indexes): each gate follows what the other process writes, on every provider.
/// </summary>
public abstract class SharedDatabaseGateTests<TProvider> where TProvider : ITestDatabaseProvider, new()
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(15);
    // A weekday noon in Tokyo, so quiet hours never add a reason.
    private const string Noon = "2026-03-02T12:00:00+09:00";

    private sealed class Pair : IAsyncDisposable
    {
        public required TempDirectory Folder { get; init; }
        public required ConsentFactory First { get; init; }
        public required ConsentFactory Second { get; init; }
        public required string OrganizationId { get; init; }
        public required HttpClient FirstClient { get; init; }
        public required HttpClient SecondClient { get; init; }

        public static async Task<Pair> StartAsync()
        {
            var shared = new TempDirectory("cp-consent-shared-");
            var settings = await new TProvider().SettingsAsync(["consent", "identity"]);
            settings["Database:DataFolder"] = shared.Path;
            settings["Consent:IndexRefreshMilliseconds"] = "50";
            var first = new ConsentFactory { Settings = settings };
            var second = new ConsentFactory { Settings = settings };
            var (org, firstClient) = await first.CreateOrganizationAsync();
            var key = await first.Identity.CreateKeyAsync(org, [Scopes.Consent], "second process");
            var secondClient = second.CreateClient();
            secondClient.DefaultRequestHeaders.Authorization = new("Bearer", key.Key);
            return new Pair { Folder = shared, First = first, Second = second, OrganizationId = org, FirstClient = firstClient, SecondClient = secondClient };
        }

        public async ValueTask DisposeAsync()
        {
            await First.DisposeAsync();
            await Second.DisposeAsync();
            Folder.Dispose();
        }
    }

    private static async Task<bool> OptedOutAsync(HttpClient client, string number) =>
        (await client.CheckAsync(new { phoneNumber = number, channel = "sms", purpose = "seminar", at = Noon })).Reasons().Contains(ReasonCodes.OptedOut);

    [DatabaseFact]
    public async Task Opt_outs_handled_at_once_by_both_processes_reach_both_gates()
    {
        await using var pair = await Pair.StartAsync();
        var numbers = Enumerable.Range(0, 60).Select(i => $"090-6{i:D3}-0{i:D3}").ToList();

        await Task.WhenAll(numbers.Select((number, i) =>
        {
            var process = i % 2 == 0 ? pair.First : pair.Second;
            return process.PublishAsync(Api.OptOut(process.HashOf(number), pair.OrganizationId, "responses", null, "sms"));
        }));

        foreach (var number in numbers)
        {
            await Eventually.AssertAsync(async () => await OptedOutAsync(pair.FirstClient, number) && await OptedOutAsync(pair.SecondClient, number),
                Soon, $"{number} is opted out at both processes' gates");
        }
    }

    [DatabaseFact]
    public async Task An_opt_out_that_commits_after_a_later_one_still_reaches_the_other_process()
    {
        await using var pair = await Pair.StartAsync();
        const string stalledNumber = "090-7000-0001";
        const string laterNumber = "090-7000-0002";

        // An opt-out whose transaction stays open, as a process that stalls between its insert and its commit.
        var database = pair.First.Services.GetRequiredService<ConsentDatabase>();
        var store = pair.First.Services.GetRequiredService<SuppressionStore>();
        await using (var stalled = await database.BeginAsync())
        {
            await store.SuppressAsync(stalled, new SuppressionRequest(
                pair.First.HashOf(stalledNumber), pair.OrganizationId, [Channels.Sms], null, ReasonCodes.OptedOut, "test", null, DateTimeOffset.UtcNow), default);

            // Meanwhile the other process handles a later opt-out; both gates' polls may pass it before the stalled one commits.
            await pair.Second.PublishAsync(Api.OptOut(pair.Second.HashOf(laterNumber), pair.OrganizationId, "responses", null, "sms"));
            var deadline = DateTime.UtcNow.AddSeconds(3);
            while (DateTime.UtcNow < deadline && !(await OptedOutAsync(pair.FirstClient, laterNumber) && await OptedOutAsync(pair.SecondClient, laterNumber)))
                await Task.Delay(50);
            await Task.Delay(300);

            // The store applies it to the first process's index when it commits; the second process's poll must find it.
            await stalled.CommitAsync();
        }

        await Eventually.AssertAsync(() => OptedOutAsync(pair.FirstClient, stalledNumber), Soon, "the stalled opt-out reaches the first process's gate");
        await Eventually.AssertAsync(() => OptedOutAsync(pair.SecondClient, stalledNumber), Soon, "the stalled opt-out reaches the second process's gate");
        // On a server the later opt-out waited for the stalled one's lock, so the first process learns it from its poll, which may come after the stalled one's own apply.
        await Eventually.AssertAsync(async () => await OptedOutAsync(pair.FirstClient, laterNumber) && await OptedOutAsync(pair.SecondClient, laterNumber), Soon,
            "the later opt-out is at both gates");
    }
}

public sealed class SqliteSharedDatabaseGateTests : SharedDatabaseGateTests<SqliteProvider>;

public sealed class PostgreSqlSharedDatabaseGateTests : SharedDatabaseGateTests<PostgreSqlProvider>;

public sealed class SqlServerSharedDatabaseGateTests : SharedDatabaseGateTests<SqlServerProvider>;
