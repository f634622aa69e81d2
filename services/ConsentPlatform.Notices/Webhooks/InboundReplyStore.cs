using ConsentPlatform.Notices.Replica;
using ConsentPlatform.ServiceDefaults.Data;
using ConsentPlatform.Telephony;
using Dapper;

namespace ConsentPlatform.Notices.Webhooks;

/// <summary>
/// The replies received on Twilio's inbound webhook (inbound_replies), keyed by Twilio's message sid. An erased
/// contact's replies go with the rest of its rows: the suppression Consent keeps is what honours the stop.
/// </summary>
public sealed class InboundReplyStore : IContactErasure
{
    /// <summary>
    /// Records the reply; false when this sid was recorded before. Twilio retries webhooks, and a reply handled
    /// before must change nothing and get no second answer.
    /// </summary>
    public static async Task<bool> TryRecordAsync(Transaction tx, string sid, string contactHash, OptOutIntent intent, DateTimeOffset at)
    {
        var sql = tx.Database.Dialect.InsertIfAbsent(
            "inbound_replies",
            "provider_sid, contact_hash, intent, received_at",
            "@sid, @contactHash, @intent, @at",
            key: "provider_sid");
        return await tx.Connection.ExecuteAsync(sql, new { sid, contactHash, intent = intent.ToString(), at = at.ToUnixTimeMilliseconds() }, tx.Inner) > 0;
    }

    /// <summary>Whether the contact stopped by a reply before this one (<paramref name="sid"/>).</summary>
    public static async Task<bool> StoppedBeforeAsync(Transaction tx, string contactHash, string sid) =>
        await tx.Connection.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM inbound_replies WHERE contact_hash = @contactHash AND intent = @optOut AND provider_sid <> @sid",
            new { contactHash, optOut = nameof(OptOutIntent.OptOut), sid }, tx.Inner) > 0;

    Task IContactErasure.EraseAsync(Transaction tx, string contactHash, DateTimeOffset now) =>
        tx.Connection.ExecuteAsync("DELETE FROM inbound_replies WHERE contact_hash = @contactHash", new { contactHash }, tx.Inner);
}
