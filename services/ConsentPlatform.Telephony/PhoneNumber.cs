namespace ConsentPlatform.Telephony;

/// <summary>A validated number. Only <see cref="PhoneNumbers"/> creates non-default values.</summary>
public readonly record struct PhoneNumber
{
    /// <summary>"+819012345678". Null only for <c>default(PhoneNumber)</c>.</summary>
    public string E164 { get; }
    public int CountryCode { get; }
    /// <summary>ISO 3166-1 alpha-2 ("JP", "US", "CA", …), or "001" for non-geographic codes (+800, +870 …).</summary>
    public string RegionCode { get; }
    public PhoneNumberType Type { get; }
    /// <summary>True only where the plan says the line takes SMS (mobile; NANP geographic numbers,
    /// which may be mobile). Unknown types answer false so we never text a number blindly.</summary>
    public bool CanReceiveSms { get; }

    internal PhoneNumber(string e164, int countryCode, string regionCode, PhoneNumberType type, bool canReceiveSms)
    {
        E164 = e164;
        CountryCode = countryCode;
        RegionCode = regionCode;
        Type = type;
        CanReceiveSms = canReceiveSms;
    }

    public bool IsEmpty => E164 is null;

    /// <summary>Digits after the country code ("9012345678").</summary>
    public string NationalSignificantNumber => IsEmpty ? string.Empty : E164[(1 + CountryCodeDigits)..];

    internal ReadOnlySpan<char> NationalSpan => IsEmpty ? default : E164.AsSpan(1 + CountryCodeDigits);

    /// <summary>As dialled inside the country: "090-1234-5678", "(212) 555-0123", "020 7946 0018".</summary>
    public string FormatNational() => IsEmpty ? string.Empty : NumberFormatter.National(this);

    /// <summary>"+81 90-1234-5678".</summary>
    public string FormatInternational() => IsEmpty ? string.Empty : NumberFormatter.International(this);

    /// <summary>National format with all but the leading group and the last four digits hidden: "090-****-5678".</summary>
    public string FormatMasked() => IsEmpty ? string.Empty : NumberFormatter.Masked(this);

    private int CountryCodeDigits => CountryCode < 10 ? 1 : CountryCode < 100 ? 2 : 3;

    public override string ToString() => E164 ?? string.Empty;
}
