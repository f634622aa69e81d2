using Dapper;

namespace ConsentPlatform.Notices.Sending;

/// <summary>
/// The per-sender rate limit, held in the database so it binds every instance of the service: one
/// row per sender holds the earliest start (unix µs) of the next send, and each send reserves the
/// next slot with one atomic UPDATE.
/// <para>
/// The rule is the provider's: never more than R requests in any one-second window, sliding, as
/// the provider sees them. Slots are spaced (1000 + J) / R ms apart, J being
/// <see cref="NoticesOptions.RateJitterMilliseconds"/>; a send starts no earlier than its slot and
/// no later than min(J/2, 2 ms) after it (or moves the later slots, below), which leaves the rest of J for
/// the way to the provider. So any R + 1
/// requests reach the provider at least 1000 ms apart, and the sender sustains R × 1000 / (1000 + J)
/// per second (98% of R with the default J = 20 ms). No sender can sustain exactly R and also keep
/// every sliding window at R once arrival times jitter: R sends per second put R + 1 requests exactly
/// 1000 ms apart on average, so any jitter puts some of them inside one second. J is that price, made
/// explicit and small (it was a fixed 10%).
/// </para>
/// For a fractional rate the window holds at most ⌈R⌉ (a rate below 1 means one send per 1/R s).
/// <para>
/// A send that wakes later than that after its slot (a busy machine, a pause) would crowd the slot
/// ⌈R⌉ places on. Rather than let its slot go (a whole 1/R of the second lost), a send late by less
/// than J moves every slot not yet handed out back by its lateness, which keeps that distance, as long
/// as the slot ⌈R⌉ on has not been handed out yet and the move costs less than a slot.
/// </para>
/// </summary>
public sealed class SenderPacing(NoticesDatabase database, double ratePerSecond, int jitterMilliseconds)
{
    /// <summary>How far ahead a slot may be reserved: further than this, the caller polls instead of holding a slot.</summary>
    private const long HorizonMicroseconds = 1_000_000;

    private long _lateSlots;
    private long _postponed;

    public long IntervalMicroseconds => (long)Math.Ceiling((1000.0 + jitterMilliseconds) * 1000.0 / ratePerSecond);

    /// <summary>The most this sender sends per second while it has a backlog.</summary>
    public double SustainedPerSecond => 1_000_000.0 / IntervalMicroseconds;

    /// <summary>
    /// How late a send may start after its slot: a timer's granularity (2 ms), or half of J when that is
    /// less; the rest of J is for the way to the provider. A later start moves the later slots (cheap),
    /// so the allowance goes where nothing else can absorb it: a pause between our start and the provider.
    /// </summary>
    public long LateToleranceMicroseconds => Math.Min(jitterMilliseconds * 1000L / 2, 2_000);

    /// <summary>Slots let go because the caller woke too late for them (throughput lost to a busy machine, for benchmarks and logs).</summary>
    public long LateSlots => Interlocked.Read(ref _lateSlots);

    /// <summary>Late sends kept by moving the later slots back instead (each cost its lateness, not a slot).</summary>
    public long PostponedSlots => Interlocked.Read(ref _postponed);

    /// <summary>The most requests the provider may see in one second: ⌈R⌉.</summary>
    private int Window => Math.Max(1, (int)Math.Ceiling(ratePerSecond));

    /// <summary>
    /// The system clock, never the host's business clock: slots measure real seconds as the provider
    /// counts them, whatever date a test or a replay sets for the rest of the service.
    /// </summary>
    public static long NowMicroseconds() => (TimeProvider.System.GetUtcNow().UtcTicks - DateTime.UnixEpoch.Ticks) / 10;

    /// <summary>
    /// Waits until this caller may start one send under <paramref name="sender"/>'s limit. With
    /// <paramref name="stillWanted"/>, asks it once a slot is reserved, while waiting for the slot (at
    /// most a second before the send, and without eating into the slot's tolerance): false gives the slot up
    /// unused and returns false. A yes holds for the next slot too when this one is let go late, unless it is
    /// over a second old: at a high rate the answer (a read and a write) takes longer than the slot's tolerance,
    /// and asking again for every slot would give up every slot and never send.
    /// </summary>
    public async Task<bool> WaitForSlotAsync(string sender, CancellationToken ct, Func<CancellationToken, Task<bool>>? stillWanted = null)
    {
        long? wantedAt = null;
        while (true)
        {
            if (await TryReserveAsync(sender, ct) is not { } at)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Clamp(IntervalMicroseconds / 1000, 1, 200)), ct);
                continue;
            }
            if (stillWanted is not null && (wantedAt is not { } asked || NowMicroseconds() - asked > HorizonMicroseconds))
            {
                if (!await stillWanted(ct)) return false;
                wantedAt = NowMicroseconds();
            }
            await WaitUntilAsync(at, ct);
            if (await KeepLateSlotAsync(sender, at, ct)) return true;
            Interlocked.Increment(ref _lateSlots);
        }
    }

    /// <summary>
    /// True when the send may start now: on time, or late by less than J and the later slots moved
    /// back by the lateness. Each move makes "now" the slot's new time, so the tolerance is again left for the
    /// move's own commit and the start; a slow commit moves again. Later than J (or than a slot, at
    /// high rates) the slot is let go: the machine is busy enough that the request itself may take
    /// longer than usual to reach the provider, and sending less is the safe way to be late.
    /// </summary>
    private async Task<bool> KeepLateSlotAsync(string sender, long slot, CancellationToken ct)
    {
        var effective = slot;
        while (true)
        {
            var now = NowMicroseconds();
            if (now - effective <= LateToleranceMicroseconds) return true;
            if (now - slot >= Math.Min(IntervalMicroseconds, jitterMilliseconds * 1000L)) return false;
            if (!await TryPostponeAsync(sender, slot, now - effective, ct)) return false;
            Interlocked.Increment(ref _postponed);
            effective = now;
        }
    }

    /// <summary>
    /// Moves every slot not yet handed out back by <paramref name="by"/> µs, for a send that will start
    /// late for <paramref name="slot"/>. Refused (false) once the slot ⌈R⌉ after it may have been handed
    /// out: slots are at least one interval apart, so fewer than ⌈R⌉ lie between <paramref name="slot"/>
    /// and next_us while next_us is under slot + (⌈R⌉ + 1) intervals; the one ⌈R⌉ on then starts at least
    /// ⌈R⌉ intervals (1000 + J ms) after the moved slot.
    /// </summary>
    public async Task<bool> TryPostponeAsync(string sender, long slot, long by, CancellationToken ct)
    {
        await using var tx = await database.BeginAsync(ct);
        const string postpone = """
            UPDATE sender_schedule SET next_us = next_us + @by
            WHERE sender = @sender AND next_us < @limit
            """;
        var args = new { sender, by, limit = slot + (Window + 1L) * IntervalMicroseconds };
        var moved = await tx.Connection.ExecuteAsync(new CommandDefinition(postpone, args, tx.Inner, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return moved == 1;
    }

    /// <summary>
    /// Never before <paramref name="at"/>, and as little after it as can be had: a timer wakes up to a
    /// couple of milliseconds late, so it is set to wake about 2 ms early and the rest is spun out
    /// (yielding the core each turn). Spinning costs at most those 2 ms of one thread per send; a late
    /// start costs rate (the later slots move) or, at worst, the slot.
    /// </summary>
    private static async Task WaitUntilAsync(long at, CancellationToken ct)
    {
        const long spin = 2_000;
        while (at - NowMicroseconds() is var remaining && remaining > spin)
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Floor((remaining - spin) / 1_000.0) + 1), ct);
        while (NowMicroseconds() < at)
        {
            ct.ThrowIfCancellationRequested();
            Thread.Yield();
        }
    }

    /// <summary>The reserved start time (unix µs), or null when the next free slot is more than a second ahead.</summary>
    public async Task<long?> TryReserveAsync(string sender, CancellationToken ct)
    {
        var interval = IntervalMicroseconds;
        await using var tx = await database.BeginAsync(ct);
        // Read after the write gate opened: a slot dated before the wait would already be late.
        var now = NowMicroseconds();
        const string reserve = """
            UPDATE sender_schedule SET next_us = CASE WHEN next_us < @now THEN @now ELSE next_us END + @interval
            WHERE sender = @sender AND next_us <= @latest
            """;
        var args = new { sender, now, interval, latest = now + HorizonMicroseconds };
        var reserved = await tx.Connection.ExecuteAsync(new CommandDefinition(reserve, args, tx.Inner, cancellationToken: ct));
        if (reserved == 0)
        {
            var create = database.Dialect.InsertIfAbsent(
                "sender_schedule",
                "sender, next_us",
                "@sender, @next",
                key: "sender");
            if (await tx.Connection.ExecuteAsync(new CommandDefinition(create, new { sender, next = now + interval }, tx.Inner, cancellationToken: ct)) == 0)
                return null;
            await tx.CommitAsync(ct);
            return now;
        }
        // Read inside the same transaction: the row is ours until commit, so this is our slot.
        const string read = "SELECT next_us FROM sender_schedule WHERE sender = @sender";
        var next = await tx.Connection.ExecuteScalarAsync<long>(new CommandDefinition(read, new { sender }, tx.Inner, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return next - interval;
    }
}
