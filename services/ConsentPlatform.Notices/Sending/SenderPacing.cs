using Dapper;

namespace ConsentPlatform.Notices.Sending;

/// <summary>
/// The per-sender rate limit, held in the database so it binds every instance of the service:
/// one row per sender holds the earliest start time of the next send, and each send reserves
/// the next slot with one atomic UPDATE. Slots are spaced a little wider than 1/rate so that
/// network jitter between our clock and the provider's never puts rate+1 requests into one of
/// the provider's one-second windows.
/// </summary>
public sealed class SenderPacing(NoticesDatabase database, NoticesOptions options)
{
    /// <summary>Spacing headroom over the configured rate, for jitter.</summary>
    public const double Headroom = 1.10;
    private static readonly long Horizon = 1_000;

    private long _lateSlots;

    public long IntervalMs => (long)Math.Ceiling(1000.0 / options.RatePerSecond * Headroom);

    /// <summary>Slots let go because the caller woke too late for them (throughput lost to a busy machine, for benchmarks and logs).</summary>
    public long LateSlots => Interlocked.Read(ref _lateSlots);

    /// <summary>
    /// How late a send may start after its slot. Slots spaced 1/rate × Headroom apart leave
    /// rate × interval − 1 s of jitter before rate + 1 sends can meet in one second at the provider;
    /// half of that is allowed here, half is left for the network. A caller that wakes later (a busy
    /// machine, a delayed timer) lets the slot go unused and reserves another.
    /// </summary>
    public long LateToleranceMs => Math.Clamp(((long)Math.Floor(options.RatePerSecond) * IntervalMs - 1000) / 2, 2, 250);

    /// <summary>Waits until this caller may start one send under <paramref name="sender"/>'s limit.</summary>
    public async Task WaitForSlotAsync(string sender, CancellationToken ct)
    {
        while (true)
        {
            var slot = await TryReserveAsync(sender, ct);
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            if (slot is { } at)
            {
                if (at > now) await Task.Delay(TimeSpan.FromMilliseconds(at - now), ct);
                if (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - at <= LateToleranceMs) return;
                Interlocked.Increment(ref _lateSlots);
                continue;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(IntervalMs, 200)), ct);
        }
    }

    /// <summary>The reserved start time (unix ms), or null when the next free slot is more than a second ahead.</summary>
    public async Task<long?> TryReserveAsync(string sender, CancellationToken ct)
    {
        var interval = IntervalMs;
        await using var tx = await database.BeginAsync(ct);
        // Read after the write gate opened: a slot dated before the wait would already be late.
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        const string reserve = """
            UPDATE sender_pacing SET next_at = CASE WHEN next_at < @now THEN @now ELSE next_at END + @interval
            WHERE sender = @sender AND next_at <= @latest
            """;
        var args = new { sender, now, interval, latest = now + Horizon };
        var reserved = await tx.Connection.ExecuteAsync(new CommandDefinition(reserve, args, tx.Inner, cancellationToken: ct));
        if (reserved == 0)
        {
            const string create = """
                INSERT INTO sender_pacing (sender, next_at) SELECT @sender, @next
                WHERE NOT EXISTS (SELECT 1 FROM sender_pacing WHERE sender = @sender)
                """;
            if (await tx.Connection.ExecuteAsync(new CommandDefinition(create, new { sender, next = now + interval }, tx.Inner, cancellationToken: ct)) == 0)
                return null;
            await tx.CommitAsync(ct);
            return now;
        }
        // Read inside the same transaction: the row is ours until commit, so this is our slot.
        var next = await tx.Connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT next_at FROM sender_pacing WHERE sender = @sender", new { sender }, tx.Inner, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return next - interval;
    }
}
