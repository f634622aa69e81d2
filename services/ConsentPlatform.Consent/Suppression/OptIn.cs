using ConsentPlatform.Consent.Gate;

namespace ConsentPlatform.Consent.Suppression;

/// <summary>
/// "Contact me again" from the person, and what it may lift. It is a reply from the number itself,
/// so it undoes only what the same kind of act did: an opt-out (not a refusal on a call, not an
/// erasure or a data-subject request) that came from the same source, for the same organization,
/// on a channel it names, made before it. It never creates consent.
/// </summary>
/// <param name="AllChannels">The request named no channel (every channel of that source).</param>
/// <param name="Channels">The known channels it names; empty with <paramref name="AllChannels"/> false lifts nothing.</param>
public sealed record OptIn(Guid RequestId, string ContactHash, string OrganizationId, bool AllChannels, IReadOnlyList<string> Channels, string Source, DateTimeOffset At)
{
    public const string SmsReply = "sms_reply";

    /// <summary>Sources whose opt-in Consent honours: each is the person answering from the contact itself.</summary>
    public static readonly IReadOnlySet<string> Sources = new HashSet<string>(StringComparer.Ordinal) { SmsReply };

    private const string Every = "*";

    public string ChannelsText => AllChannels ? Every : string.Join(' ', Channels);

    public static OptIn Parse(Guid requestId, string contactHash, string organizationId, string channels, string source, DateTimeOffset at) =>
        new(requestId, contactHash, organizationId, channels == Every, channels == Every ? [] : channels.Split(' ', StringSplitOptions.RemoveEmptyEntries), source, at);

    public bool MayLift(string? organizationId, string? channel, string reason, string source, long createdAt) =>
        Sources.Contains(Source)
        && organizationId == OrganizationId
        && reason == ReasonCodes.OptedOut
        && source == Source
        // An entry for every channel is lifted only by a request for every channel.
        && (AllChannels || (channel is not null && Channels.Contains(channel)))
        && createdAt < At.ToUnixTimeMilliseconds();
}
