using ConsentPlatform.Notices.Sending;
using Microsoft.Extensions.DependencyInjection;

namespace ConsentPlatform.Notices.Tests;

/// <summary>The shared per-sender schedule: exact spacing across instances, and only the jitter allowance lost to it.</summary>
public sealed class PacingTests
{
    [Fact]
    public async Task Slots_reserved_by_two_instances_never_put_more_than_the_rate_into_any_second()
    {
        const int rate = 50;
        const int jitterMs = 10;
        await using var notices = new NoticesFactory(new Dictionary<string, string?> { ["Sms:RatePerSecond"] = $"{rate}", ["Sms:RateJitterMilliseconds"] = $"{jitterMs}" });
        _ = notices.Services;
        // A second instance shares only the database, as another process would.
        var options = notices.Services.GetRequiredService<NoticesOptions>();
        var database = notices.Services.GetRequiredService<NoticesDatabase>();
        var instances = new[] { new SenderPacing(database, options.RatePerSecond, options.RateJitterMilliseconds), new SenderPacing(database, options.RatePerSecond, options.RateJitterMilliseconds) };

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
        Assert.Equal(slots.Count, slots.Distinct().Count());
        var interval = instances[0].IntervalMicroseconds;
        Assert.All(slots.Zip(slots.Skip(1)), pair => Assert.True(pair.Second - pair.First >= interval, $"slots {pair.Second - pair.First} µs apart"));
        // Any rate + 1 slots span a second plus the jitter allowance: the provider sees at most `rate` per second.
        for (var i = rate; i < slots.Count; i++)
            Assert.True(slots[i] - slots[i - rate] >= (1000 + jitterMs) * 1000L, $"{rate + 1} slots within {(slots[i] - slots[i - rate]) / 1000.0} ms");
    }

    [Fact]
    public async Task A_late_send_moves_the_later_slots_so_every_send_a_window_on_starts_a_second_and_the_allowance_after_it()
    {
        const int rate = 3;
        const int jitterMs = 10;
        await using var notices = new NoticesFactory(new Dictionary<string, string?> { ["Sms:RatePerSecond"] = $"{rate}", ["Sms:RateJitterMilliseconds"] = $"{jitterMs}" });
        var pacing = Pacing(notices);
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

    [Fact]
    public async Task A_late_send_may_not_move_the_slots_once_the_send_a_window_on_has_its_slot()
    {
        const int rate = 3;
        await using var notices = new NoticesFactory(new Dictionary<string, string?> { ["Sms:RatePerSecond"] = $"{rate}" });
        var pacing = Pacing(notices);
        var late = await ReserveAsync(pacing);
        for (var i = 0; i < rate; i++) await ReserveAsync(pacing);

        // Moving now could not move that send any more: the late one must give its slot up instead.
        Assert.False(await pacing.TryPostponeAsync("test-sender", late, 20_000, default));
    }

    private static SenderPacing Pacing(NoticesFactory notices)
    {
        var options = notices.Services.GetRequiredService<NoticesOptions>();
        return new SenderPacing(notices.Services.GetRequiredService<NoticesDatabase>(), options.RatePerSecond, options.RateJitterMilliseconds);
    }

    private static async Task<long> ReserveAsync(SenderPacing pacing)
    {
        while (true)
        {
            if (await pacing.TryReserveAsync("test-sender", default) is { } slot) return slot;
            await Task.Delay(20);
        }
    }

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
