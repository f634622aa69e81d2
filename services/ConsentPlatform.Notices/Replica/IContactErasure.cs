using ConsentPlatform.ServiceDefaults.Data;

namespace ConsentPlatform.Notices.Replica;

/// <summary>
/// Another folder's part of erasing a contact: the replica's consumer erases its own rows and calls each of
/// these in the same transaction, so every owner erases its own tables (queued messages: Sending; calls:
/// Calls) and the replica depends on neither (issue 17).
/// </summary>
public interface IContactErasure
{
    Task EraseAsync(Transaction tx, string contactHash, DateTimeOffset now);
}
