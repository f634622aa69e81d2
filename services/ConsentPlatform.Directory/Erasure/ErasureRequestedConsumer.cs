using ConsentPlatform.Contracts;
using ConsentPlatform.Directory.OptOut;
using ConsentPlatform.Directory.Verification;
using ConsentPlatform.ServiceDefaults.Messaging;
using MassTransit;

namespace ConsentPlatform.Directory.Erasure;

/// <summary>
/// A verified erasure (Consent's ErasureRequested): Directory holds a person only as the keyed hash
/// behind entry opt-out codes, but the commands that carried the number to Notices passed through
/// its outbox, so the files are cleared of them too; then Consent is told (ContactErased).
/// </summary>
public sealed class ErasureRequestedConsumer(DirectoryDatabase database, TimeProvider time) : IConsumer<ErasureRequested>
{
    public async Task Consume(ConsumeContext<ErasureRequested> context)
    {
        var m = context.Message;
        await database.HandleOnceAsync(this, context, async tx =>
        {
            await OneTimeCodes.EraseAsync(tx, m.ContactHash, EntryOptOut.LockTarget(m.ContactHash), context.CancellationToken);
            Outbox.Write(tx, new ContactErased { RequestId = m.RequestId, Service = "directory", ErasedAt = time.GetUtcNow() });
        });
        await database.ForgetErasedAsync(context.CancellationToken);
    }
}

public sealed class ErasureRequestedConsumerDefinition() : PlatformConsumerDefinition<ErasureRequestedConsumer>(Queues.DirectoryErasure, concurrentMessageLimit: null);
