using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Atelier.Ingest.Metadata;

/// <summary>Merges the metadata found for one item and applies a <see cref="MetadataMapping"/>.</summary>
public static class MetadataComposer
{
    /// <summary>Key under which a .txt sidecar's text is kept in <see cref="ItemMetadata.Raw"/>.</summary>
    public const string SidecarTextKey = "sidecar_txt";

    /// <summary>
    /// Later sources override earlier fields: manifest entry, then JSON sidecar. Tags from a .txt sidecar go to
    /// category <c>general</c>; an emoji skin-tone variant row also gets its <see cref="SkinTone"/> tags.
    /// Returns null when nothing was found and there is no <paramref name="fallbackSourceUrl"/>.
    /// </summary>
    /// <exception cref="FormatException">A mapped field holds what it cannot mean (an object as a tag, a rating the
    /// catalog does not know, a capture date that is not a date): the item's metadata is unreadable, and the caller
    /// refuses the item.</exception>
    public static ItemMetadata? Compose(
        MetadataMapping mapping,
        JsonObject? manifestEntry = null,
        JsonObject? jsonSidecar = null,
        string? txtSidecar = null,
        string? fallbackSourceUrl = null)
    {
        if (manifestEntry is null && jsonSidecar is null && txtSidecar is null && fallbackSourceUrl is null)
            return null;

        var raw = new JsonObject();
        foreach (var source in new[] { manifestEntry, jsonSidecar })
        {
            if (source is null) continue;
            foreach (var (key, value) in source)
                raw[key] = value?.DeepClone();
        }

        var tags = new List<ItemTag>();
        var seen = new HashSet<ItemTag>();
        string? taggedRating = null;
        void Add(string? name, string category)
        {
            var tag = TagText.Normalize(name);
            if (tag is null) return;
            // A booru rating tag (rating:explicit, rating_q) is the image's rating, not a tag about its content.
            if (RatingTag(tag) is { } rated)
            {
                taggedRating = Stricter(taggedRating, rated);
                return;
            }
            var item = new ItemTag(tag, category);
            if (seen.Add(item)) tags.Add(item);
        }

        foreach (var map in mapping.TagFields)
        {
            if (!raw.TryGetPropertyValue(map.Field, out var node) || node is null) continue;
            if (node is JsonArray array)
            {
                foreach (var element in array)
                    if (element is not null) Add(Scalar(element) ?? throw Unusable(map.Field, element), map.Category);
            }
            else
            {
                foreach (var part in (Scalar(node) ?? throw Unusable(map.Field, node)).Split(','))
                    Add(part, map.Category);
            }
        }

        // Not a mapped field, so read leniently: whatever else a manifest calls variant_key adds nothing.
        var variantKey = raw.TryGetPropertyValue(ManifestIndex.VariantKeyField, out var variantNode) ? Scalar(variantNode) : null;
        foreach (var tone in SkinTone.TagsOf(variantKey)) Add(tone, SkinTone.Category);

        if (txtSidecar is not null)
        {
            raw[SidecarTextKey] = txtSidecar;
            foreach (var tag in TagText.SplitCaption(txtSidecar)) Add(tag, "general");
        }

        return new ItemMetadata(
            tags,
            Rating: Stricter(Rating(raw, mapping.RatingField), taggedRating),
            License: Field(raw, mapping.LicenseField),
            SourceUrl: Field(raw, mapping.SourceUrlField) ?? fallbackSourceUrl,
            CapturedAt: CapturedAt(raw, mapping.CapturedField),
            Raw: raw.ToJsonString());
    }

    /// <summary>A scalar field's trimmed text; null when absent, JSON null or empty; throws when it is an object or array.</summary>
    private static string? Field(JsonObject raw, string? field)
    {
        if (field is null || !raw.TryGetPropertyValue(field, out var node) || node is null) return null;
        var text = (Scalar(node) ?? throw Unusable(field, node)).Trim();
        return text.Length == 0 ? null : text;
    }

    /// <summary>
    /// A rating must be one the catalog knows: one it cannot read would otherwise come in as unrated, which governance
    /// rules treat differently from what the source meant. Booru exports spell ratings short (<c>g s q e</c>, Danbooru and
    /// Gelbooru since 2022), as <c>safe</c> (older boorus, e621), or with a <c>rating:</c> / <c>rating_</c> prefix; these
    /// are read as the catalog's words. The same words as tags (in a .txt caption or a mapped tag field) rate the image too;
    /// where sources disagree the stricter rating wins. <c>s</c> and <c>safe</c> become <c>sensitive</c>: on older boorus "safe" covered
    /// what is now split into general and sensitive, and the stricter reading is the one that cannot under-rate.
    /// </summary>
    private static string? Rating(JsonObject raw, string? field)
    {
        var text = Field(raw, field)?.ToLowerInvariant();
        if (text is null) return null;
        return CatalogRating(IsRatingTag(text) ? text[7..] : text)
            ?? throw new FormatException(
                $"metadata field '{field}' ('{Clip(text)}') is not a rating ({string.Join(", ", Atelier.Catalog.Selector.Ratings)}, or booru's g, s, q, e, safe)");
    }

    /// <summary>The rating a normalised tag states (<c>rating:explicit</c>, <c>rating_q</c>), or null when it is another tag.</summary>
    private static string? RatingTag(string tag) => IsRatingTag(tag) ? CatalogRating(tag[7..]) : null;

    private static bool IsRatingTag(string text) =>
        text.StartsWith("rating:", StringComparison.Ordinal) || text.StartsWith("rating_", StringComparison.Ordinal);

    private static string? CatalogRating(string word)
    {
        word = word switch
        {
            "g" => "general",
            "s" or "safe" => "sensitive",
            "q" => "questionable",
            "e" => "explicit",
            _ => word,
        };
        return Atelier.Catalog.Selector.Ratings.Contains(word) ? word : null;
    }

    /// <summary>Of two stated ratings the stricter one: sources that disagree must not under-rate an image.</summary>
    private static string? Stricter(string? a, string? b) =>
        a is null ? b : b is null ? a : Array.IndexOf(Atelier.Catalog.Selector.Ratings, a) >= Array.IndexOf(Atelier.Catalog.Selector.Ratings, b) ? a : b;

    private static DateTimeOffset? CapturedAt(JsonObject raw, string? field)
    {
        var date = ParseDate(raw, field);
        if (date is null && Field(raw, field) is { } text)
            throw new FormatException($"metadata field '{field}' ('{Clip(text)}') is not a date (ISO 8601, EXIF or Unix seconds)");
        return date;
    }

    private static FormatException Unusable(string field, JsonNode node) =>
        new($"metadata field '{field}' holds a JSON {node.GetValueKind().ToString().ToLowerInvariant()} ({Clip(node.ToJsonString())}), not text or a number");

    private static string Clip(string text) => text.Length <= 60 ? text : text[..60] + "…";

    private static string? Scalar(JsonNode? node) => node is JsonValue value
        ? value.GetValueKind() switch
        {
            JsonValueKind.String => value.GetValue<string>(),
            JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.ToJsonString(),
            _ => null,
        }
        : null;

    /// <summary>ISO 8601 (or any invariant date), EXIF <c>yyyy:MM:dd HH:mm:ss</c>, or a number of Unix seconds; no zone means UTC.</summary>
    internal static DateTimeOffset? ParseDate(JsonObject raw, string? field)
    {
        if (field is null || !raw.TryGetPropertyValue(field, out var node) || node is not JsonValue value) return null;
        if (value.GetValueKind() == JsonValueKind.Number && value.TryGetValue<double>(out var seconds))
            return seconds is > -62135596800 and < 253402300799 ? DateTimeOffset.FromUnixTimeMilliseconds((long)(seconds * 1000)) : null;
        var text = Scalar(node)?.Trim();
        if (string.IsNullOrEmpty(text)) return null;
        const DateTimeStyles styles = DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces;
        if (DateTimeOffset.TryParseExact(text, "yyyy:MM:dd HH:mm:ss", CultureInfo.InvariantCulture, styles, out var exif)) return exif;
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, styles, out var parsed) ? parsed : null;
    }

    /// <summary>Parses a JSON sidecar; it must be one object.</summary>
    internal static JsonObject ParseObject(byte[] bytes)
    {
        var node = JsonNode.Parse(bytes, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        return node as JsonObject ?? throw new FormatException("expected a JSON object");
    }
}
