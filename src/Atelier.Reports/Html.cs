using System.Net;

namespace Atelier.Reports;

/// <summary>What the page builder puts into HTML: every text from a run (names, configuration, messages) goes through <see cref="Text"/>.</summary>
internal static class Html
{
    /// <summary>Escaped for element text and quoted attribute values alike (&lt; &gt; &amp; " ').</summary>
    public static string Text(string? value) => WebUtility.HtmlEncode(value ?? "");

    /// <summary>A PNG inlined into the page, so index.html alone is the whole report (works offline and when moved).</summary>
    public static string Image(byte[] png, string alt, string? cssClass = null) =>
        $"<img{(cssClass is null ? "" : $" class=\"{cssClass}\"")} alt=\"{Text(alt)}\" src=\"data:image/png;base64,{Convert.ToBase64String(png)}\">";
}
