using ConsentPlatform.Notices.Sending;
using ConsentPlatform.Testing;

namespace ConsentPlatform.Notices.Tests;

/// <summary>
/// The shared per-sender schedule: exact spacing across instances, and only the jitter allowance
/// lost to it. Each instance has its own database object over one database, as separate processes do.
/// </summary>
public abstract class PacingTests<TProvider> where TProvider : ITestDatabaseProvider, new()
{
    [DatabaseFact]
    public async Task Slots_reserved_by_two_instances_never_put_more_than_the_rate_into_any_second()
    {
        const int rate = 50;
        const int jitterMs = 10;
        using var databases = await ProviderDatabases.CreateAsync(new TProvider(), "notices");
        var instances = new[]
        {
            new SenderPacing(await databases.MigrateAsync(new NoticesDatabase(databases.Options)), rate, jitterMs),
            new SenderPacing(new NoticesDatabase(databases.Options), rate, jitterMs),
        };

        var slots = new List<long>();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
        {
            var pacing = instances[i % 2];
            for (var n = 0; n < 15; n++)
            {
                var slot = await pacing.TryReserveAsync("test-sender", default);
                if (slot is null) { await Task.Delay(20); n--; continue; }
                lock (slots) slots.Add(slot.Value);
            }
        })));

        slots.Sort();
        Assert.Equal(120, slots.Count);
        Assert.Equal(slots.Count, slots.Distinct().Count());
        var interval = instances[0].IntervalMicroseconds;
        Assert.All(slots.Zip(slots.Skip(1)), pair => Assert.True(pair.Second - pair.First >= interval, $"slots {pair.Second - pair.First} µs apart"));
        // Any rate + 1 slots span a second plus the jitter allowance: the provider sees at most `rate` per second.
        for (var i = rate; i < slots.Count; i++)
            Assert.True(slots[i] - slots[i - rate] >= (1000 + jitterMs) * 1000L, $"{rate + 1} slots within {(slots[i] - slots[i - rate]) / 1000.0} ms");
    }

    [DatabaseFact]
    public async Task A_late_send_moves_the_later_slots_so_every_send_a_window_on_starts_a_second_and_the_allowance_after_it()
    {
        const int rate = 3;
        const int jitterMs = 10;
        using var databases = await ProviderDatabases.CreateAsync(new TProvider(), "notices");
        var pacing = new SenderPacing(await databases.MigrateAsync(new NoticesDatabase(databases.Options)), rate, jitterMs);
        var late = await ReserveAsync(pacing);
        var between = await ReserveAsync(pacing);
        const long by = 120_000;

        Assert.True(await pacing.TryPostponeAsync("test-sender", late, by, default));

        var after = new List<long>();
        for (var i = 0; i < rate + 1; i++) after.Add(await ReserveAsync(pacing));
        // The send now starts at most J/2 after late + by; the one `rate` places on must still leave the provider a full second.
        var start = late + by + pacing.LateToleranceMicroseconds;
        Assert.All(after.Skip(rate - 2), slot => Assert.True(slot - start >= (1000 + jitterMs / 2) * 1000L, $"{(slot - start) / 1000.0} ms after the late send"));
        Assert.True(after[0] - between >= by + pacing.IntervalMicroseconds, "the slots not yet handed out moved back by the lateness");
    }

    [DatabaseFact]
    public async Task A_late_send_may_not_move_the_slots_once_the_send_a_window_on_has_its_slot()
    {
        const int rate = 3;
        using var databases = await ProviderDatabases.CreateAsync(new TProvider(), "notices");
        var pacing = new SenderPacing(await databases.MigrateAsync(new NoticesDatabase(databases.Options)), rate, jitterMilliseconds: 20);
        var late = await ReserveAsync(pacing);
        for (var i = 0; i < rate; i++) await ReserveAsync(pacing);

        // Moving now could not move that send any more: the late one must give its slot up instead.
        Assert.False(await pacing.TryPostponeAsync("test-sender", late, 20_000, default));
    }

    private static async Task<long> ReserveAsync(SenderPacing pacing)
    {
        while (true)
        {
            if (await pacing.TryReserveAsync("test-sender", default) is { } slot) return slot;
            await Task.Delay(20);
        }
    }

    [DatabaseFact]
    public async Task A_still_wanted_check_slower_than_the_slots_tolerance_is_asked_once_and_the_send_goes_ahead()
    {
        // At 5,000/s a slot is 0.2 ms wide; the check before a notice leaves (a read and a write) takes longer.
        using var databases = await ProviderDatabases.CreateAsync(new TProvider(), "notices");
        var pacing = new SenderPacing(await databases.MigrateAsync(new NoticesDatabase(databases.Options)), 5000, jitterMilliseconds: 20);
        var asked = 0;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var sent = await pacing.WaitForSlotAsync("sms:slow-check", deadline.Token, async ct =>
        {
            asked++;
            await Task.Delay(20, ct);
            return true;
        });

        Assert.True(sent);
        Assert.Equal(1, asked);
    }
}

public sealed class SqlitePacingTests : PacingTests<SqliteProvider>;

public sealed class PostgreSqlPacingTests : PacingTests<PostgreSqlProvider>;

public sealed class SqlServerPacingTests : PacingTests<SqlServerProvider>;

/// <summary>The schedule's arithmetic alone, which needs no database (so it runs once, not per provider).</summary>
public sealed class PacingRateTests
{
    [Theory]
    [InlineData(1, 10)]
    [InlineData(20, 10)]
    [InlineData(100, 10)]
    [InlineData(30, 50)]
    public void The_sender_sustains_the_rate_less_only_the_jitter_allowance(double rate, int jitterMs)
    {
        var pacing = new SenderPacing(null!, rate, jitterMs);
        var expected = rate * 1000.0 / (1000 + jitterMs);
        // Microsecond slots: rounding costs at most a microsecond per send, not the whole millisecond it cost before.
        Assert.InRange(pacing.SustainedPerSecond, expected * 0.9999, expected);
        Assert.Equal(Math.Min(jitterMs * 1000L / 2, 2_000), pacing.LateToleranceMicroseconds);
    }
}
