using System.Collections.Concurrent;

namespace ConsentPlatform.Telephony;

/// <summary>
/// Local time and quiet hours for a number. When a number could be in more than one zone
/// (a country spanning zones, a NANP area code split by a zone line, a mobile number in Australia)
/// contact is allowed only when it is allowed in every one of them; when no zone is known it is
/// never allowed.
/// </summary>
public static class ContactWindow
{
    public static TimeOnly DefaultStart { get; } = new(8, 0);
    public static TimeOnly DefaultEnd { get; } = new(21, 0);

    private static readonly Dictionary<string, string[]> ZoneIdsByRegion = ParseCountryZones();
    private static readonly ConcurrentDictionary<string, TimeZoneInfo[]> Resolved = new(StringComparer.Ordinal);

    /// <summary>Every zone the number may be in; empty when unknown (non-geographic codes).</summary>
    public static TimeZoneInfo[] TimeZonesFor(PhoneNumber number) => (TimeZoneInfo[])Zones(number).Clone();

    /// <summary>The current local time in each of <see cref="TimeZonesFor"/>.</summary>
    public static DateTimeOffset[] LocalTimes(PhoneNumber number, DateTimeOffset at) =>
        Array.ConvertAll(Zones(number), zone => TimeZoneInfo.ConvertTime(at, zone));

    /// <summary>Allowed between <see cref="DefaultStart"/> (inclusive) and <see cref="DefaultEnd"/> (exclusive), local time.</summary>
    public static bool IsContactAllowed(PhoneNumber number, DateTimeOffset at) =>
        IsContactAllowed(number, at, DefaultStart, DefaultEnd);

    /// <summary>
    /// True when local time is in [start, end) in every zone the number may be in. A window whose
    /// start is after its end runs over midnight; start == end is an empty window.
    /// </summary>
    public static bool IsContactAllowed(PhoneNumber number, DateTimeOffset at, TimeOnly start, TimeOnly end)
    {
        var zones = Zones(number);
        if (zones.Length == 0 || start == end)
        {
            return false;
        }
        foreach (var zone in zones)
        {
            var local = TimeOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, zone).DateTime);
            var inside = start < end ? local >= start && local < end : local >= start || local < end;
            if (!inside)
            {
                return false;
            }
        }
        return true;
    }

    private static TimeZoneInfo[] Zones(PhoneNumber number)
    {
        if (number.IsEmpty)
        {
            return [];
        }
        var nsn = number.NationalSpan;
        if (number.CountryCode == 1 && number.RegionCode is "US" or "CA")
        {
            var npa = (nsn[0] - '0') * 100 + (nsn[1] - '0') * 10 + (nsn[2] - '0');
            var ids = Nanp.ZonesFor(npa);
            if (ids is not null)
            {
                return Resolved.GetOrAdd("NANP" + npa, static (_, ids) => Resolve(ids), ids);
            }
        }
        if (number.CountryCode == 61 && number.Type == PhoneNumberType.Fixed)
        {
            // Australian geographic numbers: 02 NSW/ACT, 03 VIC/TAS, 07 QLD, 08 SA/WA/NT.
            string[]? ids = nsn[0] switch
            {
                '2' => ["Australia/Sydney"],
                '3' => ["Australia/Melbourne", "Australia/Hobart"],
                '7' => ["Australia/Brisbane"],
                '8' => ["Australia/Adelaide", "Australia/Perth", "Australia/Darwin", "Australia/Broken_Hill"],
                _ => null,
            };
            if (ids is not null)
            {
                return Resolved.GetOrAdd("AU" + nsn[0], static (_, ids) => Resolve(ids), ids);
            }
        }
        return Resolved.GetOrAdd(number.RegionCode, static region =>
            ZoneIdsByRegion.TryGetValue(region, out var ids) ? Resolve(ids) : []);
    }

    private static TimeZoneInfo[] Resolve(string[] ids)
    {
        var zones = new List<TimeZoneInfo>(ids.Length);
        foreach (var id in ids)
        {
            try
            {
                zones.Add(TimeZoneInfo.FindSystemTimeZoneById(id));
            }
            catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
            {
                // A host with older tzdata lacks a few zones; the rest of the country still applies.
            }
        }
        return [.. zones];
    }

    private static Dictionary<string, string[]> ParseCountryZones()
    {
        var map = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var entry in CountryTimeZones.Data.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = entry.IndexOf('=');
            map[entry[..eq]] = entry[(eq + 1)..].Split(',');
        }
        return map;
    }
}
