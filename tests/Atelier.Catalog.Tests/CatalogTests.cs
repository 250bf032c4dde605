using Atelier.Catalog;
using Atelier.TestSupport;

namespace Atelier.Catalog.Tests;

public class CatalogTests
{
    private static string Sha(int i) => i.ToString("x2") + new string('a', 62);

    [Fact]
    public void SelectorsFilterByIdsShaTagRatingSourceAndSize()
    {
        using var t = new TempWorkspace();
        var a = t.AddImage(Sha(1), "emoji", 64, 64, "general", "cat", "style:flat");
        var b = t.AddImage(Sha(2), "emoji", 512, 128, "explicit", "dog");
        var c = t.AddImage(Sha(3), "web", 1024, 1024, null, "cat");
        long[] Ids(string s) => t.Catalog.SelectIds(Selector.Parse(s)).ToArray();

        Assert.Equal([a, b, c], Ids("all"));
        Assert.Equal([b], Ids(b.ToString()));
        Assert.Equal([a, c], Ids($"{a},{c}"));
        Assert.Equal([a, b], Ids($"{a}-{b}"));
        Assert.Equal([b], Ids("sha:02aaaa"));
        Assert.Equal([a, c], Ids("tag:cat"));
        Assert.Equal([c], Ids("tag:cat -rating:general"));
        Assert.Equal([a], Ids("category:style"));
        Assert.Equal([c], Ids("rating:unrated"));
        Assert.Equal([a, b], Ids("rating:general,explicit"));
        Assert.Equal([a, b], Ids("source:emoji"));
        Assert.Equal([b, c], Ids("width>=512"));
        Assert.Equal([b], Ids("aspect>2"));
        Assert.Equal([c], Ids("pixels>300000 tag:cat"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("colour:red")]
    [InlineData("rating:spicy")]
    [InlineData("sha:xyz")]
    public void BadSelectorsAreRefusedWithTheTermNamed(string text)
    {
        var e = Assert.Throws<AtelierException>(() => Selector.Parse(text));
        Assert.Equal("bad-selector", e.Code);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void TagsAreNormalisedAddedRemovedAndCounted()
    {
        using var t = new TempWorkspace();
        var a = t.AddImage(Sha(1));
        var b = t.AddImage(Sha(2));
        Assert.Equal(3, t.Catalog.AddTags([a, b], [Tags.Parse("Red Hair"), Tags.Parse("character:Alice")]) + t.Catalog.AddTags([a], [Tags.Parse("red_hair")]) - 1);
        Assert.Equal([new Tag("alice", "character"), new Tag("red_hair", "general")], t.Catalog.TagsOf(a));
        Assert.Equal(1, t.Catalog.RemoveTags([b], ["Red Hair"]));
        var stats = t.Catalog.TagStatistics();
        Assert.Equal(new TagCount("alice", "character", 2), stats[0]);
        Assert.Equal(new TagCount("red_hair", "general", 1), stats[1]);
    }

    [Fact]
    public void RatingsAndExclusionsChangeOnlyWhatDiffers()
    {
        using var t = new TempWorkspace();
        var a = t.AddImage(Sha(1));
        var b = t.AddImage(Sha(2), rating: "sensitive");
        Assert.Equal(1, t.Catalog.SetRating([a, b], "sensitive"));
        Assert.Throws<AtelierException>(() => t.Catalog.SetRating([a], "spicy"));
        Assert.Equal(1, t.Catalog.SetExcluded([a], true, "blurry"));
        Assert.Equal([a], t.Catalog.SelectIds(Selector.Parse("excluded:yes")));
        Assert.Equal("blurry", t.Catalog.GetImage(a)!.ExcludeReason);
        Assert.Equal(1, t.Catalog.SetExcluded([a], false, null));
        Assert.Empty(t.Catalog.SelectIds(Selector.Parse("excluded:yes")));
    }

    [Fact]
    public void ExactDuplicateAddsProvenanceNotAnImage()
    {
        using var t = new TempWorkspace();
        var a = t.AddImage(Sha(1));
        Assert.True(t.Catalog.AddProvenance(a, new Provenance("zip:x.zip!a.png", "a.png", "other", "CC0", null, null)));
        Assert.False(t.Catalog.AddProvenance(a, new Provenance("zip:x.zip!a.png", "a.png", "other", "CC0", null, null)));
        Assert.Equal(1, t.Catalog.ImageCount);
        Assert.Equal(2, t.Catalog.GetDetails(a)!.Provenance.Count);
        Assert.Equal([a], t.Catalog.SelectIds(Selector.Parse("source:other")));
        Assert.Equal(1, t.Catalog.Report().ExactDuplicateCopies);
    }

    [Fact]
    public void RejectionsAreKeptOncePerOriginAndReason()
    {
        using var t = new TempWorkspace();
        t.Catalog.RecordRejection(null, "folder:/x/a.png", "s", "corrupt", "first");
        t.Catalog.RecordRejection(null, "folder:/x/a.png", "s", "corrupt", "second");
        t.Catalog.RecordRejection(null, "folder:/x/b.png", "s", "truncated", "cut");
        var all = t.Catalog.Rejections();
        Assert.Equal(2, all.Count);
        Assert.Equal("second", all.Single(r => r.Code == "corrupt").Message);
        Assert.Equal(1, t.Catalog.Report().RejectionsByCode["truncated"]);
    }

    [Fact]
    public void ReportCountsClustersAndHistograms()
    {
        using var t = new TempWorkspace();
        var ids = Enumerable.Range(1, 5).Select(i => t.AddImage(Sha(i), i % 2 == 0 ? "a" : "b", rating: i == 1 ? "general" : null, tags: "x")).ToList();
        t.Catalog.ReplaceNearDuplicates([(ids[0], ids[1], 4), (ids[1], ids[2], 10), (ids[3], ids[4], 0)]);
        t.Catalog.ReplaceFlags(["blurry"], [(ids[0], "blurry", "12.5")]);
        var r = t.Catalog.Report();
        Assert.Equal(5, r.Images);
        Assert.Equal(2, r.BySource["a"]);
        Assert.Equal(4, r.ByRating["unrated"]);
        Assert.Equal(1, r.ByFlag["blurry"]);
        Assert.Equal(5, r.TopTags.Single().Images);
        Assert.Equal(2, r.NearDuplicateClusters.Count);
        Assert.Equal([ids[0], ids[1], ids[2]], r.NearDuplicateClusters[0].ImageIds);
        Assert.Equal(10, r.NearDuplicateClusters[0].MaxDistance);
        Assert.Equal(5, r.Histograms["short_side_log2"].Sum(b => b.Count));
    }

    [Fact]
    public void SnapshotsAreUniqueByNameAndSelectable()
    {
        using var t = new TempWorkspace();
        var a = t.AddImage(Sha(1));
        t.AddImage(Sha(2));
        t.Catalog.AddSnapshot("v1", "root", "manifest", "all", [a]);
        Assert.Equal("snapshot-exists", Assert.Throws<AtelierException>(() => t.Catalog.AddSnapshot("v1", "r", "m", null, [a])).Code);
        Assert.Equal([a], t.Catalog.SelectIds(Selector.Parse("snapshot:v1")));
        Assert.Single(t.Catalog.ListSnapshots());
    }

    [Fact]
    public void AnUncommittedBatchLeavesNothingBehind()
    {
        using var t = new TempWorkspace();
        using (t.Catalog.BeginTransaction())
            t.AddImage(Sha(1));
        Assert.Equal(0, t.Catalog.ImageCount);
        using (var tx = t.Catalog.BeginTransaction())
        {
            t.AddImage(Sha(1));
            tx.Commit();
        }
        Assert.Equal(1, t.Catalog.ImageCount);
    }
}
