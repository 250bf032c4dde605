using Atelier.TestSupport;

namespace Atelier.Catalog.Tests;

/// <summary>"More like this" over stored feature vectors: exact cosine ranking, deterministic among equals, never an excluded image.</summary>
public sealed class SimilarImagesTests
{
    [Fact]
    public void NeighboursAreRankedByCosineWithTiesByIdAndExcludedImagesLeftOut()
    {
        using var t = new TempWorkspace();
        var ids = Enumerable.Range(0, 6).Select(i => t.AddImage($"{i:x64}")).ToArray();
        t.Catalog.SetImageFeatures("net", [
            (ids[0], [1f, 0f, 0f]),
            (ids[1], [2f, 0.2f, 0f]),   // nearly the same direction, longer: cosine ignores length
            (ids[2], [0f, 1f, 0f]),     // orthogonal
            (ids[3], [1f, 1f, 0f]),     // 45 degrees
            (ids[4], [1f, 1f, 0f]),     // the same again: a tie, broken by id
            (ids[5], [-1f, 0f, 0f]),    // opposite
        ]);
        var similar = t.Catalog.SimilarImages(ids[0], "net", 4)!;
        Assert.Equal([ids[1], ids[3], ids[4], ids[2]], similar.Select(s => s.Id));
        Assert.Equal(2 / Math.Sqrt(4.04), similar[0].Similarity, 1e-6);
        Assert.Equal(Math.Sqrt(0.5), similar[1].Similarity, 1e-6);
        Assert.Equal(0, similar[3].Similarity, 1e-9);

        t.Catalog.SetExcluded([ids[1]], true, "test");
        Assert.DoesNotContain(ids[1], t.Catalog.SimilarImages(ids[0], "net", 10)!.Select(s => s.Id));
        Assert.Equal(ids[5], t.Catalog.SimilarImages(ids[0], "net", 10)![^1].Id);

        Assert.Null(t.Catalog.SimilarImages(ids[0], "other", 4));
        Assert.Equal([ids[0]], t.Catalog.WithoutFeatures("other", [ids[0]]));
        Assert.Empty(t.Catalog.WithoutFeatures("net", ids));
        Assert.Equal(6, t.Catalog.FeatureNetworks()["net"]);

        // Stored again: replaced, not added, and the stamp a held index is checked against moves on.
        var index = SimilarityIndex.Load(t.Catalog, "net");
        Assert.Equal((6, 3), (index.Count, index.Dimension));
        Assert.Equal(index.Stamp, t.Catalog.FeatureStamp("net"));
        t.Catalog.SetImageFeatures("net", [(ids[2], [1f, 0f, 0f])]);
        Assert.NotEqual(index.Stamp, t.Catalog.FeatureStamp("net"));
        Assert.Equal(ids[1], index.Nearest(ids[0], 1, new HashSet<long>())![0].Id);   // the held index is as it was loaded
        Assert.Equal(ids[2], t.Catalog.SimilarImages(ids[0], "net", 1)![0].Id);
        Assert.Equal(6, t.Catalog.FeatureNetworks()["net"]);
    }
}
