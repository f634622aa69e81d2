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
        var instances = new[] { new SenderPacing(database, options), new SenderPacing(database, options) };

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

    [Theory]
    [InlineData(1, 10)]
    [InlineData(20, 10)]
    [InlineData(100, 10)]
    [InlineData(30, 50)]
    public void The_sender_sustains_the_rate_less_only_the_jitter_allowance(double rate, int jitterMs)
    {
        var pacing = new SenderPacing(null!, new NoticesOptions { RatePerSecond = rate, RateJitterMilliseconds = jitterMs });
        var expected = rate * 1000.0 / (1000 + jitterMs);
        // Microsecond slots: rounding costs at most a microsecond per send, not the whole millisecond it cost before.
        Assert.InRange(pacing.SustainedPerSecond, expected * 0.9999, expected);
        Assert.Equal(jitterMs * 1000L / 2, pacing.LateToleranceMicroseconds);
    }
}
