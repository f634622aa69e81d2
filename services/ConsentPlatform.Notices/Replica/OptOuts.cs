using ConsentPlatform.Contracts;
using ConsentPlatform.ServiceDefaults.Data;

namespace ConsentPlatform.Notices.Replica;

/// <summary>
/// Opt-outs as Notices applies them locally, whoever asked: a provisional suppression that bites at once
/// and stands until Consent's decision (ContactSuppressed) comes back.
/// </summary>
public sealed class OptOuts(ReplicaStore replica)
{
    public async Task ApplyProvisionalAsync(Transaction tx, OptOutRequested m)
    {
        IReadOnlyList<string?> channels = m.Channels.Count == 0 ? [null] : m.Channels.Cast<string?>().ToList();
        foreach (var channel in channels)
            await replica.SuppressAsync(tx, $"{m.RequestId}:{channel ?? "all"}", m.ContactHash, m.OrganizationId, channel, m.Purpose,
                m.Source, provisional: true, m.RequestedAt, m.Until);
    }
}
