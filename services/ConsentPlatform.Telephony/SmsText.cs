namespace ConsentPlatform.Telephony;

public enum SmsEncoding
{
    /// <summary>GSM 03.38 default alphabet, 7 bits per character.</summary>
    Gsm7,
    /// <summary>UCS-2 (UTF-16 code units), used as soon as one character is outside GSM-7.</summary>
    Ucs2,
}

/// <param name="Encoding">How the text would be sent.</param>
/// <param name="CodeUnits">Septets for GSM-7 (extension characters count 2), UTF-16 code units for UCS-2.</param>
/// <param name="Segments">Messages billed; 0 for empty text.</param>
/// <param name="PerSegment">Capacity of each segment: 160/153 for GSM-7, 70/67 for UCS-2 (single/concatenated).</param>
/// <param name="Remaining">Code units left in the last segment before another one is needed.</param>
public readonly record struct SmsTextInfo(SmsEncoding Encoding, int CodeUnits, int Segments, int PerSegment, int Remaining)
{
    public bool IsMultipart => Segments > 1;
}

/// <summary>
/// SMS encoding and segment counting per 3GPP TS 23.038 (alphabet) and TS 23.040 (concatenation:
/// a 6-byte user data header leaves 153 septets or 67 UCS-2 units per part). A GSM escape pair or a
/// UTF-16 surrogate pair is never split across parts, so a part may carry one unit less.
/// </summary>
public static class SmsText
{
    public const int Gsm7Single = 160;
    public const int Gsm7Multipart = 153;
    public const int Ucs2Single = 70;
    public const int Ucs2Multipart = 67;

    // GSM 03.38 basic character set, in table order (the 0x1B escape is not a character).
    private const string Basic =
        "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
        "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

    // Reached through the escape, so each costs two septets.
    private const string Extension = "\f^{}\\[~]|€";

    private static readonly byte[] Latin1Cost = BuildLatin1Cost();

    private static byte[] BuildLatin1Cost()
    {
        var cost = new byte[256];
        foreach (var c in Basic)
        {
            if (c < 256)
            {
                cost[c] = 1;
            }
        }
        foreach (var c in Extension)
        {
            if (c < 256)
            {
                cost[c] = 2;
            }
        }
        return cost;
    }

    /// <summary>Septets a character costs in GSM-7: 1, 2 (extension table) or 0 when it is not in GSM-7.</summary>
    internal static int GsmCost(char c) =>
        c < 256 ? Latin1Cost[c]
        : c == '€' ? 2
        : c is 'Δ' or 'Φ' or 'Γ' or 'Λ' or 'Ω' or 'Π' or 'Ψ' or 'Σ' or 'Θ' or 'Ξ' ? 1
        : 0;

    public static SmsTextInfo Analyze(string? text)
    {
        var span = (text ?? string.Empty).AsSpan();
        var gsm = true;
        foreach (var c in span)
        {
            if (GsmCost(c) == 0)
            {
                gsm = false;
                break;
            }
        }
        return gsm ? Count(span, SmsEncoding.Gsm7, Gsm7Single, Gsm7Multipart)
                   : Count(span, SmsEncoding.Ucs2, Ucs2Single, Ucs2Multipart);
    }

    private static SmsTextInfo Count(ReadOnlySpan<char> text, SmsEncoding encoding, int single, int multipart)
    {
        var total = 0;
        for (var i = 0; i < text.Length; i += Step(text, i, encoding))
        {
            total += Width(text, i, encoding);
        }
        if (total == 0)
        {
            return new SmsTextInfo(encoding, 0, 0, single, single);
        }
        if (total <= single)
        {
            return new SmsTextInfo(encoding, total, 1, single, single - total);
        }
        int segments = 1, used = 0;
        for (var i = 0; i < text.Length; i += Step(text, i, encoding))
        {
            var width = Width(text, i, encoding);
            if (used + width > multipart)
            {
                segments++;
                used = 0;
            }
            used += width;
        }
        return new SmsTextInfo(encoding, total, segments, multipart, multipart - used);
    }

    // One indivisible unit: a GSM character (escape pair included), or a UTF-16 surrogate pair.
    private static int Step(ReadOnlySpan<char> text, int i, SmsEncoding encoding) =>
        encoding == SmsEncoding.Ucs2 && char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) ? 2 : 1;

    private static int Width(ReadOnlySpan<char> text, int i, SmsEncoding encoding) =>
        encoding == SmsEncoding.Gsm7 ? GsmCost(text[i]) : Step(text, i, encoding);
}
