using System.Text.Json;
using ConsentPlatform.Directory.Verification;
using ConsentPlatform.Telephony;

namespace ConsentPlatform.Directory.Numbers;

public static class NumberStatus
{
    /// <summary>Added; its owner has not proved control yet.</summary>
    public const string Pending = "pending";
    /// <summary>Proved, but its validity has not started yet.</summary>
    public const string Verified = "verified";
    /// <summary>Proved and valid: in the lookup and the feeds, announced to the other services.</summary>
    public const string Published = "published";
    public const string Withdrawn = "withdrawn";
    public const string Expired = "expired";
}

/// <summary>A caller number as stored.</summary>
public sealed record CallerNumber
{
    public required Guid Id { get; init; }
    public required string OrganizationId { get; init; }
    public required string E164 { get; init; }
    public required string NumberType { get; init; }
    public string? Department { get; init; }
    public required IReadOnlyList<string> Purposes { get; init; }
    public required string HoursStart { get; init; }
    public required string HoursEnd { get; init; }
    public DateTimeOffset? ValidFrom { get; init; }
    public DateTimeOffset? ValidUntil { get; init; }
    public required string Status { get; init; }
    public DateTimeOffset? VerifiedAt { get; init; }
    public DateTimeOffset? PublishedAt { get; init; }
    public DateTimeOffset? WithdrawnAt { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }

    public PhoneNumber Number => PhoneNumbers.Parse(E164).Number;

    public bool IsLive => Status is NumberStatus.Pending or NumberStatus.Verified or NumberStatus.Published;

    public CallerNumberView ToView() => new()
    {
        Id = Id,
        PhoneNumber = E164,
        NationalFormat = Number.FormatNational(),
        NumberType = NumberType,
        VerificationMethod = CodeMethods.For(Number),
        Department = Department,
        Purposes = Purposes,
        CallingHours = new CallingHours(HoursStart, HoursEnd, TimeZoneOf(Number)),
        ValidFrom = ValidFrom,
        ValidUntil = ValidUntil,
        Status = Status,
        VerifiedAt = VerifiedAt,
        PublishedAt = PublishedAt,
        WithdrawnAt = WithdrawnAt,
        CreatedAt = CreatedAt,
    };

    public static string? TimeZoneOf(PhoneNumber number) => ContactWindow.TimeZonesFor(number) is [var zone, ..] ? zone.Id : null;

    internal static string PurposesToJson(IReadOnlyList<string> purposes) => JsonSerializer.Serialize(purposes);

    internal static IReadOnlyList<string> PurposesFromJson(string json) => JsonSerializer.Deserialize<string[]>(json) ?? [];
}

/// <summary>Calling hours in the number's local time (<see cref="TimeZone"/>, an IANA id).</summary>
public sealed record CallingHours(string Start, string End, string? TimeZone);

/// <summary>A caller number as the organization API shows it.</summary>
public sealed record CallerNumberView
{
    public required Guid Id { get; init; }
    /// <summary>E.164.</summary>
    public required string PhoneNumber { get; init; }
    public required string NationalFormat { get; init; }
    /// <summary>mobile | fixed | voip | toll_free …</summary>
    public required string NumberType { get; init; }
    /// <summary>sms (a code by SMS) or call (a code read out on a call, for lines that cannot take SMS).</summary>
    public required string VerificationMethod { get; init; }
    public string? Department { get; init; }
    public required IReadOnlyList<string> Purposes { get; init; }
    public required CallingHours CallingHours { get; init; }
    public DateTimeOffset? ValidFrom { get; init; }
    public DateTimeOffset? ValidUntil { get; init; }
    /// <summary>pending | verified | published | withdrawn | expired</summary>
    public required string Status { get; init; }
    public DateTimeOffset? VerifiedAt { get; init; }
    public DateTimeOffset? PublishedAt { get; init; }
    public DateTimeOffset? WithdrawnAt { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
}

/// <summary>
/// A code is on its way: enter it with POST …/verification/code before <see cref="ExpiresAt"/>.
/// <see cref="RequestId"/> is the RequestId of the command that carries the code (for support; not the code).
/// </summary>
public sealed record VerificationStarted(Guid CallerNumberId, Guid RequestId, string Method, DateTimeOffset ExpiresAt);

public sealed record VerificationCodeInput(string? Code);
