using System.Text;

namespace Atelier.Ingest.Metadata;

/// <summary>
/// Tag normalisation, booru style: trim, lower-case (invariant), runs of whitespace become one underscore,
/// kohya's prompt escapes <c>\(</c> <c>\)</c> are undone, control characters dropped. So kohya's
/// <c>Long Hair</c> and booru's <c>long_hair</c> are the same tag, and every tag is one token.
/// </summary>
public static class TagText
{
    /// <summary>Returns the normalised tag, or null when nothing is left.</summary>
    public static string? Normalize(string? text)
    {
        if (text is null) return null;
        var sb = new StringBuilder(text.Length);
        bool pendingSpace = false;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '\\' && i + 1 < text.Length && text[i + 1] is '(' or ')')
                continue; // kohya escape: keep the paren that follows
            if (char.IsWhiteSpace(c) || c == '_')
            {
                pendingSpace = sb.Length > 0;
                continue;
            }
            if (char.IsControl(c)) continue;
            if (pendingSpace) { sb.Append('_'); pendingSpace = false; }
            sb.Append(char.ToLowerInvariant(c));
        }
        return sb.Length == 0 ? null : sb.ToString();
    }

    /// <summary>Splits kohya/booru caption text on commas (and newlines) into normalised tags.</summary>
    public static IEnumerable<string> SplitCaption(string text)
    {
        foreach (var part in text.Split([',', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries))
        {
            var tag = Normalize(part);
            if (tag is not null) yield return tag;
        }
    }
}
