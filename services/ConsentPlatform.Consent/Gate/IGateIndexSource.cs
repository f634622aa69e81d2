using System.Data.Common;

namespace ConsentPlatform.Consent.Gate;

/// <summary>
/// Rows the gate index holds, read by the feature that owns their table (the ledger, the suppression
/// list): the loader asks each source at start-up and on every catch-up, so the gate does not depend on
/// the features that write to it (issue 17).
/// </summary>
public interface IGateIndexSource
{
    /// <summary>What the start-up log calls the source's rows.</summary>
    string Name { get; }

    /// <summary>Before the first load, e.g. to size the index once for every row the source will add.</summary>
    Task PrepareAsync(DbConnection connection, GateIndex index, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Applies the rows written since the last call (by any replica); applying one twice changes nothing. Returns how many.</summary>
    Task<long> CatchUpAsync(DbConnection connection, GateIndex index, CancellationToken cancellationToken);
}
