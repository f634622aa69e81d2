using ConsentPlatform.ServiceDefaults.Data;
using Dapper;
using MassTransit;

namespace ConsentPlatform.ServiceDefaults.Messaging;

/// <summary>
/// The inbox: a consumer records the message id in the same transaction as its effect, so a
/// redelivered message (the outbox and the broker both deliver at least once) changes nothing.
/// </summary>
public static class Inbox
{
    /// <summary>Records the message for this consumer; false when it was handled before.</summary>
    public static async Task<bool> TryRecordAsync(Transaction transaction, Guid messageId, string consumer, CancellationToken cancellationToken = default)
    {
        var sql = transaction.Database.Dialect.InsertIfAbsent(
            "inbox_messages",
            "message_id, consumer, received_at",
            "@messageId, @consumer, @now",
            key: "message_id, consumer");
        var inserted = await transaction.Connection.ExecuteAsync(new CommandDefinition(sql, new
        {
            messageId = messageId.ToString(),
            consumer,
            now = transaction.Database.Time.GetUtcNow().ToUnixTimeMilliseconds(),
        }, transaction.Inner, cancellationToken: cancellationToken));
        return inserted == 1;
    }

    /// <summary>
    /// Runs <paramref name="effect"/> in a transaction that also records the message id; does
    /// nothing when this consumer handled the message before. Returns whether the effect ran.
    /// </summary>
    public static async Task<bool> HandleOnceAsync(this ServiceDatabase database, ConsumeContext context, string consumer, Func<Transaction, Task> effect)
    {
        var messageId = context.MessageId ?? throw new InvalidOperationException("A message without a MessageId cannot be de-duplicated.");
        await using var transaction = await database.BeginAsync(context.CancellationToken);
        if (!await TryRecordAsync(transaction, messageId, consumer, context.CancellationToken))
            return false;
        await effect(transaction);
        await transaction.CommitAsync(context.CancellationToken);
        return true;
    }
}
