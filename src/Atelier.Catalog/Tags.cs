namespace Atelier.Catalog;

/// <summary>A tag and its category (general, character, style, meta, or one named by imported metadata).</summary>
public readonly record struct Tag(string Name, string Category = Tags.General);

public static class Tags
{
    public const string General = "general";
    public static readonly string[] BuiltInCategories = ["general", "character", "style", "meta"];

    /// <summary>
    /// Tags are stored trimmed and lower-case, with inner runs of whitespace as one underscore, so
    /// "Red Hair" and "red_hair" are one tag (the booru convention kohya's scripts read).
    /// </summary>
    public static string Normalize(string name) =>
        string.Join('_', name.Trim().ToLowerInvariant().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    /// <summary>Parses <c>category:name</c> (a known or new category) or a plain name (general).</summary>
    public static Tag Parse(string text, string defaultCategory = General)
    {
        var colon = text.IndexOf(':');
        if (colon > 0 && colon < text.Length - 1)
            return new Tag(Normalize(text[(colon + 1)..]), text[..colon].Trim().ToLowerInvariant());
        var name = Normalize(text);
        if (name.Length == 0) throw new AtelierException("bad-tag", "empty tag");
        return new Tag(name, defaultCategory);
    }
}
