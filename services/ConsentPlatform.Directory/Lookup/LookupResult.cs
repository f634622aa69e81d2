using ConsentPlatform.Directory.Published;

namespace ConsentPlatform.Directory.Lookup;

/// <summary>
/// The answer to "who calls from this number?". Registered or not, the shape is the same
/// (<see cref="Entry"/> is null when not registered), so the answer shows nothing but that.
/// </summary>
public sealed record LookupResult
{
    /// <summary>The number as understood, in E.164.</summary>
    public required string Number { get; init; }
    public required string NationalFormat { get; init; }
    public required bool Registered { get; init; }
    public required LookupEntry? Entry { get; init; }

    public static LookupResult From(Telephony.PhoneNumber number, PublishedNumber? found) => new()
    {
        Number = number.E164,
        NationalFormat = number.FormatNational(),
        Registered = found is not null,
        Entry = found?.Entry,
    };
}
