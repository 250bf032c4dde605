using System.Collections.Immutable;

namespace Atelier.Datasets;

/// <summary>One tag in an export's vocabulary: its index for multi-hot labels and how many images carry it.</summary>
public sealed record VocabularyTag(int Index, string Name, string Category, int Count);

/// <summary>One rating value with its class index.</summary>
public sealed record VocabularyRating(int Index, string Name, int Count);

/// <summary>
/// Tag and rating vocabularies of an export. Tags are indexed in (category, name) ordinal order and
/// ratings in ordinal order, so the same labels always give the same indices.
/// </summary>
public sealed class LabelVocabulary
{
    private readonly Dictionary<SnapshotTag, int> _tagIndex;
    private readonly Dictionary<string, int> _ratingIndex;

    private LabelVocabulary(ImmutableArray<VocabularyTag> tags, ImmutableArray<VocabularyRating> ratings)
    {
        Tags = tags;
        Ratings = ratings;
        _tagIndex = tags.ToDictionary(t => new SnapshotTag(t.Name, t.Category), t => t.Index);
        _ratingIndex = ratings.ToDictionary(r => r.Name, r => r.Index, StringComparer.Ordinal);
    }

    public ImmutableArray<VocabularyTag> Tags { get; }
    public ImmutableArray<VocabularyRating> Ratings { get; }

    public int IndexOf(SnapshotTag tag) => _tagIndex.TryGetValue(tag, out int i) ? i : -1;
    public int IndexOfRating(string? rating) => rating is not null && _ratingIndex.TryGetValue(rating, out int i) ? i : -1;

    public static LabelVocabulary Build(IEnumerable<ExportLabel> labels)
    {
        var tagCounts = new Dictionary<SnapshotTag, int>();
        var ratingCounts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var label in labels)
        {
            foreach (var tag in label.Tags) tagCounts[tag] = tagCounts.GetValueOrDefault(tag) + 1;
            if (label.Rating is not null) ratingCounts[label.Rating] = ratingCounts.GetValueOrDefault(label.Rating) + 1;
        }
        var tags = tagCounts
            .OrderBy(kv => kv.Key.Category, StringComparer.Ordinal)
            .ThenBy(kv => kv.Key.Name, StringComparer.Ordinal)
            .Select((kv, i) => new VocabularyTag(i, kv.Key.Name, kv.Key.Category, kv.Value))
            .ToImmutableArray();
        var ratings = ratingCounts
            .OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .Select((kv, i) => new VocabularyRating(i, kv.Key, kv.Value))
            .ToImmutableArray();
        return new LabelVocabulary(tags, ratings);
    }
}
