using System.Text.RegularExpressions;

namespace Atelier.TestSupport;

/// <summary>The anti-forgery tokens a studio page carries: in its forms, and in the layout's meta tag for scripts.</summary>
public static partial class StudioPage
{
    /// <summary>The first form's token; throws if the page has none.</summary>
    public static string FormToken(string html) =>
        FormPattern().Match(html) is { Success: true } m ? m.Groups[1].Value : throw new InvalidOperationException("no form token on the page");

    /// <summary>The token scripts send; throws if the page has none.</summary>
    public static string MetaToken(string html) =>
        MetaPattern().Match(html) is { Success: true } m ? m.Groups[1].Value : throw new InvalidOperationException("no page token on the page");

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex FormPattern();

    [GeneratedRegex("<meta name=\"csrf-token\" content=\"([^\"]+)\"")]
    private static partial Regex MetaPattern();
}
