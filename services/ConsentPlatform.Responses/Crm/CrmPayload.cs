using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ConsentPlatform.Responses.ResponseForm;

namespace ConsentPlatform.Responses.Crm;

/// <summary>The JSON a webhook receives and the pull feed lists. Field names are stable: CRMs map them.</summary>
public sealed record CrmResponse(
    string ResponseId, long Sequence, string OrganizationId, string ContactHash, string MaskedNumber, string Topic,
    string? Email, string PreferredContact, string? ContactAfter, string? Reason, string? ReasonText, string? Comments,
    bool OptOutIntentFlagged, string Language, DateTimeOffset RespondedAt)
{
    public static CrmResponse From(ResponseRecord r) => new(r.ResponseId, r.Sequence, r.OrganizationId, r.ContactHash, r.MaskedNumber, r.Topic,
        r.Email, r.PreferredContact, r.ContactAfter, r.Reason, r.ReasonText, r.Comments, r.OptOutIntentFlagged, r.Language, r.RespondedAt);
}

public sealed record WebhookEnvelope(string Event, string DeliveryId, CrmResponse Response);

/// <summary>
/// Webhook signatures: <c>X-ConsentPlatform-Signature: t={unix seconds},v1={hex HMAC-SHA256(secret, t + "." + body)}</c>.
/// Receivers recompute it over the raw body and reject a t older than the replay window
/// (<see cref="ReplayWindow"/>); every attempt is signed afresh, so a retry hours later still verifies.
/// </summary>
public static class WebhookSignature
{
    public const string Header = "X-ConsentPlatform-Signature";
    public const string DeliveryHeader = "X-ConsentPlatform-Delivery";
    public static readonly TimeSpan ReplayWindow = TimeSpan.FromMinutes(5);
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static string Sign(string secret, long unixSeconds, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes(unixSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".");
        var message = new byte[prefix.Length + body.Length];
        prefix.CopyTo(message, 0);
        body.CopyTo(message.AsSpan(prefix.Length));
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), message);
        return $"t={unixSeconds},v1={Convert.ToHexStringLower(mac)}";
    }

    /// <summary>What a receiver does; used by the fake CRM in the tests and offered as the reference check.</summary>
    public static bool Verify(string secret, string? header, ReadOnlySpan<byte> body, DateTimeOffset now, TimeSpan window)
    {
        if (string.IsNullOrEmpty(header)) return false;
        long? t = null;
        string? v1 = null;
        foreach (var part in header.Split(','))
        {
            var kv = part.Split('=', 2);
            if (kv.Length != 2) continue;
            if (kv[0].Trim() == "t" && long.TryParse(kv[1], out var parsed)) t = parsed;
            else if (kv[0].Trim() == "v1") v1 = kv[1].Trim();
        }
        if (t is null || v1 is null) return false;
        if (Math.Abs(now.ToUnixTimeSeconds() - t.Value) > window.TotalSeconds) return false;
        var expected = Encoding.ASCII.GetBytes(Sign(secret, t.Value, body).Split(",v1=")[1]);
        return CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(v1));
    }
}
