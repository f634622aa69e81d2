using System.Text;

namespace ConsentPlatform.ServiceDefaults.Web;

/// <summary>
/// Marks a field that may hold several lines (consent texts, comments, templates, one-per-line
/// lists). Every other text field is one line: CR and LF there could forge a second record in
/// an output that is line-based (vCard, CSV, SMS headers).
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class MultilineTextAttribute : Attribute;

/// <summary>
/// The one rule for text a caller sends: no NUL or other control characters (CR, LF and tab
/// only where the field is multiline), no bidirectional overrides or isolates (they make a name
/// read differently from what it is — "Trojan Source" style spoofing in SMS and contact cards),
/// no lone surrogates or noncharacters; accepted text is stored in Unicode NFC so equal words compare equal.
/// </summary>
public static class FreeText
{
    /// <summary>Why the value is refused, or null when it is acceptable.</summary>
    public static string? Problem(string value, bool multiline)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c is '\n' or '\r' or '\t')
            {
                if (!multiline) return "Must be a single line: line breaks and tabs are not allowed.";
            }
            else if (c == '\0') return "Must not contain NUL characters.";
            else if (char.IsControl(c)) return $"Must not contain control characters (U+{(int)c:X4}).";
            else if (c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069')
                return $"Must not contain bidirectional override or isolate characters (U+{(int)c:X4}).";
            else if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1])) i++;
            else if (char.IsSurrogate(c)) return "Must be valid Unicode text (a lone surrogate was found).";
            else if (c is '\uFFFE' or '\uFFFF' or >= '\uFDD0' and <= '\uFDEF') return $"Must not contain Unicode noncharacters (U+{(int)c:X4}).";
        }
        // Normalization refuses some code points (it throws); what it cannot normalize is not text we keep.
        try
        {
            value.IsNormalized(NormalizationForm.FormC);
        }
        catch (ArgumentException)
        {
            return "Must be valid Unicode text.";
        }
        return null;
    }

    /// <summary>NFC form of text <see cref="Problem"/> accepted (it throws on lone surrogates, which Problem refuses).</summary>
    public static string Normalize(string value) => value.IsNormalized(NormalizationForm.FormC) ? value : value.Normalize(NormalizationForm.FormC);
}
