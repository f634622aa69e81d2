using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ConsentPlatform.Directory.Numbers;
using ConsentPlatform.ServiceDefaults.Web;

namespace ConsentPlatform.Directory.Feeds;

public enum FeedFormat { VCard, Csv, Json }

/// <summary>A rendered feed: the bytes, and the validators a client revalidates with.</summary>
public sealed record FeedDocument(byte[] Body, string ContentType, string ETag, DateTimeOffset LastModified)
{
    public static FeedDocument Render(FeedFormat format, IReadOnlyList<PublishedOrganization> organizations, DateTimeOffset lastModified)
    {
        var (body, contentType) = format switch
        {
            FeedFormat.VCard => (VCardWriter.Write(organizations), "text/vcard; charset=utf-8"),
            FeedFormat.Csv => (CsvFeedWriter.Write(organizations), "text/csv; charset=utf-8"),
            _ => (JsonSerializer.SerializeToUtf8Bytes(DirectoryFeed.From(organizations, lastModified), FeedJson.Options), "application/json; charset=utf-8"),
        };
        // A strong validator from the content itself: equal bytes, equal tag, on every instance.
        var etag = "\"" + Convert.ToHexStringLower(SHA256.HashData(body))[..32] + "\"";
        // HTTP dates have whole seconds; the stored stamp is rounded down so If-Modified-Since compares cleanly.
        var seconds = DateTimeOffset.FromUnixTimeSeconds(lastModified.ToUnixTimeSeconds());
        return new FeedDocument(body, contentType, etag, seconds);
    }
}

internal static class FeedJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
}

/// <summary>The JSON feed (R29): every organization with its published numbers.</summary>
public sealed record DirectoryFeed
{
    /// <summary>When anything in this feed last changed.</summary>
    public required DateTimeOffset LastModified { get; init; }
    public required IReadOnlyList<FeedOrganization> Organizations { get; init; }

    public static DirectoryFeed From(IReadOnlyList<PublishedOrganization> organizations, DateTimeOffset lastModified) => new()
    {
        LastModified = DateTimeOffset.FromUnixTimeSeconds(lastModified.ToUnixTimeSeconds()),
        Organizations = organizations.Select(FeedOrganization.From).ToList(),
    };
}

public sealed record FeedOrganization
{
    public required string OrganizationId { get; init; }
    public required string LegalName { get; init; }
    public required IReadOnlyList<string> TradeNames { get; init; }
    public required ContactPoint Contact { get; init; }
    public string? PrivacyPolicyUrl { get; init; }
    public required IReadOnlyList<FeedNumber> Numbers { get; init; }

    public static FeedOrganization From(PublishedOrganization o) => new()
    {
        OrganizationId = o.Id,
        LegalName = o.Profile.LegalName,
        TradeNames = o.Profile.TradeNames,
        Contact = ContactPoint.From(o),
        PrivacyPolicyUrl = o.Profile.PrivacyPolicyUrl,
        Numbers = o.Numbers.Select(FeedNumber.From).ToList(),
    };
}

/// <summary>How a recipient reaches the organization (R15's contact point).</summary>
public sealed record ContactPoint(string? Phone, string? Email, string? WebsiteUrl, string? Address)
{
    public static ContactPoint From(PublishedOrganization o) => new(o.Profile.ContactPhone, o.Profile.ContactEmail, o.Profile.WebsiteUrl, o.Profile.Address);
}

public sealed record FeedNumber
{
    /// <summary>E.164.</summary>
    public required string PhoneNumber { get; init; }
    public required string NationalFormat { get; init; }
    public string? Department { get; init; }
    public required IReadOnlyList<string> Purposes { get; init; }
    public required CallingHours CallingHours { get; init; }
    /// <summary>When the organization proved control of the number.</summary>
    public required DateTimeOffset VerifiedSince { get; init; }
    public DateTimeOffset? ValidUntil { get; init; }

    public static FeedNumber From(CallerNumber n) => new()
    {
        PhoneNumber = n.E164,
        NationalFormat = n.Number.FormatNational(),
        Department = n.Department,
        Purposes = n.Purposes,
        CallingHours = new CallingHours(n.HoursStart, n.HoursEnd, CallerNumber.TimeZoneOf(n.Number)),
        VerifiedSince = n.VerifiedAt ?? n.PublishedAt ?? n.CreatedAt,
        ValidUntil = n.ValidUntil,
    };
}

/// <summary>RFC 4180 CSV, UTF-8, CRLF; the endpoint adds the byte-order mark Japanese Excel needs (unless ?bom=false), as every CSV download does.</summary>
public static class CsvFeedWriter
{
    private static readonly string[] Header =
    [
        "organization_id", "legal_name", "trade_names", "phone_number", "national_format", "department", "purposes",
        "calling_hours_start", "calling_hours_end", "time_zone", "verified_since", "valid_until",
    ];

    public static byte[] Write(IReadOnlyList<PublishedOrganization> organizations)
    {
        var text = new StringBuilder();
        AppendRow(text, Header);
        foreach (var organization in organizations)
        foreach (var number in organization.Numbers)
        {
            var feed = FeedNumber.From(number);
            AppendRow(text,
            [
                organization.Id, organization.Profile.LegalName, string.Join(" / ", organization.Profile.TradeNames),
                feed.PhoneNumber, feed.NationalFormat, feed.Department ?? "", string.Join(" / ", feed.Purposes),
                feed.CallingHours.Start, feed.CallingHours.End, feed.CallingHours.TimeZone ?? "",
                feed.VerifiedSince.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                feed.ValidUntil?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "",
            ]);
        }
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private static void AppendRow(StringBuilder text, IReadOnlyList<string> cells)
    {
        for (var i = 0; i < cells.Count; i++)
        {
            if (i > 0) text.Append(',');
            var cell = CsvCell.Guard(cells[i]);
            if (cell.AsSpan().IndexOfAny(",\"\r\n") >= 0) text.Append('"').Append(cell.Replace("\"", "\"\"")).Append('"');
            else text.Append(cell);
        }
        text.Append("\r\n");
    }
}
