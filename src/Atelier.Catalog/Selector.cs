using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Atelier.Catalog;

/// <summary>
/// The one image-selection syntax shared by every command. Space-separated terms, all of which must
/// hold; a leading <c>-</c> negates a term; comma-separated values inside a term are alternatives.
/// <list type="bullet">
/// <item><c>all</c> — every image</item>
/// <item><c>42</c>, <c>3,7,9</c>, <c>10-20</c> — image ids</item>
/// <item><c>sha:9f86d0</c> or a bare hex prefix of 6+ characters with a letter in it — SHA-256 prefix</item>
/// <item><c>tag:cat</c>, <c>category:style</c> (any tag in that category), <c>rating:general,unrated</c>,
///   <c>source:emoji</c>, <c>license:MIT</c>, <c>flag:blurry</c>, <c>format:png</c>, <c>excluded:yes</c>,
///   <c>snapshot:NAME</c></item>
/// <item><c>width&gt;=512</c>, <c>height&lt;64</c>, <c>pixels&gt;1000000</c>, <c>bytes&lt;=2048</c>, <c>aspect&gt;2</c></item>
/// </list>
/// </summary>
public sealed class Selector
{
    public static readonly string[] Ratings = ["general", "sensitive", "questionable", "explicit"];

    private static readonly Regex Comparison = new(@"^(width|height|pixels|bytes|aspect|quality)(>=|<=|=|>|<)([0-9]+(\.[0-9]+)?)$", RegexOptions.CultureInvariant);
    private static readonly Regex IdList = new(@"^[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*$", RegexOptions.CultureInvariant);
    private static readonly Regex HexPrefix = new(@"^[0-9a-f]{6,64}$", RegexOptions.CultureInvariant);

    public string Text { get; }
    internal string WhereSql { get; }
    internal IReadOnlyList<object> Parameters { get; }

    private Selector(string text, string where, List<object> parameters)
    {
        Text = text;
        WhereSql = where;
        Parameters = parameters;
    }

    public static Selector All { get; } = Parse("all");

    /// <summary>Parses a selector; throws <see cref="AtelierException"/> (code <c>bad-selector</c>) naming the bad term.</summary>
    public static Selector Parse(string text)
    {
        var terms = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (terms.Length == 0) throw Bad(text, "empty selector (use 'all' for every image)");
        var clauses = new List<string>();
        var parameters = new List<object>();
        foreach (var raw in terms)
        {
            var negate = raw.Length > 1 && (raw[0] == '-' || raw[0] == '!') && !char.IsDigit(raw[1]);
            var term = negate ? raw[1..] : raw;
            var clause = Compile(term, parameters) ?? throw Bad(raw, "unknown term");
            // COALESCE: a NULL column (unrated, no licence) must count as "not matching", so its negation holds.
            clauses.Add(negate ? $"NOT COALESCE(({clause}), 0)" : $"({clause})");
        }
        // Quarantined images are invisible to every selection: the one place that guarantees they are never listed or snapshotted.
        return new Selector(text.Trim(), "images.quarantined = 0 AND " + string.Join(" AND ", clauses), parameters);
    }

    private static AtelierException Bad(string term, string why) =>
        new("bad-selector", $"cannot read selector term '{term}': {why}; terms look like 42, 10-20, sha:9f86d0, tag:NAME, rating:general, source:NAME, flag:blurry, width>=512, all");

    private static string P(List<object> parameters, object value)
    {
        parameters.Add(value);
        return "$p" + (parameters.Count - 1).ToString(CultureInfo.InvariantCulture);
    }

    private static string? Compile(string term, List<object> ps)
    {
        var lower = term.ToLowerInvariant();
        if (lower is "all" or "*") return "1=1";
        if (IdList.IsMatch(term)) return CompileIds(term, ps);
        var m = Comparison.Match(lower);
        if (m.Success)
        {
            var column = m.Groups[1].Value switch
            {
                "width" => "images.width",
                "height" => "images.height",
                "pixels" => "(images.width * images.height)",
                "bytes" => "images.size_bytes",
                "aspect" => "(MAX(images.width, images.height) * 1.0 / MIN(images.width, images.height))",
                _ => "images.pdq_quality",
            };
            var value = double.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture);
            return $"{column} {m.Groups[2].Value} {P(ps, value)}";
        }
        if (HexPrefix.IsMatch(lower) && lower.Any(c => c is >= 'a' and <= 'f')) return ShaPrefix(lower, ps);

        var colon = term.IndexOf(':');
        if (colon <= 0 || colon == term.Length - 1) return null;
        var key = lower[..colon];
        var values = term[(colon + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries);
        string AnyOf(Func<string, string> one) => string.Join(" OR ", values.Select(one));
        return key switch
        {
            "sha" or "sha256" => values.All(v => HexPrefix.IsMatch(v.ToLowerInvariant()))
                ? AnyOf(v => ShaPrefix(v.ToLowerInvariant(), ps))
                : throw Bad(term, "a SHA-256 prefix is 6 to 64 hex digits"),
            "tag" => AnyOf(v => $"images.id IN (SELECT it.image_id FROM image_tags it JOIN tags t ON t.id = it.tag_id WHERE t.name = {P(ps, Tags.Normalize(v))})"),
            "category" => AnyOf(v => $"images.id IN (SELECT it.image_id FROM image_tags it JOIN tags t ON t.id = it.tag_id WHERE t.category = {P(ps, v.ToLowerInvariant())})"),
            "rating" => AnyOf(v => Rating(term, v.ToLowerInvariant(), ps)),
            "source" => AnyOf(v => $"images.id IN (SELECT image_id FROM provenance WHERE source = {P(ps, v)})"),
            "license" => AnyOf(v => $"images.license = {P(ps, v)} COLLATE NOCASE"),
            "flag" => AnyOf(v => $"images.id IN (SELECT image_id FROM image_flags WHERE flag = {P(ps, v.ToLowerInvariant())})"),
            "format" => AnyOf(v => $"images.format = {P(ps, v.ToLowerInvariant())}"),
            "excluded" => AnyOf(v => YesNo(term, v) ? "images.excluded = 1" : "images.excluded = 0"),
            "snapshot" => AnyOf(v => $"images.id IN (SELECT si.image_id FROM snapshot_images si JOIN snapshots s ON s.id = si.snapshot_id WHERE s.name = {P(ps, v)})"),
            "id" => CompileIds(term[(colon + 1)..], ps),
            _ => null,
        };
    }

    private static bool YesNo(string term, string v) => v.ToLowerInvariant() switch
    {
        "yes" or "true" or "1" => true,
        "no" or "false" or "0" => false,
        _ => throw Bad(term, "expected yes or no"),
    };

    private static string Rating(string term, string v, List<object> ps)
    {
        if (v == "unrated") return "images.rating IS NULL";
        if (!Ratings.Contains(v)) throw Bad(term, "ratings are general, sensitive, questionable, explicit, unrated");
        return $"images.rating = {P(ps, v)}";
    }

    private static string ShaPrefix(string prefix, List<object> ps) =>
        // Range on the unique index instead of LIKE so a prefix lookup stays an index seek.
        $"(images.sha256 >= {P(ps, prefix)} AND images.sha256 < {P(ps, prefix + "g")})";

    private static string CompileIds(string text, List<object> ps)
    {
        if (!IdList.IsMatch(text)) throw Bad(text, "ids look like 42, 3,7,9 or 10-20");
        var parts = new StringBuilder();
        foreach (var piece in text.Split(','))
        {
            if (parts.Length > 0) parts.Append(" OR ");
            var dash = piece.IndexOf('-');
            if (dash < 0) parts.Append($"images.id = {P(ps, long.Parse(piece, CultureInfo.InvariantCulture))}");
            else parts.Append($"images.id BETWEEN {P(ps, long.Parse(piece[..dash], CultureInfo.InvariantCulture))} AND {P(ps, long.Parse(piece[(dash + 1)..], CultureInfo.InvariantCulture))}");
        }
        return parts.ToString();
    }
}
