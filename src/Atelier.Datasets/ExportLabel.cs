using System.Collections.Immutable;

namespace Atelier.Datasets;

/// <summary>The labels that travel with one exported image. Tags are kept sorted and de-duplicated.</summary>
public sealed class ExportLabel
{
    public ExportLabel(string sha256, IEnumerable<SnapshotTag> tags, string? rating)
    {
        ArgumentNullException.ThrowIfNull(tags);
        Sha256 = SnapshotItem.NormaliseSha256(sha256);
        Tags = [.. tags.Distinct().Order()];
        Rating = string.IsNullOrWhiteSpace(rating) ? null : rating;
    }

    public string Sha256 { get; }
    public ImmutableArray<SnapshotTag> Tags { get; }
    public string? Rating { get; }

    public static ExportLabel From(SnapshotItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        return new ExportLabel(item.Sha256, item.Tags, item.Rating);
    }
}
