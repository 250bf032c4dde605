using System.Text.Json;
using Atelier.Catalog;
using Atelier.Governance.Access;
using Atelier.Governance.Blocklists;
using Atelier.Governance.Lineage;
using Atelier.Imaging;
using Atelier.TestSupport;
using static Atelier.Governance.Tests.BlocklistTestKit;

namespace Atelier.Governance.Tests;

/// <summary>Importing a list screens the whole catalog: exact SHA-256 and MD5 hits, PDQ near copies, and everything downstream.</summary>
public class BlocklistImportTests
{
    private static byte[] Picture(int seed) => ImageEncoder.EncodePng(BlocklistImages.Textured(seed, 128, 128), fast: true);

    private static BlocklistImportResult Import(GovernanceSession session, TempDir dir, BlocklistKind kind, string version, params string[] hashes) =>
        new BlocklistImporter(session).Import(new BlocklistImportRequest(
            dir.Write($"list-{version}.txt", "# test list\n" + string.Join("\n", hashes) + "\n"), kind, "test-list", version));

    [Fact]
    public void Sha256ListQuarantinesTheImageAndOnlyIt()
    {
        using var ws = new TempWorkspace();
        using var dir = new TempDir();
        var session = Session(ws);
        var (bad, good) = (Picture(1), Picture(2));
        var badId = AddImage(ws, bad, "bad.png");
        var goodId = AddImage(ws, good, "good.png");

        var result = Import(session, dir, BlocklistKind.Sha256, "1", Sha256(bad));

        Assert.Equal(2, result.Screened);
        var q = Assert.Single(result.Quarantined);
        Assert.Equal(badId, q.ImageId);
        Assert.Null(q.Distance);
        Assert.Equal(("test-list", "1", "sha256"), (q.ListName, q.ListVersion, q.ListKind));
        Assert.Null(ws.Catalog.GetImage(badId));
        Assert.NotNull(ws.Catalog.GetImage(goodId));
        Assert.Equal(1, ws.Catalog.ImageCount);
        Assert.Equal([goodId], ws.Catalog.SelectIds(Selector.Parse("all")));
        Assert.Equal(1, ws.Catalog.Report().Images);
    }

    [Fact]
    public void Md5ListMatchesImagesIngestedBeforeMd5sWereKept()
    {
        using var ws = new TempWorkspace();
        using var dir = new TempDir();
        var session = Session(ws);
        var old = Picture(3);
        var oldId = AddImage(ws, old, "old.png", withMd5: false);
        AddImage(ws, Picture(4), "other.png", withMd5: false);

        var result = Import(session, dir, BlocklistKind.Md5, "1", Md5(old).ToUpperInvariant());

        Assert.Equal(2, result.Md5Computed);
        Assert.Equal(oldId, Assert.Single(result.Quarantined).ImageId);
        Assert.Empty(ws.Catalog.ImagesWithoutMd5());
    }

    [Fact]
    public void PdqListCatchesAReEncodedCopyButNotADifferentPicture()
    {
        using var ws = new TempWorkspace();
        using var dir = new TempDir();
        var session = Session(ws);
        var picture = BlocklistImages.Textured(5, 256, 256);
        var listed = Pdq(ImageEncoder.EncodePng(picture));
        var copyId = AddImage(ws, ImageEncoder.EncodeJpeg(ImageResizer.Resize(picture, 200, 200), 70), "copy.jpg");
        var otherId = AddImage(ws, Picture(6), "other.png");
        Assert.True(listed.Quality >= 50);

        var result = Import(session, dir, BlocklistKind.Pdq, "1", listed.Hash.ToString());

        var q = Assert.Single(result.Quarantined);
        Assert.Equal(copyId, q.ImageId);
        Assert.InRange(q.Distance!.Value, 0, 31);
        Assert.NotNull(ws.Catalog.GetImage(otherId));
    }

    [Fact]
    public void QuarantineTaintsSnapshotRunAndCheckpointAndDeletesTheirTrainingExports()
    {
        using var ws = new TempWorkspace();
        using var dir = new TempDir();
        var session = Session(ws);
        var bad = Picture(7);
        var badId = AddImage(ws, bad, "bad.png");
        var goodId = AddImage(ws, Picture(8), "good.png");
        var snapshot = ws.Catalog.AddSnapshot("set", new string('a', 64), new string('b', 64), null, [badId, goodId]);
        var clean = ws.Catalog.AddSnapshot("clean", new string('c', 64), new string('d', 64), null, [goodId]);
        var run = ws.Catalog.AddRun("run-1", snapshot, "dcgan", "{}", "test");
        var checkpoint = ws.Catalog.AddCheckpoint(run.Id, 1000, new string('e', 64), "ckpt.pt", null);
        var exports = Path.Combine(ws.Workspace.DataDirectory, "exports");
        var tainted = Directory.CreateDirectory(Path.Combine(exports, new string('a', 16) + "-64")).FullName;
        File.WriteAllBytes(Path.Combine(tainted, "shard-0000.bin"), bad);
        var kept = Directory.CreateDirectory(Path.Combine(exports, new string('c', 16) + "-64")).FullName;

        var result = Import(session, dir, BlocklistKind.Sha256, "1", Sha256(bad));

        Assert.Equal(new TaintCount(1, 1, 1), result.Tainted);
        var cause = Assert.Single(ws.Catalog.TaintsOf(TaintKind.Checkpoint, checkpoint.Id));
        Assert.Equal(Revocation.Quarantined, cause.CauseKind);
        Assert.Contains("test-list 1", cause.Cause);
        Assert.Single(ws.Catalog.TaintsOf(TaintKind.Snapshot, snapshot.Id));
        Assert.Single(ws.Catalog.TaintsOf(TaintKind.Run, run.Id));
        Assert.Empty(ws.Catalog.TaintsOf(TaintKind.Snapshot, clean.Id));
        Assert.Equal("tainted", Assert.Throws<AtelierException>(() => Revocation.EnsureUsable(ws.Catalog, checkpoint, run.Name)).Code);
        Assert.False(Directory.Exists(tainted));
        Assert.True(Directory.Exists(kept));
    }

    [Fact]
    public void ImportAndQuarantineAreAudited()
    {
        using var ws = new TempWorkspace();
        using var dir = new TempDir();
        var session = Session(ws);
        var bad = Picture(9);
        var badId = AddImage(ws, bad, "bad.png");

        var result = Import(session, dir, BlocklistKind.Sha256, "2024-06", Sha256(bad));

        var import = Assert.Single(ws.Catalog.FindAudit("blocklist", result.List.Id.ToString(), "blocklist-import", null, null, 10));
        Assert.Equal("test-list", JsonDocument.Parse(import.Detail).RootElement.GetProperty("list").GetString());
        var entry = Assert.Single(ws.Catalog.FindAudit("image", badId.ToString(), "quarantine", null, null, 10));
        var detail = JsonDocument.Parse(entry.Detail).RootElement;
        Assert.Equal("test-list", detail.GetProperty("list").GetString());
        Assert.Equal("2024-06", detail.GetProperty("version").GetString());
        Assert.False(detail.TryGetProperty("distance", out _)); // an exact hit has no distance
        Assert.Contains(new AuditRef("blocklist", result.List.Id.ToString()), entry.Refs);
        Assert.Equal("owner", entry.Actor);
        Assert.True(session.Audit.Verify().Intact);
    }

    [Fact]
    public void HostileOrUnauthorisedImportsStoreNothing()
    {
        using var ws = new TempWorkspace();
        using var dir = new TempDir();
        var session = Session(ws);
        var lists = new BlocklistImporter(session);
        var good = dir.Write("good.txt", "098f6bcd4621d373cade4e832627b4f6\n");
        var key = dir.Write("key.pem", System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256).ExportSubjectPublicKeyInfoPem());
        var bogus = dir.Write("list.sig", "AAAA");

        string Code(BlocklistImportRequest r) => Assert.Throws<AtelierException>(() => lists.Import(r)).Code;
        Assert.Equal("bad-blocklist", Code(new(dir.Write("bad.txt", "098f6bcd4621d373cade4e832627b4f6\nnot-a-hash\n"), BlocklistKind.Md5, "l", "1")));
        Assert.Equal("unsigned-blocklist", Code(new(good, BlocklistKind.Md5, "l", "1", PublicKeyPath: key)));
        Assert.Equal("no-public-key", Code(new(good, BlocklistKind.Md5, "l", "1", SignaturePath: bogus)));
        Assert.Equal("bad-signature", Code(new(good, BlocklistKind.Md5, "l", "1", bogus, key)));
        Assert.Equal("no-file", Code(new(Path.Combine(dir.Path, "missing.txt"), BlocklistKind.Md5, "l", "1")));
        Assert.Equal("bad-blocklist-name", Code(new(good, BlocklistKind.Md5, " ", "1")));
        Assert.Empty(ws.Catalog.ListBlocklists());

        lists.Import(new(good, BlocklistKind.Md5, "l", "1"));
        Assert.Equal("blocklist-exists", Code(new(good, BlocklistKind.Md5, "l", "1")));

        var (_, token) = session.Users.Add("rita", Role.Reviewer);
        var reviewer = GovernanceSession.Open(ws.Workspace, _ => null, "rita", token);
        var e = Assert.Throws<AtelierException>(() => new BlocklistImporter(reviewer).Import(new(good, BlocklistKind.Md5, "l", "2")));
        Assert.Equal("forbidden", e.Code);
        Assert.Single(ws.Catalog.ListBlocklists());
    }
}
