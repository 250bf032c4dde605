using System.Globalization;

namespace Atelier.Ingest.Metadata;

/// <summary>Tags for the Fitzpatrick skin-tone modifiers U+1F3FB..U+1F3FF that key emoji variants.</summary>
/// <remarks>
/// Named by Fitzpatrick type as emoji-datasource names the modifiers themselves (U+1F3FB, "type 1-2", is
/// <c>skin-tone-2</c>; U+1F3FF is <c>skin-tone-6</c>), so a variant shares its tag with its modifier's own
/// emoji; category <c>general</c>, like that emoji's short name under the usual mapping.
/// </remarks>
public static class SkinTone
{
    public const string Category = "general";

    /// <summary>
    /// <c>skin-tone-2</c>..<c>skin-tone-6</c> for each modifier in a variant key such as <c>1F3FB</c> or
    /// <c>1F3FB-1F3FE</c> (two people); nothing when any part is not a modifier.
    /// </summary>
    public static IReadOnlyList<string> TagsOf(string? variantKey)
    {
        if (string.IsNullOrEmpty(variantKey)) return [];
        var tags = new List<string>();
        foreach (var part in variantKey.Split('-'))
        {
            if (!int.TryParse(part, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code)
                || code is < 0x1F3FB or > 0x1F3FF)
                return [];
            var tag = $"skin-tone-{code - 0x1F3F9}";
            if (!tags.Contains(tag)) tags.Add(tag);
        }
        return tags;
    }
}
