using System.Text.Json;
using ConsentPlatform.ServiceDefaults.Data;
using Dapper;

namespace ConsentPlatform.ServiceDefaults.Messaging;

/// <summary>
/// The transactional outbox (MassTransit's own needs EF Core). A message written here commits
/// or rolls back with the business rows of the same transaction; <see cref="OutboxRelay{TDatabase}"/>
/// publishes it afterwards, at least once, with the same MessageId every time.
/// </summary>
public static class Outbox
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task<Guid> WriteAsync<TMessage>(Transaction transaction, TMessage message, CancellationToken cancellationToken = default)
        where TMessage : class
    {
        var messageId = Guid.NewGuid();
        const string sql = """
            INSERT INTO outbox_messages (message_id, message_type, body, created_at)
            VALUES (@messageId, @messageType, @body, @createdAt)
            """;
        await transaction.Connection.ExecuteAsync(new CommandDefinition(sql, new
        {
            messageId = messageId.ToString(),
            messageType = typeof(TMessage).FullName,
            body = JsonSerializer.Serialize(message, Json),
            createdAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
        }, transaction.Inner, cancellationToken: cancellationToken));
        transaction.WroteOutbox = true;
        return messageId;
    }
}
