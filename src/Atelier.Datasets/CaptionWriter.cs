using System.Text;

namespace Atelier.Datasets;

/// <summary>Builds the text of a .txt caption sidecar in the order documented on <see cref="CaptionOptions"/>.</summary>
public static class CaptionWriter
{
    public static string Format(ExportLabel label, CaptionOptions options)
    {
        ArgumentNullException.ThrowIfNull(label);
        ArgumentNullException.ThrowIfNull(options);
        var ordered = label.Tags
            .OrderBy(t => CategoryRank(t.Category, options.CategoryOrder))
            .ThenBy(t => t.Category, StringComparer.Ordinal)
            .ThenBy(t => t.Name, StringComparer.Ordinal)
            .Select(t => Clean(t.Name, options))
            .ToList();

        string? rating = label.Rating is null ? null : options.RatingPrefix + Clean(label.Rating, options);
        if (rating is not null && options.Rating == RatingInCaption.FirstTag) ordered.Insert(0, rating);

        var text = new StringBuilder(string.Join(", ", ordered));
        if (rating is not null && options.Rating == RatingInCaption.OwnLine) text.Append('\n').Append(rating);
        return text.Append('\n').ToString();
    }

    private static int CategoryRank(string category, IReadOnlyList<string> order)
    {
        for (int i = 0; i < order.Count; i++)
            if (string.Equals(order[i], category, StringComparison.Ordinal)) return i;
        return order.Count;
    }

    // A newline inside a tag would split the caption; the trainer sees one line per caption.
    private static string Clean(string text, CaptionOptions options)
    {
        var flat = text.Replace('\r', ' ').Replace('\n', ' ');
        return options.UnderscoresToSpaces ? flat.Replace('_', ' ') : flat;
    }
}
