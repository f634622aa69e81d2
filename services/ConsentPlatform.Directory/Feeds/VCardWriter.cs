using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ConsentPlatform.Directory.Feeds;

/// <summary>
/// vCard 4.0 (RFC 6350): one card per organization with all its published numbers, for importing
/// into a phone's contacts or block list. CRLF line ends; lines longer than 75 octets are folded
/// (CRLF + space) between characters, never inside a UTF-8 sequence.
/// </summary>
public static class VCardWriter
{
    public const int MaxLineOctets = 75;

    public static byte[] Write(IReadOnlyList<PublishedOrganization> organizations)
    {
        var output = new MemoryStream();
        foreach (var organization in organizations) WriteCard(output, organization);
        return output.ToArray();
    }

    private static void WriteCard(Stream output, PublishedOrganization organization)
    {
        var profile = organization.Profile;
        void Line(string line) => WriteFolded(output, line);
        // Every value goes through Escape, so no value can end its line and start a property or a card of its own.
        void Property(string name, string value) => Line(name + ":" + Escape(value));

        Line("BEGIN:VCARD");
        Line("VERSION:4.0");
        Line("KIND:org");
        Property("UID", "urn:uuid:" + StableUuid(organization.Id));
        Property("FN", profile.LegalName);
        Property("ORG", profile.LegalName);
        // NICKNAME is a comma-separated list: the items are escaped, the separators are not.
        if (profile.TradeNames.Count > 0) Line("NICKNAME:" + string.Join(",", profile.TradeNames.Select(Escape)));
        foreach (var number in organization.Numbers)
            Property("TEL;TYPE=work,voice;VALUE=uri", "tel:" + number.E164);
        if (profile.ContactEmail is { } email) Property("EMAIL;TYPE=work", email);
        if (profile.WebsiteUrl is { } url) Property("URL", url);
        Property("NOTE", Note(organization));
        Property("REV", organization.LastModified.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture));
        Line("END:VCARD");
    }

    /// <summary>What each number is for, so the contact explains itself when it rings.</summary>
    private static string Note(PublishedOrganization organization) =>
        "Verified caller numbers (ConsentPlatform directory):\n" + string.Join("\n", organization.Numbers.Select(n =>
            $"{n.Number.FormatNational()}{(n.Department is { } d ? " " + d : "")}: {string.Join(", ", n.Purposes)} ({n.HoursStart}-{n.HoursEnd})"));

    /// <summary>
    /// Value escaping (RFC 6350 §3.4) for every property: backslash, comma, semicolon and newline
    /// are escaped; CR and any other control character are dropped, since a raw one would end or
    /// corrupt the content line.
    /// </summary>
    public static string Escape(string value)
    {
        var text = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\': text.Append(@"\\"); break;
                case ',': text.Append(@"\,"); break;
                case ';': text.Append(@"\;"); break;
                case '\n': text.Append(@"\n"); break;
                default:
                    if (!char.IsControl(c)) text.Append(c);
                    break;
            }
        }
        return text.ToString();
    }

    /// <summary>Writes one content line, folded at <see cref="MaxLineOctets"/> octets (the space that starts a continuation counts).</summary>
    public static void WriteFolded(Stream output, string line)
    {
        Span<byte> buffer = stackalloc byte[4];
        var used = 0;
        foreach (var rune in line.EnumerateRunes())
        {
            var length = rune.EncodeToUtf8(buffer);
            if (used + length > MaxLineOctets)
            {
                output.Write("\r\n "u8);
                used = 1;
            }
            output.Write(buffer[..length]);
            used += length;
        }
        output.Write("\r\n"u8);
    }

    /// <summary>A name-based UUID (version 5 layout over SHA-256), so re-importing a feed updates the same contact.</summary>
    private static Guid StableUuid(string organizationId)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes("consentplatform:directory:" + organizationId));
        var bytes = hash[..16];
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x50);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }
}
