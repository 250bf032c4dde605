using Atelier.Catalog;
using Atelier.Ingest.Pipeline;
using Atelier.TestSupport;

namespace Atelier.Ingest.Tests.Pipeline;

public sealed class UnreadableMetadataIngestTests
{
    private static Task<IngestSummary> Ingest(TempWorkspace ws, params string[] sources) =>
        new Ingestion(ws.Workspace).RunAsync(new IngestRequest { Sources = sources }, null, TestContext.Current.CancellationToken);

    [Fact]
    public async Task Images_whose_xmp_cannot_be_parsed_are_rejected_and_the_rest_come_in()
    {
        using var ws = new TempWorkspace();
        using var dir = new TempDir();
        dir.Write("1-broken.jpg", XmpImages.Jpeg(XmpImages.Broken, seed: 1));
        dir.Write("2-broken.png", XmpImages.Png(XmpImages.Broken, seed: 2));
        dir.Write("3-harmless.png", XmpImages.Png(XmpImages.Harmless, seed: 3));
        dir.Write("4-prohibited.png", XmpImages.Png(XmpImages.Prohibited, seed: 4));
        dir.Write("5-plain.jpg", SyntheticImages.Jpeg(32, 24, 5));

        var summary = await Ingest(ws, dir.Path);

        Assert.Equal(2, summary.Added);
        Assert.Equal(1, summary.OptedOut);
        Assert.Equal(2, summary.RejectedByReason[RejectionCodes.UnreadableMetadata]);
        var stored = ws.Catalog.Rejections(RejectionCodes.UnreadableMetadata);
        Assert.Equal(["1-broken.jpg", "2-broken.png"], stored.Select(r => Path.GetFileName(r.Origin)));
        Assert.All(stored, r => Assert.Contains("data-mining opt-out cannot be checked", r.Message));
        Assert.Equal(["3-harmless.png", "5-plain.jpg"],
            ws.Catalog.ListImages(Selector.All).Select(i => ws.Catalog.GetDetails(i.Id)!.Provenance[0].FileName));
    }

    [Fact]
    public async Task An_image_refused_for_its_sidecar_comes_in_once_the_sidecar_is_fixed()
    {
        using var ws = new TempWorkspace();
        using var dir = new TempDir();
        dir.Write("a.png", SyntheticImages.Png(32, 32, 1));
        dir.Write("a.json", """{"tags": ["cat"], "rating": "general" """);

        var first = await Ingest(ws, dir.Path);
        Assert.Equal(0, first.Added);
        Assert.Equal(1, first.RejectedByReason[RejectionCodes.UnreadableMetadata]);
        Assert.Contains("sidecar a.json cannot be read", Assert.Single(ws.Catalog.Rejections()).Message);

        dir.Write("a.json", """{"tags": ["cat"], "rating": "general"}""");
        var second = await Ingest(ws, dir.Path);
        Assert.Equal(1, second.Added);
        var image = ws.Catalog.ListImages(Selector.Parse("tag:cat")).Single();
        Assert.Equal("general", image.Rating);
    }

    [Fact]
    public async Task A_manifest_that_cannot_be_parsed_stops_the_ingest_with_nothing_stored()
    {
        using var ws = new TempWorkspace();
        using var dir = new TempDir();
        dir.Write("a.png", SyntheticImages.Png(32, 32, 1));
        dir.Write("metadata.csv", "file_name,tags\n\"a.png,sky\n");

        var e = await Assert.ThrowsAsync<AtelierException>(() => Ingest(ws, dir.Path));

        Assert.Equal(RejectionCodes.BadManifest, e.Code);
        Assert.Contains(Path.Combine(dir.Path, "metadata.csv"), e.Message);
        Assert.Contains("line 2", e.Message);
        Assert.Equal(0, ws.Catalog.ImageCount);
        Assert.Empty(ws.Catalog.Rejections());
        Assert.Empty(ws.Catalog.DoneOrigins());
    }

    [Fact]
    public async Task With_several_sources_a_bad_manifest_stops_at_its_source_and_what_came_before_is_kept()
    {
        using var ws = new TempWorkspace();
        using var good = new TempDir();
        using var bad = new TempDir();
        good.Write("a.png", SyntheticImages.Png(32, 32, 1));
        bad.Write("b.png", SyntheticImages.Png(32, 32, 2));
        bad.Write("metadata.jsonl", "{\"file_name\":\"b.png\"}\n");
        bad.Write("metadata.csv", "file_name\n\"b.png\n");

        var e = await Assert.ThrowsAsync<AtelierException>(() => Ingest(ws, good.Path, bad.Path));

        Assert.Equal(RejectionCodes.BadManifest, e.Code);
        Assert.Contains("metadata.csv", e.Message);
        var kept = Assert.Single(ws.Catalog.ListImages(Selector.All));
        Assert.Equal("a.png", ws.Catalog.GetDetails(kept.Id)!.Provenance[0].FileName);
        Assert.DoesNotContain(ws.Catalog.DoneOrigins(), o => o.Contains("b.png", StringComparison.Ordinal));
    }
}
