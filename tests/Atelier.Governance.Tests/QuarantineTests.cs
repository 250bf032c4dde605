using Atelier.Catalog;
using Atelier.Governance.Access;
using Atelier.Governance.Blocklists;
using Atelier.Imaging;
using Atelier.TestSupport;
using static Atelier.Governance.Tests.BlocklistTestKit;

namespace Atelier.Governance.Tests;

/// <summary>What quarantine does to the stored bytes: sealed copy in, plain blob and thumbnail out.</summary>
public class QuarantineTests
{
    private static byte[] Picture(int seed) => ImageEncoder.EncodePng(BlocklistImages.Textured(seed, 96, 96), fast: true);

    private static BlocklistImportResult Block(GovernanceSession session, TempDir dir, params byte[][] files) =>
        new BlocklistImporter(session).Import(new BlocklistImportRequest(
            dir.Write("list.txt", string.Join("\n", files.Select(Sha256))), BlocklistKind.Sha256, "list", "1"));

    [Fact]
    public void PlainBytesAndThumbnailLeaveTheStoreAndOnlyASealedCopyStays()
    {
        using var ws = new TempWorkspace();
        using var dir = new TempDir();
        var session = Session(ws);
        var bytes = Picture(11);
        var id = AddImage(ws, bytes, "bad.png");
        var thumbnail = ws.Catalog.ListImages(Selector.Parse("all")).Single().ThumbnailSha256!;
        var blobs = ws.Workspace.Blobs;
        Assert.True(blobs.Contains(Sha256(bytes)) && blobs.Contains(thumbnail));

        var q = Assert.Single(Block(session, dir, bytes).Quarantined);

        Assert.False(blobs.Contains(Sha256(bytes)));
        Assert.False(blobs.Contains(thumbnail));
        var sealedBytes = blobs.Read(q.SealedBlob);
        Assert.False(Contains(sealedBytes, bytes.AsSpan(0, 64)), "the sealed blob holds the original's first bytes in the clear");
        Assert.False(Contains(sealedBytes, bytes.AsSpan(bytes.Length / 2, 64)), "the sealed blob holds a run of the original's bytes in the clear");
        Assert.Equal(bytes, new Quarantine(session).Open(q));
        // Bound to its file: the sealed bytes do not open as another file's.
        Assert.Equal("bad-seal", Assert.Throws<AtelierException>(() => session.Sealer.Open(sealedBytes, Quarantine.SealPurpose(new string('0', 64)))).Code);
        Assert.Null(ws.Catalog.GetDetails(id));
        Assert.Equal("test:bad.png", q.Origin);
    }

    [Fact]
    public void AThumbnailAnotherVisibleImageSharesStays()
    {
        using var ws = new TempWorkspace();
        using var dir = new TempDir();
        var session = Session(ws);
        var picture = BlocklistImages.Textured(12, 200, 200);
        // Same pixels in two files: two images, one thumbnail blob.
        var (png, sameAgain) = (ImageEncoder.EncodePng(picture, fast: true), ImageEncoder.EncodePng(picture));
        Assert.NotEqual(Sha256(png), Sha256(sameAgain));
        var badId = AddImage(ws, png, "a.png");
        var keptId = AddImage(ws, sameAgain, "b.png");
        var thumbnail = ws.Catalog.GetImage(keptId)!.ThumbnailSha256!;
        Assert.Equal(thumbnail, ws.Catalog.GetImage(badId)!.ThumbnailSha256);
        Assert.NotEqual(Sha256(png), thumbnail);

        Block(session, dir, png);

        Assert.True(ws.Workspace.Blobs.Contains(thumbnail));
        Assert.True(ws.Workspace.Blobs.Contains(Sha256(sameAgain)));
    }

    [Fact]
    public void NearDuplicatePairsOfTheImageGo()
    {
        using var ws = new TempWorkspace();
        using var dir = new TempDir();
        var session = Session(ws);
        var bad = Picture(13);
        var badId = AddImage(ws, bad, "bad.png");
        var otherId = AddImage(ws, Picture(14), "other.png");
        ws.Catalog.AddNearDuplicates([(badId, otherId, 3)]);

        Block(session, dir, bad);

        Assert.Empty(ws.Catalog.GetDetails(otherId)!.NearDuplicates);
        Assert.Empty(ws.Catalog.Report().NearDuplicateClusters);
    }

    [Fact]
    public void ListingIsForReviewersAndAdminsAndShowsNoPixels()
    {
        using var ws = new TempWorkspace();
        using var dir = new TempDir();
        var session = Session(ws);
        var bad = Picture(15);
        AddImage(ws, bad, "bad.png");
        Block(session, dir, bad);

        var (_, reviewerToken) = session.Users.Add("rev", Role.Reviewer);
        var (_, viewerToken) = session.Users.Add("vic", Role.Viewer);
        var listed = Assert.Single(new Quarantine(GovernanceSession.Open(ws.Workspace, _ => null, "rev", reviewerToken)).List());
        Assert.Equal(Sha256(bad), listed.Sha256);
        var viewer = GovernanceSession.Open(ws.Workspace, _ => null, "vic", viewerToken);
        Assert.Equal("forbidden", Assert.Throws<AtelierException>(() => new Quarantine(viewer).List()).Code);
    }

    [Fact]
    public void ASweepRemovesWhatAKilledImportLeftBehind()
    {
        using var ws = new TempWorkspace();
        using var dir = new TempDir();
        var session = Session(ws);
        var bad = Picture(16);
        AddImage(ws, bad, "bad.png");
        var thumbnail = ws.Catalog.ListImages(Selector.Parse("all")).Single().ThumbnailSha256!;
        Block(session, dir, bad);
        // As if the process died after the commit, before the clean-up: the plain files are back.
        ws.Workspace.Blobs.Put(bad);
        var thumbPath = ws.Workspace.Blobs.PathOf(thumbnail);
        Directory.CreateDirectory(Path.GetDirectoryName(thumbPath)!);
        File.WriteAllBytes(thumbPath, [1, 2, 3]);

        new Quarantine(session).SweepLeftovers();

        Assert.False(ws.Workspace.Blobs.Contains(Sha256(bad)));
        Assert.False(File.Exists(thumbPath));
    }
}
