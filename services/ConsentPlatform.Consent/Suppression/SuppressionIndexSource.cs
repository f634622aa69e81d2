using System.Data.Common;
using ConsentPlatform.Consent.Gate;

namespace ConsentPlatform.Consent.Suppression;

/// <summary>The suppression entries in force and their lifts, as the gate index holds them.</summary>
public sealed class SuppressionIndexSource : IGateIndexSource
{
    private long _entrySeq;
    private long _liftSeq;

    public string Name => "suppression entries";

    /// <summary>
    /// Sizes the index for every suppression entry before loading them: one allocation instead of a
    /// series of doublings, each of which briefly holds the old and the new table at once.
    /// </summary>
    public async Task PrepareAsync(DbConnection connection, GateIndex index, CancellationToken cancellationToken) =>
        index.EnsureCapacity(await SuppressionStore.CountAsync(connection, cancellationToken));

    public async Task<long> CatchUpAsync(DbConnection connection, GateIndex index, CancellationToken cancellationToken)
    {
        long entries = 0;
        // Unbuffered: at start-up this reads every row, and millions must not be held twice.
        await foreach (var s in SuppressionStore.ActiveEntriesAfter(connection, _entrySeq).WithCancellation(cancellationToken))
        {
            if (ContactKey.TryParse(s.ContactHash, out var key))
                index.AddSuppression(key, new SuppressionFact(Guid.Parse(s.Id), s.OrganizationId, s.Channel, s.Purpose, s.Reason, s.CreatedAt, s.Until));
            _entrySeq = s.Seq;
            entries++;
        }

        // After the entries: a lift read before its entry would find nothing to lift, but an entry read
        // after its lift is already left out by the query above.
        await foreach (var lift in SuppressionStore.LiftsAfter(connection, _liftSeq).WithCancellation(cancellationToken))
        {
            if (ContactKey.TryParse(lift.ContactHash, out var key)) index.LiftSuppression(key, Guid.Parse(lift.SuppressionId));
            _liftSeq = lift.Seq;
        }
        return entries;
    }
}
