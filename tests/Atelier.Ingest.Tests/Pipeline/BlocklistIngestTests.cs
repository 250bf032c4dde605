using System.Security.Cryptography;
using System.Text.Json;
using Atelier.Catalog;
using Atelier.Governance;
using Atelier.Governance.Blocklists;
using Atelier.Hashing;
using Atelier.Imaging;
using Atelier.Ingest.Pipeline;
using Atelier.TestSupport;

namespace Atelier.Ingest.Tests.Pipeline;

/// <summary>At ingest, every new file is checked against the blocklists before anything of it is stored.</summary>
public class BlocklistIngestTests
{
    private static Task<IngestSummary> Ingest(TempWorkspace ws, string source) =>
        new Ingestion(ws.Workspace).RunAsync(new IngestRequest { Sources = [source], Workers = 2 }, null, TestContext.Current.CancellationToken);

    private static GovernanceSession Session(TempWorkspace ws) => GovernanceSession.Open(ws.Workspace, _ => null);

    private static void Block(GovernanceSession session, TempDir dir, BlocklistKind kind, string hash, string version = "1") =>
        new BlocklistImporter(session).Import(new BlocklistImportRequest(dir.Write($"list-{kind}-{version}.txt", hash + "\n"), kind, "vendor", version));

    private static string Sha256(byte[] b) => Convert.ToHexStringLower(SHA256.HashData(b));
    private static string Md5(byte[] b) => Convert.ToHexStringLower(MD5.HashData(b));

    private static PdqResult Pdq(byte[] encoded)
    {
        // As ingest hashes: the full-size pixels (the hasher resizes them as the reference does).
        var image = ImageDecoder.Decode(encoded);
        return PdqHasher.HashRgba(image.Pixels, image.Width, image.Height);
    }

    [Fact]
    public async Task CleanImagesKeepTheirMd5WhileAnMd5ListIsImported()
    {
        using var ws = new TempWorkspace();
        using var dir = new TempDir();
        var bytes = SyntheticImages.Png(64, 48, 1);
        dir.Write("in/a.png", bytes);
        Block(GovernanceSession.For(ws.Workspace), dir, BlocklistKind.Md5, Md5(SyntheticImages.Png(64, 48, 2)));

        var summary = await Ingest(ws, Path.Combine(dir.Path, "in"));

        Assert.Equal((1, 0), (summary.Added, summary.Quarantined));
        Assert.Empty(ws.Catalog.ImagesWithoutMd5());
        var image = Assert.Single(ws.Catalog.ImagesToScreen());
        Assert.Equal(Md5(bytes), image.Md5);
    }

    [Fact]
    public async Task WithoutAnMd5ListNoMd5IsComputedAndALaterListFillsThemIn()
    {
        using var ws = new TempWorkspace();
        using var dir = new TempDir();
        var bytes = SyntheticImages.Png(64, 48, 3);
        dir.Write("in/a.png", bytes);
        await Ingest(ws, Path.Combine(dir.Path, "in"));
        Assert.Single(ws.Catalog.ImagesWithoutMd5());
        Block(GovernanceSession.For(ws.Workspace), dir, BlocklistKind.Md5, Md5(bytes));
        Assert.Empty(ws.Catalog.ImagesWithoutMd5());
        Assert.Equal(0, ws.Catalog.ImageCount); // the import found it by its MD5 and quarantined it
    }

    [Theory]
    [InlineData(BlocklistKind.Sha256)]
    [InlineData(BlocklistKind.Md5)]
    public async Task AnExactHitNeverBecomesAnImageAndItsBytesAreOnlyStoredSealed(BlocklistKind kind)
    {
        using var ws = new TempWorkspace();
        using var dir = new TempDir();
        var session = Session(ws);
        var (bad, good) = (SyntheticImages.Png(64, 64, 2), SyntheticImages.Png(64, 64, 3));
        Block(session, dir, kind, kind == BlocklistKind.Md5 ? Md5(bad) : Sha256(bad));
        dir.Write("in/bad.png", bad);
        dir.Write("in/good.png", good);

        var summary = await Ingest(ws, Path.Combine(dir.Path, "in"));

        Assert.Equal((1, 1), (summary.Added, summary.Quarantined));
        Assert.Null(ws.Catalog.FindImageId(Sha256(bad)));
        Assert.False(ws.Workspace.Blobs.Contains(Sha256(bad)));
        var q = Assert.Single(ws.Catalog.ListQuarantine());
        Assert.Null(q.ImageId);
        Assert.Null(q.Distance);
        Assert.EndsWith("bad.png", q.Origin);
        Assert.Equal(bad, session.Sealer.Open(ws.Workspace.Blobs.Read(q.SealedBlob), Quarantine.SealPurpose(q.Sha256)));
        var audit = Assert.Single(ws.Catalog.FindAudit("quarantine", q.Id.ToString(), "quarantine", null, null, 10));
        Assert.Equal("vendor", JsonDocument.Parse(audit.Detail).RootElement.GetProperty("list").GetString());
    }

    [Fact]
    public async Task APdqHitCatchesAReEncodedCopyAndTheSameBytesAreStoppedAgainWithoutANewRecord()
    {
        using var ws = new TempWorkspace();
        using var dir = new TempDir();
        var session = Session(ws);
        var picture = SyntheticImages.Pattern(256, 256, 4);
        var listed = Pdq(ImageEncoder.EncodePng(picture));
        var other = SyntheticImages.Png(256, 256, 5);
        Assert.True(listed.Quality >= 50);
        Assert.True(Pdq(other).Hash.DistanceTo(listed.Hash) > 31, "the unrelated test picture is too close to the listed one");
        Block(session, dir, BlocklistKind.Pdq, listed.Hash.ToString());
        var copy = ImageEncoder.EncodeJpeg(ImageResizer.Resize(picture, 300, 300), 75);
        dir.Write("in/copy.jpg", copy);
        dir.Write("in/other.png", other);

        var first = await Ingest(ws, Path.Combine(dir.Path, "in"));

        Assert.Equal((1, 1), (first.Added, first.Quarantined));
        var q = Assert.Single(ws.Catalog.ListQuarantine());
        Assert.InRange(q.Distance!.Value, 0, 31);
        Assert.Equal(1, ws.Catalog.ImageCount);

        // The same bytes under another name: stopped again, no second record, no image.
        dir.Write("again/renamed.jpg", copy);
        var second = await Ingest(ws, Path.Combine(dir.Path, "again"));
        Assert.Equal((0, 1), (second.Added, second.Quarantined));
        Assert.Single(ws.Catalog.ListQuarantine());
        Assert.Null(ws.Catalog.FindImageId(Sha256(copy)));
    }

    [Fact]
    public async Task ACopyOfAnImageQuarantinedAtImportStaysOut()
    {
        using var ws = new TempWorkspace();
        using var dir = new TempDir();
        var session = Session(ws);
        var bad = SyntheticImages.Png(64, 64, 6);
        dir.Write("in/bad.png", bad);
        await Ingest(ws, Path.Combine(dir.Path, "in"));
        var id = ws.Catalog.FindImageId(Sha256(bad))!.Value;
        Block(session, dir, BlocklistKind.Sha256, Sha256(bad));
        Assert.Null(ws.Catalog.GetImage(id));

        dir.Write("later/copy.png", bad);
        var summary = await Ingest(ws, Path.Combine(dir.Path, "later"));

        Assert.Equal((0, 0, 1), (summary.Added, summary.ExactDuplicates, summary.Quarantined));
        Assert.Equal(0, ws.Catalog.ImageCount);
        Assert.False(ws.Workspace.Blobs.Contains(Sha256(bad)));
        Assert.Single(ws.Catalog.ListQuarantine());
    }
}
