using System.Data;
using System.Diagnostics;
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

    /// <summary>
    /// Messages that carry a raw number or address with a one-time code, a single-use link or an address a person typed: the relay deletes them as
    /// soon as they are published instead of keeping them as sent for a week, so an erasure finds
    /// no copy of the contact in any outbox.
    /// </summary>
    public static readonly IReadOnlySet<string> ForgottenOncePublished = new HashSet<string>(StringComparer.Ordinal)
    {
        typeof(Contracts.SendVerificationCode).FullName!, typeof(Contracts.PlaceVerificationCall).FullName!, typeof(Contracts.SendEmailConfirmation).FullName!,
        typeof(Contracts.EmailConsentRequested).FullName!, typeof(Contracts.EmailConsentConfirmed).FullName!,
    };

    private const string InsertSql = """
        INSERT INTO outbox_messages (message_id, message_type, body, created_at, trace_parent)
        VALUES (@messageId, @messageType, @body, @createdAt, @traceParent)
        """;

    /// <summary>
    /// Adds the message to the transaction; it is inserted when the transaction commits, with the other messages
    /// written in it, in one round trip on a server database (ADR 0042). Returns the MessageId it will be published with.
    /// </summary>
    public static Guid Write<TMessage>(Transaction transaction, TMessage message) where TMessage : class
    {
        var now = transaction.Database.Time.GetUtcNow();
        // Time-ordered (UUIDv7): the unique index on message_id and the consumers' inbox keys grow at their right edge (ADR 0044).
        var messageId = Guid.CreateVersion7(now);
        transaction.AddOutboxRow(new PendingRow(messageId.ToString(), Prepare(message), now.ToUnixTimeMilliseconds(), TraceParent()));
        return messageId;
    }

    internal readonly record struct PendingRow(string MessageId, PreparedMessage Message, long CreatedAt, string? TraceParent);

    internal static Task WritePendingAsync(Transaction transaction, IEnumerable<PendingRow> rows, CancellationToken cancellationToken) =>
        transaction.ExecuteForEachAsync(InsertSql,
        [
            ("@messageId", DbType.String, r => r.MessageId), ("@messageType", DbType.String, r => r.Message.MessageType),
            ("@body", DbType.String, r => r.Message.Body), ("@createdAt", DbType.Int64, r => r.CreatedAt), ("@traceParent", DbType.String, r => r.TraceParent),
        ], rows, cancellationToken);

    /// <summary>The W3C traceparent of the work writing the message, when it is being traced.</summary>
    private static string? TraceParent() => Activity.Current is { IdFormat: ActivityIdFormat.W3C, Recorded: true } current ? current.Id : null;

    /// <summary>A message serialized ahead of its transaction, for <see cref="WriteAllAsync"/>.</summary>
    public static PreparedMessage Prepare<TMessage>(TMessage message) where TMessage : class =>
        new(typeof(TMessage).FullName!, JsonSerializer.Serialize(message, Json));

    public readonly record struct PreparedMessage(string MessageType, string Body);

    /// <summary>
    /// Many prepared messages, each under the caller's message id (so a batch can hand them out in index order),
    /// written in the caller's transaction by <see cref="Transaction.ExecuteForEachAsync{TRow}"/>: a bulk load that
    /// must hold the writer as briefly as it can, so nothing is serialized in the transaction, and a server database
    /// gets the rows in batches rather than a round trip each.
    /// </summary>
    public static Task WriteAllAsync(Transaction transaction, IEnumerable<(string MessageId, PreparedMessage Message)> messages, CancellationToken cancellationToken)
    {
        var createdAt = transaction.Database.Time.GetUtcNow().ToUnixTimeMilliseconds();
        var traceParent = TraceParent();
        transaction.WroteOutbox = true;
        return WritePendingAsync(transaction, messages.Select(m => new PendingRow(m.MessageId, m.Message, createdAt, traceParent)), cancellationToken);
    }
}
