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
    /// <see cref="TryRecordAsync"/> for a batch of messages (a <c>Batch&lt;T&gt;</c> consumer's) in one statement per
    /// <see cref="RowsPerStatement"/> ids instead of a round trip each; returns the ids recorded now, those
    /// this consumer has not handled before. The effects of exactly these must commit in the same transaction.
    /// </summary>
    public static async Task<IReadOnlySet<Guid>> TryRecordAllAsync(Transaction transaction, IEnumerable<Guid> messageIds, string consumer, CancellationToken cancellationToken = default)
    {
        var recorded = new HashSet<Guid>();
        // A redelivery can put one id in a batch twice; SQL Server's NOT EXISTS would not see the twin.
        foreach (var chunk in messageIds.Distinct().Chunk(RowsPerStatement))
        {
            var parameters = new DynamicParameters(new { consumer, now = transaction.Database.Time.GetUtcNow().ToUnixTimeMilliseconds() });
            for (var i = 0; i < chunk.Length; i++) parameters.Add("id" + i, chunk[i].ToString());
            var sql = transaction.Database.Dialect.InsertManyIfAbsent(
                "inbox_messages",
                "message_id, consumer, received_at",
                [.. chunk.Select((_, i) => $"@id{i}, @consumer, @now")],
                key: "message_id, consumer",
                returning: "message_id");
            foreach (var id in await transaction.Connection.QueryAsync<string>(new CommandDefinition(sql, parameters, transaction.Inner, cancellationToken: cancellationToken)))
                recorded.Add(Guid.Parse(id));
        }
        return recorded;
    }

    /// <summary>SQL Server takes at most 2,100 parameters in a statement.</summary>
    private const int RowsPerStatement = 500;

    /// <summary>
    /// Runs <paramref name="effect"/> in a transaction that also records the message id under
    /// <paramref name="consumer"/>'s inbox key (<see cref="KeyOf{TConsumer, TMessage}"/>); does nothing when
    /// that consumer handled the message before. Returns whether the effect ran.
    /// </summary>
    public static Task<bool> HandleOnceAsync<TConsumer, TMessage>(this ServiceDatabase database, TConsumer consumer, ConsumeContext<TMessage> context, Func<Transaction, Task> effect)
        where TConsumer : class, IConsumer
        where TMessage : class =>
        database.HandleOnceAsync(context, KeyOf<TConsumer, TMessage>(), effect);

    /// <summary>
    /// The key a consumer's handled messages are stored under: its type's name and the message type's
    /// ("ReplicaConsumer/ContactSuppressed"), unique within a service's database, where the inbox is.
    /// Names without namespaces, so moving a consumer between folders keeps its key; renaming the consumer
    /// or the message changes it, and needs a migration that rewrites the stored keys (ADR 0037), or a
    /// redelivery after the upgrade would be handled again.
    /// </summary>
    public static string KeyOf<TConsumer, TMessage>() where TConsumer : class, IConsumer where TMessage : class =>
        KeyOf(typeof(TConsumer), typeof(TMessage));

    /// <inheritdoc cref="KeyOf{TConsumer, TMessage}"/>
    public static string KeyOf(Type consumer, Type message) => $"{WithoutArity(consumer.Name)}/{WithoutArity(message.Name)}";

    private static string WithoutArity(string name) => name.IndexOf('`') is var tick and >= 0 ? name[..tick] : name;

    private static async Task<bool> HandleOnceAsync(this ServiceDatabase database, ConsumeContext context, string consumer, Func<Transaction, Task> effect)
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
