using System.Data.Common;
using ConsentPlatform.Consent.Gate;

namespace ConsentPlatform.Consent.Ledger;

/// <summary>The ledger's rows, as the gate index holds them.</summary>
public sealed class LedgerIndexSource : IGateIndexSource
{
    private long _seq;

    public string Name => "ledger rows";

    public async Task<long> CatchUpAsync(DbConnection connection, GateIndex index, CancellationToken cancellationToken)
    {
        long rows = 0;
        await foreach (var row in LedgerStore.RowsAfter(connection, _seq).WithCancellation(cancellationToken))
        {
            LedgerStore.Apply(index, row);
            _seq = row.Seq;
            rows++;
        }
        return rows;
    }
}
