namespace Atelier.Ingest.Metadata;

/// <summary>A field whose value(s) become tags of <see cref="Category"/>.</summary>
public sealed record TagFieldMapping(string Field, string Category);

/// <summary>
/// Which metadata fields become tags, rating, licence, source URL, capture date, and which field names the file in a manifest.
/// </summary>
/// <remarks>
/// CLI syntax, one <c>--map</c> value per rule (see <see cref="Parse"/>):
/// <list type="bullet">
/// <item><c>tags:FIELD=CATEGORY</c> — FIELD (a string, split on commas, or an array of strings/numbers) adds tags in CATEGORY; may repeat.</item>
/// <item><c>tags:FIELD</c> — the same with category <c>general</c>.</item>
/// <item><c>rating=FIELD</c>, <c>license=FIELD</c>, <c>source_url=FIELD</c>, <c>captured=FIELD</c> — scalar targets, each at most once.</item>
/// <item><c>file=FIELD</c> — the manifest field holding the file name or relative path (default: first present of
/// <c>file_name</c>, <c>filename</c>, <c>file</c>, <c>image</c>, <c>path</c>).</item>
/// </list>
/// Example: <c>--map tags:short_names=general --map tags:category=category --map rating=rating --map license=license
/// --map source_url=url --map captured=date</c>. Giving any rule replaces <see cref="Default"/> entirely.
/// Field and category names are case-sensitive JSON keys / CSV headers; categories are normalised like tags.
/// A manifest's nested variant rows (emoji skin tones) inherit their parent's fields, so the same rules tag them;
/// skin-tone variants also get a <c>skin-tone-N</c> tag (see <see cref="SkinTone"/>).
/// </remarks>
public sealed record MetadataMapping
{
    public IReadOnlyList<TagFieldMapping> TagFields { get; init; } = [];
    public string? RatingField { get; init; }
    public string? LicenseField { get; init; }
    public string? SourceUrlField { get; init; }
    public string? CapturedField { get; init; }
    public string? FileField { get; init; }

    public static readonly IReadOnlyList<string> DefaultFileFields = ["file_name", "filename", "file", "image", "path"];

    /// <summary>Used when no <c>--map</c> is given: <c>tags:tags=general rating=rating license=license source_url=source_url captured=captured_at</c>.</summary>
    public static MetadataMapping Default { get; } = new()
    {
        TagFields = [new TagFieldMapping("tags", "general")],
        RatingField = "rating",
        LicenseField = "license",
        SourceUrlField = "source_url",
        CapturedField = "captured_at",
    };

    /// <summary>Parses <c>--map</c> rules; an empty list gives <see cref="Default"/>. Throws <see cref="SourceException"/> (code <c>bad-mapping</c>).</summary>
    public static MetadataMapping Parse(IEnumerable<string> rules)
    {
        var list = rules.ToList();
        if (list.Count == 0) return Default;
        var tags = new List<TagFieldMapping>();
        var scalars = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var rule in list)
        {
            var text = rule.Trim();
            if (text.StartsWith("tags:", StringComparison.Ordinal))
            {
                var body = text["tags:".Length..];
                int eq = body.IndexOf('=');
                var field = (eq < 0 ? body : body[..eq]).Trim();
                var category = eq < 0 ? "general" : TagText.Normalize(body[(eq + 1)..]);
                if (field.Length == 0 || category is null)
                    throw Bad(rule, "expected tags:FIELD=CATEGORY");
                tags.Add(new TagFieldMapping(field, category));
                continue;
            }
            int at = text.IndexOf('=');
            if (at <= 0 || at == text.Length - 1) throw Bad(rule, "expected TARGET=FIELD or tags:FIELD=CATEGORY");
            var target = text[..at].Trim().ToLowerInvariant();
            var source = text[(at + 1)..].Trim();
            if (target is not ("rating" or "license" or "licence" or "source_url" or "captured" or "file"))
                throw Bad(rule, $"unknown target '{target}' (tags:, rating, license, source_url, captured, file)");
            if (target == "licence") target = "license";
            if (!scalars.TryAdd(target, source)) throw Bad(rule, $"'{target}' mapped twice");
        }
        return new MetadataMapping
        {
            TagFields = tags,
            RatingField = scalars.GetValueOrDefault("rating"),
            LicenseField = scalars.GetValueOrDefault("license"),
            SourceUrlField = scalars.GetValueOrDefault("source_url"),
            CapturedField = scalars.GetValueOrDefault("captured"),
            FileField = scalars.GetValueOrDefault("file"),
        };
    }

    private static SourceException Bad(string rule, string why) => new("bad-mapping", $"--map '{rule}': {why}");
}
