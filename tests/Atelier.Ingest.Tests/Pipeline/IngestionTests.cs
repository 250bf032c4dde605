using System.Text.Json;
using Atelier.Catalog;
using Atelier.Imaging;
using Atelier.Ingest.Metadata;
using Atelier.Ingest.Pipeline;
using Atelier.TestSupport;

namespace Atelier.Ingest.Tests.Pipeline;

public class IngestionTests
{
    private static Task<IngestSummary> Ingest(TempWorkspace ws, params string[] sources) => Ingest(ws.Workspace, new IngestRequest { Sources = sources });

    private static Task<IngestSummary> Ingest(TempWorkspace ws, IngestRequest request) => Ingest(ws.Workspace, request);

    private static Task<IngestSummary> Ingest(Workspace ws, IngestRequest request) =>
        new Ingestion(ws).RunAsync(request, null, TestContext.Current.CancellationToken);

    [Fact]
    public async Task EmojiSampleComesInWithManifestTagsAndAResumedRunAddsNothing()
    {
        using var ws = new TempWorkspace();
        var request = new IngestRequest
        {
            Sources = [Repo.EmojiSample],
            ManifestFileName = "emoji.json",
            License = "Apache-2.0",
            Mapping = MetadataMapping.Parse(["tags:short_names=general", "tags:category=category"]),
        };
        var first = await Ingest(ws, request);
        Assert.Equal(383, first.Added);
        Assert.Equal(0, first.Rejected);
        var grinning = ws.Catalog.SelectIds(Selector.Parse("tag:grinning"));
        var details = ws.Catalog.GetDetails(Assert.Single(grinning))!;
        Assert.Contains(new Tag("smileys_&_emotion", "category"), details.Tags);
        Assert.Equal("Apache-2.0", details.Image.License);
        Assert.Equal("emoji-sample", details.Image.Source);
        Assert.NotNull(details.Image.Pdq);
        Assert.True(ws.Workspace.Blobs.Contains(details.Image.Sha256));
        Assert.True(ws.Workspace.Blobs.Contains(details.Image.ThumbnailSha256!));

        var second = await Ingest(ws, request);
        Assert.Equal(0, second.Added);
        Assert.Equal(383, second.AlreadyDone);
        Assert.Equal(383, ws.Catalog.ImageCount);
    }

    [Fact]
    public async Task ManyBatchesCommitEveryImageOnceWithItsBlobs()
    {
        // More results than one batch holds (1,024), with copies of early files late in the run, so
        // commits happen while a later batch gathers and duplicates cross batch boundaries.
        using var ws = new TempWorkspace();
        using var dir = new TempDir();
        const int Distinct = 1_100, Copies = 100;
        var images = Enumerable.Range(0, Distinct).Select(i => SyntheticImages.Png(24, 24, i)).ToArray();
        for (int i = 0; i < Distinct; i++) dir.Write($"img/{i:0000}.png", images[i]);
        for (int i = 0; i < Copies; i++) dir.Write($"img/{Distinct + i:0000}.png", images[i * 7]);

        var first = await Ingest(ws, new IngestRequest { Sources = [Path.Combine(dir.Path, "img")], Workers = 2 });
        int unique = images.Distinct(new BytesComparer()).Count();
        Assert.True(unique > 1_050, $"only {unique} distinct test images");
        Assert.Equal(0, first.Rejected);
        Assert.Equal(unique, first.Added);
        Assert.Equal(Distinct + Copies - unique, first.ExactDuplicates);
        Assert.Equal(first.Added, ws.Catalog.ImageCount);
        foreach (var image in ws.Catalog.ListImages(Selector.All))
        {
            Assert.True(ws.Workspace.Blobs.Contains(image.Sha256), $"image {image.Id} has no blob");
            Assert.True(ws.Workspace.Blobs.Contains(image.ThumbnailSha256!), $"image {image.Id} has no thumbnail");
        }

        var second = await Ingest(ws, new IngestRequest { Sources = [Path.Combine(dir.Path, "img")], Workers = 2 });
        Assert.Equal(0, second.Added);
        Assert.Equal(Distinct + Copies, second.AlreadyDone);
    }

    private sealed class BytesComparer : IEqualityComparer<byte[]>
    {
        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj) => obj.Length;
    }

    [Fact]
    public async Task TiffAvifHeicIcoAndNetpbmComeInAndTheirBadFilesGetTheReasonsJpegsGet()
    {
        using var ws = new TempWorkspace();
        using var dir = new TempDir();
        var fixtures = Path.Combine(Repo.Root, "tests", "Atelier.Imaging.Tests", "Fixtures");
        byte[] Fixture(string name) => File.ReadAllBytes(Path.Combine(fixtures, name));
        foreach (var name in new[] { "quads.tif", "quads-2pages.tif", "quads.avif", "quads-64.heic", "quads-alpha.ico", "quads.ppm", "gray16.pgm" })
            dir.Write("good/" + name, Fixture(name));
        var tiff = Fixture("quads.tif");
        dir.Write("bad/cut.tif", tiff[..(tiff.Length * 2 / 3)]);
        var avif = Fixture("quads.avif");
        dir.Write("bad/cut.avif", avif[..(avif.Length * 2 / 3)]);
        dir.Write("bad/huge.tif", Fixture("huge.tif"));
        dir.Write("bad/huge.ppm", [.. "P6\n20000 20000\n255\n"u8, .. new byte[64]]);

        var summary = await Ingest(ws, dir.Path);

        Assert.Equal(7, summary.Added);
        Assert.Equal(4, summary.Rejected);
        var byOrigin = ws.Catalog.Rejections().ToDictionary(r => Path.GetFileName(r.Origin), r => r.Code);
        Assert.Equal("truncated", byOrigin["cut.tif"]);
        Assert.Equal("truncated", byOrigin["cut.avif"]);
        Assert.Equal("too-many-pixels", byOrigin["huge.tif"]);
        Assert.Equal("too-many-pixels", byOrigin["huge.ppm"]);
        var formats = ws.Catalog.Report().ByFormat;
        Assert.Equal(2, formats["tiff"]);
        Assert.Equal(2, formats["netpbm"]);
        Assert.Equal(1, formats["avif"]);
        Assert.Equal(1, formats["heic"]);
        Assert.Equal(1, formats["ico"]);
    }

    [Fact]
    public async Task EveryClassOfBadFileIsRejectedWithItsReasonAndTheRestComeIn()
    {
        using var ws = new TempWorkspace();
        using var dir = new TempDir();
        var jpeg = SyntheticImages.Jpeg(200, 150, 1);
        dir.Write("good/a.jpg", jpeg);
        dir.Write("good/b.png", SyntheticImages.Png(80, 60, 2));
        dir.Write("bad/corrupt.png", [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        dir.Write("bad/truncated.jpg", jpeg[..(jpeg.Length / 2)]);
        dir.Write("bad/empty.jpg", []);
        dir.Write("bad/not-an-image.gif", "this is text, not a GIF");
        dir.Write("bad/document.psd", "8BPS\0\u0001"u8.ToArray()); // no format the imaging layer reads: skipped, not rejected
        dir.Write("bad/huge.png", ForgedPng(60000, 60000));

        var summary = await Ingest(ws, dir.Path);

        Assert.Equal(2, summary.Added);
        Assert.Equal(5, summary.Rejected);
        Assert.Equal([new SkippedCount(".psd", RejectionCodes.UnsupportedFile, 1)], summary.SkippedByExtension);
        var byOrigin = ws.Catalog.Rejections().ToDictionary(r => Path.GetFileName(r.Origin), r => r.Code);
        Assert.Equal("truncated", byOrigin["truncated.jpg"]);
        Assert.Equal("empty-file", byOrigin["empty.jpg"]);
        Assert.Equal("too-many-pixels", byOrigin["huge.png"]);
        Assert.False(byOrigin.ContainsKey("document.psd"));
        Assert.EndsWith("/bad/document.psd", Assert.Single(ws.Catalog.SkippedFiles()).Origin);
        Assert.Contains(byOrigin["corrupt.png"], new[] { "corrupt", "truncated" });
        Assert.Contains(byOrigin["not-an-image.gif"], new[] { "corrupt", "unsupported-format" });
        Assert.All(ws.Catalog.Rejections(), r => Assert.DoesNotContain('\n', r.Message));
        Assert.Equal(5, ws.Catalog.Report().RejectionsByCode.Values.Sum());
        // Permanent rejections are done: a second run neither re-reads nor re-records them. A skip is looked at again.
        var again = await Ingest(ws, dir.Path);
        Assert.Equal((7, 1), (again.AlreadyDone, again.Skipped));
    }

    [Fact]
    public async Task ExactDuplicatesAddProvenanceAndNearDuplicatesArePaired()
    {
        using var ws = new TempWorkspace();
        using var dir = new TempDir();
        var image = SyntheticImages.Pattern(320, 240, 7);
        var original = ImageEncoder.EncodeJpeg(image, 95);
        dir.Write("a/original.jpg", original);
        dir.Write("b/copy.jpg", original);
        dir.Write("c/reencoded.jpg", ImageEncoder.EncodeJpeg(ImageResizer.Resize(image, 200, 150), 60));
        dir.Write("d/other.png", SyntheticImages.Png(320, 240, 99));

        var summary = await Ingest(ws, dir.Path);

        Assert.Equal(3, summary.Added);
        Assert.Equal(1, summary.ExactDuplicates);
        Assert.Equal(1, summary.NearDuplicates);
        var originalId = ws.Catalog.FindImageId(BlobStore.Sha256Hex(original))!.Value;
        Assert.Equal(2, ws.Catalog.GetDetails(originalId)!.Provenance.Count);
        var cluster = Assert.Single(ws.Catalog.NearDuplicateClusters());
        Assert.Contains(originalId, cluster.ImageIds);
    }

    [Fact]
    public async Task XmpDataMiningProhibitedIsRecordedAsOptedOutAndNotIngested()
    {
        using var ws = new TempWorkspace();
        using var dir = new TempDir();
        dir.Write("prohibited.jpg", File.ReadAllBytes(ImagingFixture("dmi-prohibited.jpg")));
        dir.Write("allowed.jpg", File.ReadAllBytes(ImagingFixture("dmi-allowed.jpg")));
        var summary = await Ingest(ws, dir.Path);
        Assert.Equal(1, summary.OptedOut);
        Assert.Equal(1, summary.Added);
        Assert.Equal("opted-out", Assert.Single(ws.Catalog.Rejections()).Code);
    }

    [Fact]
    public async Task APolicyThatDoesNotHonourOptOutsLetsTheImageInFlaggedAndAnHonouringPolicyThenLeavesItOut()
    {
        using var ws = new TempWorkspace();
        using var dir = new TempDir();
        dir.Write("prohibited.jpg", File.ReadAllBytes(ImagingFixture("dmi-prohibited.jpg")));
        dir.Write("allowed.jpg", File.ReadAllBytes(ImagingFixture("dmi-allowed.jpg")));
        var policyPath = Atelier.Governance.Policy.PolicyFile.DefaultPath(ws.Workspace);
        File.WriteAllText(policyPath, Atelier.Governance.Policy.PolicyFile.DefaultText.Replace("honour-opt-out: true", "honour-opt-out: false"));
        var summary = await Ingest(ws, new IngestRequest { Sources = [dir.Path], License = "CC0-1.0", SourceName = "test" });
        Assert.Equal((2, 0), (summary.Added, summary.OptedOut));
        var flagged = Assert.Single(ws.Catalog.ListImages(Selector.Parse("flag:opted-out")));
        Assert.Contains("DataMining", ws.Catalog.GetDetails(flagged.Id)!.Flags.Single().Detail);

        // This policy passes it; once the policy honours opt-outs again, the flag keeps it out.
        var session = Atelier.Governance.GovernanceSession.For(ws.Workspace);
        Atelier.Governance.Annotations.Rate(session, Selector.All, "general"); // the strict policy needs a rating on each
        var ids = ws.Catalog.SelectIds(Selector.All);
        Assert.True(Atelier.Governance.Policy.PolicyGate.Evaluate(session, Atelier.Governance.Policy.PolicyStage.Check, ids).Clean);
        File.Delete(policyPath);
        var strict = Atelier.Governance.Policy.PolicyGate.Evaluate(session, Atelier.Governance.Policy.PolicyStage.Check, ids);
        var violation = Assert.Single(strict.Violations);
        Assert.Equal(("opted-out", flagged.Id), (violation.Rule, violation.ImageId));
    }

    [Fact]
    public async Task GpsNeverReachesTheThumbnail()
    {
        using var ws = new TempWorkspace();
        using var dir = new TempDir();
        var bytes = File.ReadAllBytes(ImagingFixture("gps.jpg"));
        Assert.True(ImageProbe.Read(bytes).HasGps);
        dir.Write("gps.jpg", bytes);
        Assert.Equal(1, (await Ingest(ws, dir.Path)).Added);
        var image = ws.Catalog.ListImages(Selector.All).Single();
        var thumbnail = ws.Workspace.Blobs.Read(image.ThumbnailSha256!);
        Assert.False(ImageProbe.Read(thumbnail).HasGps);
        Assert.DoesNotContain("Exif", System.Text.Encoding.Latin1.GetString(thumbnail));
        // The original is kept byte for byte as the blob.
        Assert.Equal(bytes, ws.Workspace.Blobs.Read(image.Sha256));
    }

    [Fact]
    public async Task ASmallBarePngIsItsOwnThumbnailButOneWithMetadataOrOfGreaterSizeGetsANewOne()
    {
        using var ws = new TempWorkspace();
        using var dir = new TempDir();
        var bare = SyntheticImages.Png(32, 24, 1);
        var withXmp = XmpImages.Png(XmpImages.Harmless, seed: 2);
        var large = SyntheticImages.Png(300, 200, 3);
        dir.Write("bare.png", bare);
        dir.Write("xmp.png", withXmp);
        dir.Write("large.png", large);
        Assert.Equal(3, (await Ingest(ws, dir.Path)).Added);
        string ThumbnailOf(byte[] bytes) => ws.Catalog.ListImages(Selector.Parse("sha:" + ImageAnalysis.Sha256(bytes)[..16])).Single().ThumbnailSha256!;

        Assert.Equal(ImageAnalysis.Sha256(bare), ThumbnailOf(bare));

        var xmpThumbnail = ws.Workspace.Blobs.Read(ThumbnailOf(withXmp));
        Assert.NotEqual(withXmp, xmpThumbnail);
        Assert.True(ImageProbe.IsBarePng(xmpThumbnail));
        Assert.DoesNotContain("xmpmeta", System.Text.Encoding.Latin1.GetString(xmpThumbnail));

        var largeThumbnail = ImageProbe.Read(ws.Workspace.Blobs.Read(ThumbnailOf(large)));
        Assert.Equal(new IngestRequest { Sources = [] }.ThumbnailSide, Math.Max(largeThumbnail.Width, largeThumbnail.Height));
    }

    [Fact]
    public async Task UrlsThatFailForNowAreRetriedOnTheNextRun()
    {
        using var ws = new TempWorkspace();
        var healthy = false;
        var png = SyntheticImages.Png(64, 64, 3);
        await using var server = new LoopbackServer((_, _) => healthy ? Reply.Png(png) : Reply.Text(503, "busy"));
        using var dir = new TempDir();
        var list = dir.Write("urls.txt", server.Url("/a.png") + "\n");
        File.WriteAllText(ws.Workspace.ConfigPath, JsonSerializer.Serialize(
            ws.Workspace.Config with { Ingest = ws.Workspace.Config.Ingest with { HttpRetries = 0 } }, WorkspaceConfig.JsonOptions));
        using var reopened = new ReopenedWorkspace(ws);

        var first = await Ingest(reopened.Workspace, new IngestRequest { Sources = [list] });
        Assert.Equal(0, first.Added);
        Assert.Equal(1, first.RejectedByReason["http-status"]);

        healthy = true;
        var second = await Ingest(reopened.Workspace, new IngestRequest { Sources = [list] });
        Assert.Equal(1, second.Added);
        Assert.Equal(server.Url("/a.png"), reopened.Workspace.Catalog.ListImages(Selector.All).Single().SourceUrl);
    }

    [Fact]
    public async Task ImageIdsFollowSourceOrderWhateverOrderWorkersFinishIn()
    {
        using var ws = new TempWorkspace();
        using var dir = new TempDir();
        // Big and small files interleaved, so a parallel worker finishes the small ones first.
        for (var i = 0; i < 16; i++) dir.Write($"{i:00}.png", SyntheticImages.Png(i % 2 == 0 ? 900 : 40, i % 2 == 0 ? 700 : 40, i));
        await Ingest(ws, new IngestRequest { Sources = [dir.Path], Workers = 4 });
        var names = ws.Catalog.ListImages(Selector.All).Select(i => ws.Catalog.GetDetails(i.Id)!.Provenance[0].FileName).ToList();
        Assert.Equal(Enumerable.Range(0, 16).Select(i => $"{i:00}.png"), names);
    }

    [Fact]
    public async Task AnUnknownSourceIsAOneLineError()
    {
        using var ws = new TempWorkspace();
        var e = await Assert.ThrowsAsync<AtelierException>(() => Ingest(ws, "/no/such/folder"));
        Assert.Equal("source-not-found", e.Code);
        Assert.Equal(0, ws.Catalog.ImageCount);
    }

    /// <summary>A PNG whose header claims huge dimensions; its one IDAT holds almost nothing.</summary>
    private static byte[] ForgedPng(int width, int height)
    {
        var png = SyntheticImages.Png(8, 8, 1);
        // IHDR data starts at byte 16 (8 signature + 4 length + 4 type); its CRC is left stale on purpose.
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(16), width);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(20), height);
        return png;
    }

    private static string ImagingFixture(string name) => Path.Combine(Repo.Root, "tests", "Atelier.Imaging.Tests", "Fixtures", name);

    /// <summary>Opens the same folder again so a test's edited config.json is read.</summary>
    private sealed class ReopenedWorkspace(TempWorkspace original) : IDisposable
    {
        public Workspace Workspace { get; } = Workspace.Open(original.Directory);
        public void Dispose() => Workspace.Dispose();
    }
}
