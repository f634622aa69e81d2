using System.Text;

namespace ConsentPlatform.Directory.Tests;

/// <summary>A small RFC 6350 reader for the tests: checks the physical format, unfolds, and parses content lines.</summary>
public static class VCard
{
    public sealed record Property(string Name, IReadOnlyDictionary<string, string> Parameters, string RawValue)
    {
        public string Text => Unescape(RawValue);
        public IReadOnlyList<string> TextList => SplitUnescaped(RawValue, ',').Select(Unescape).ToList();
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Every physical line: CRLF-terminated, at most 75 octets, valid UTF-8 on its own (no character split by a fold).</summary>
    public static IReadOnlyList<string> PhysicalLines(byte[] bytes)
    {
        var lines = new List<string>();
        var start = 0;
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] == (byte)'\r') Assert.True(i + 1 < bytes.Length && bytes[i + 1] == (byte)'\n', $"bare CR at octet {i}");
            if (bytes[i] != (byte)'\n') continue;
            Assert.True(i > 0 && bytes[i - 1] == (byte)'\r', $"bare LF at octet {i}");
            var length = i - 1 - start;
            Assert.True(length <= 75, $"line of {length} octets at octet {start}");
            lines.Add(StrictUtf8.GetString(bytes, start, length));
            start = i + 1;
        }
        Assert.Equal(bytes.Length, start); // the last line ends with CRLF too
        return lines;
    }

    /// <summary>Cards as lists of unfolded content lines (RFC 6350 §3.2: CRLF followed by one space or tab is removed).</summary>
    public static IReadOnlyList<IReadOnlyList<Property>> Parse(byte[] bytes)
    {
        var logical = new List<StringBuilder>();
        foreach (var line in PhysicalLines(bytes))
        {
            if (line.Length > 0 && line[0] is ' ' or '\t') logical[^1].Append(line.AsSpan(1));
            else logical.Add(new StringBuilder(line));
        }

        var cards = new List<IReadOnlyList<Property>>();
        List<Property>? card = null;
        foreach (var property in logical.Select(l => ParseLine(l.ToString())))
        {
            if (property.Name == "BEGIN") { Assert.Equal("VCARD", property.RawValue); card = [property]; continue; }
            Assert.NotNull(card);
            card.Add(property);
            if (property.Name == "END") { Assert.Equal("VCARD", property.RawValue); cards.Add(card); card = null; }
        }
        Assert.Null(card);
        return cards;
    }

    private static Property ParseLine(string line)
    {
        var colon = -1;
        var quoted = false;
        for (var i = 0; i < line.Length && colon < 0; i++)
        {
            if (line[i] == '"') quoted = !quoted;
            else if (line[i] == ':' && !quoted) colon = i;
        }
        Assert.True(colon > 0, $"content line without a value: {line}");
        var head = line[..colon].Split(';');
        var parameters = head.Skip(1).Select(p => p.Split('=', 2)).ToDictionary(p => p[0].ToUpperInvariant(), p => p.Length > 1 ? p[1].Trim('"') : "");
        return new Property(head[0].ToUpperInvariant(), parameters, line[(colon + 1)..]);
    }

    private static IEnumerable<string> SplitUnescaped(string value, char separator)
    {
        var current = new StringBuilder();
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '\\' && i + 1 < value.Length) { current.Append(value, i, 2); i++; }
            else if (value[i] == separator) { yield return current.ToString(); current.Clear(); }
            else current.Append(value[i]);
        }
        yield return current.ToString();
    }

    public static string Unescape(string value)
    {
        var text = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] != '\\' || i + 1 == value.Length) { text.Append(value[i]); continue; }
            var next = value[++i];
            text.Append(next is 'n' or 'N' ? '\n' : next);
        }
        return text.ToString();
    }
}
