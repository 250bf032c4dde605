using System.Text.Encodings.Web;
using System.Text.Unicode;

namespace Atelier.Reports;

/// <summary>What the page builder puts into HTML: every text from a run (names, configuration, messages) goes through <see cref="Text"/>.</summary>
internal static class Html
{
    // The page is UTF-8: letters of every script stay readable in the source; markup characters (< > & " ' +) are escaped.
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(UnicodeRanges.All);

    /// <summary>Escaped for element text and quoted attribute values alike.</summary>
    public static string Text(string? value) => Encoder.Encode(value ?? "");

    /// <summary>A PNG inlined into the page, so index.html alone is the whole report (works offline and when moved).</summary>
    public static string Image(byte[] png, string alt, string? cssClass = null) =>
        $"<img{(cssClass is null ? "" : $" class=\"{cssClass}\"")} alt=\"{Text(alt)}\" src=\"data:image/png;base64,{Convert.ToBase64String(png)}\">";
}
