using Atelier.Catalog;

namespace Atelier.Studio;

/// <summary>
/// The studio's "more like this": one <see cref="SimilarityIndex"/> per feature network, kept while the catalog's vectors
/// are unchanged (their stamp is read on every question, so vectors a worker adds are used on the next page).
/// </summary>
public sealed class SimilarImagesCache
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, SimilarityIndex> _indexes = [];

    public IReadOnlyList<SimilarImage>? Nearest(Catalog.Catalog catalog, string network, long id, int k)
    {
        var stamp = catalog.FeatureStamp(network);
        SimilarityIndex? index;
        lock (_lock) _indexes.TryGetValue(network, out index);
        if (index is null || index.Stamp != stamp)
        {
            // Loaded outside the lock: a slow load never holds other pages up; two loads at once keep the newer.
            index = SimilarityIndex.Load(catalog, network);
            lock (_lock)
                if (!_indexes.TryGetValue(network, out var held) || held.Stamp.LastRow <= index.Stamp.LastRow) _indexes[network] = index;
        }
        return index.Nearest(id, k, catalog.LeftOutImages());
    }
}
