using System.Security.Cryptography;
using Atelier.Catalog;
using Atelier.Governance;
using Atelier.Governance.Access;
using Atelier.Hashing;
using Atelier.Imaging;
using Atelier.TestSupport;

namespace Atelier.Cli.Tests;

/// <summary><c>atelier blocklist</c> and <c>atelier quarantine</c> end to end through the real CLI.</summary>
public class BlocklistCommandTests
{
    private static string Sha256(byte[] b) => Convert.ToHexStringLower(SHA256.HashData(b));

    private static string Write(CliRunner cli, string relative, byte[] content)
    {
        var path = Path.Combine(cli.Directory, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
        return path;
    }

    private static string Write(CliRunner cli, string relative, string text) => Write(cli, relative, System.Text.Encoding.UTF8.GetBytes(text));

    [Fact]
    public void AnImportedListHidesTheImageEverywhereAndTaintsWhatWasBuiltOnIt()
    {
        using var cli = new CliRunner();
        cli.Ok("init");
        var bad = SyntheticImages.Png(96, 96, 1);
        Write(cli, "in/bad.png", bad);
        for (var i = 2; i <= 4; i++) Write(cli, $"in/ok{i}.png", SyntheticImages.Png(96, 96, i));
        Assert.Equal(4, cli.Ok("ingest", "in", "--license", "CC0-1.0", "--json").Json.GetProperty("added").GetInt32());
        var badId = cli.Ok("images", "list", "sha:" + Sha256(bad)[..12], "--json").Json.GetProperty("images")[0].GetProperty("id").GetInt64();
        cli.Ok("rate", "all", "general");
        cli.Ok("dataset", "create", "before");
        string thumbnail, exports;
        long checkpointId;
        using (var ws = Workspace.Open(cli.Directory))
        {
            var snapshot = ws.Catalog.GetSnapshot("before")!;
            var run = ws.Catalog.AddRun("run-1", snapshot, "dcgan", "{}", "test");
            checkpointId = ws.Catalog.AddCheckpoint(run.Id, 1000, new string('e', 64), "ckpt.pt", null).Id;
            thumbnail = ws.Blobs.PathOf(ws.Catalog.GetImage(badId)!.ThumbnailSha256!);
            exports = Directory.CreateDirectory(Path.Combine(ws.DataDirectory, "exports", snapshot.RootHash[..16] + "-32")).FullName;
        }
        Write(cli, "vendor.txt", $"# vendor list\n{Sha256(bad)}\n");

        var import = cli.Ok("blocklist", "import", "vendor.txt", "--kind", "sha256", "--name", "vendor", "--version", "2024.1", "--json").Json;

        Assert.Equal(1, import.GetProperty("quarantined").GetArrayLength());
        var tainted = import.GetProperty("tainted");
        Assert.Equal((1, 1, 1), (tainted.GetProperty("snapshots").GetInt32(), tainted.GetProperty("runs").GetInt32(), tainted.GetProperty("checkpoints").GetInt32()));
        Assert.Equal(3, cli.Ok("images", "list", "--json").Json.GetProperty("total").GetInt32());
        Assert.Equal(0, cli.Ok("images", "list", "source:in " + badId, "--json").Json.GetProperty("total").GetInt32());
        Assert.Equal(3, cli.Ok("images", "list", "snapshot:before", "--json").Json.GetProperty("total").GetInt32());
        var show = cli.Run("images", "show", badId.ToString());
        Assert.Equal(1, show.Code);
        Assert.Contains("no image matches", show.Error);
        Assert.Equal(3, cli.Ok("report", "--json").Json.GetProperty("report").GetProperty("images").GetInt32());
        Assert.Equal(3, cli.Ok("dataset", "create", "after", "--json").Json.GetProperty("imageCount").GetInt32());
        Assert.False(File.Exists(Path.Combine(cli.Directory, ".atelier", "blobs", Sha256(bad)[..2], Sha256(bad))));
        Assert.False(File.Exists(thumbnail));
        Assert.False(Directory.Exists(exports));
        using (var ws = Workspace.Open(cli.Directory))
        {
            Assert.Single(ws.Catalog.TaintsOf(TaintKind.Checkpoint, checkpointId));
            Assert.Single(ws.Catalog.FindAudit("image", badId.ToString(), "quarantine", null, null, 10));
        }

        var listed = cli.Ok("quarantine", "list").Out;
        Assert.Contains($"sha256 {Sha256(bad)[..16]}  vendor 2024.1 (sha256, exact)  image {badId}", listed);
        var json = cli.Ok("quarantine", "list", "--json").Out;
        Assert.DoesNotContain(Sha256(bad), json); // a prefix only, and nothing that leads to the sealed bytes
        Assert.DoesNotContain("sealed", json, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("vendor", cli.Ok("blocklist", "list").Out);
    }

    [Fact]
    public void APdqListStopsAReEncodedCopyAtIngest()
    {
        using var cli = new CliRunner();
        cli.Ok("init");
        var picture = SyntheticImages.Pattern(256, 256, 7);
        var decoded = ImageDecoder.Decode(ImageEncoder.EncodePng(picture));
        var pdq = PdqHasher.HashRgba(decoded.Pixels, decoded.Width, decoded.Height);
        Write(cli, "pdq.txt", pdq.Hash + "\n");
        cli.Ok("blocklist", "import", "pdq.txt", "--kind", "pdq", "--name", "pdq-list", "--version", "1");
        Write(cli, "in/copy.jpg", ImageEncoder.EncodeJpeg(picture, 60));

        var text = cli.Ok("ingest", "in").Out;

        Assert.Contains("quarantined        1", text);
        Assert.Contains("added              0", text);
        Assert.Contains("stopped at ingest", cli.Ok("quarantine", "list").Out);
        Assert.Equal(0, cli.Ok("images", "list", "--json").Json.GetProperty("total").GetInt32());
    }

    [Fact]
    public void SignedListsAreCheckedAndBadInputIsRefusedOnOneLine()
    {
        using var cli = new CliRunner();
        cli.Ok("init");
        var content = "098f6bcd4621d373cade4e832627b4f6\n";
        Write(cli, "list.txt", content);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        Write(cli, "key.pem", key.ExportSubjectPublicKeyInfoPem());
        Write(cli, "list.sig", Convert.ToBase64String(key.SignData(System.Text.Encoding.UTF8.GetBytes(content), HashAlgorithmName.SHA256)));
        Write(cli, "other.sig", key.SignData("something else"u8.ToArray(), HashAlgorithmName.SHA256));
        Write(cli, "bad.txt", "098f6bcd4621d373cade4e832627b4f6\n\n098f6bcd4621d373cade4e832627b4fZ\n");
        Write(cli, "short.txt", "098f6bcd\n");

        void Refused(string expected, params string[] args)
        {
            var r = cli.Run(["blocklist", "import", .. args]);
            Assert.Equal(1, r.Code);
            Assert.Contains(expected, r.Error);
            Assert.Single(r.Error.TrimEnd().Split('\n'));
        }
        Refused("line 3: '098f6bcd4621d373cade4e83...' is not hex", "bad.txt", "--kind", "md5", "--name", "l", "--version", "1");
        Refused("has 8 hex digits; MD5 hashes have 32", "short.txt", "--kind", "md5", "--name", "l", "--version", "1");
        Refused("does not match the blocklist file", "list.txt", "--kind", "md5", "--name", "l", "--version", "1", "--signature", "other.sig", "--public-key", "key.pem");
        Refused("a public key was given but no signature", "list.txt", "--kind", "md5", "--name", "l", "--version", "1", "--public-key", "key.pem");
        Assert.Contains("no blocklists", cli.Ok("blocklist", "list").Out);

        var signed = cli.Ok("blocklist", "import", "list.txt", "--kind", "md5", "--name", "l", "--version", "1", "--signature", "list.sig", "--public-key", "key.pem").Out;
        Assert.Contains("signed by ecdsa-p256:", signed);
        Refused("already imported", "list.txt", "--kind", "md5", "--name", "l", "--version", "1");
    }

    [Fact]
    public void OnlyAdminsImportAndOnlyReviewersAndAdminsSeeTheQuarantine()
    {
        using var cli = new CliRunner();
        cli.Ok("init");
        string reviewer, viewer;
        using (var ws = Workspace.Open(cli.Directory))
        {
            var users = GovernanceSession.Open(ws, _ => null).Users;
            (_, reviewer) = users.Add("rev", Role.Reviewer);
            (_, viewer) = users.Add("vic", Role.Viewer);
        }
        Write(cli, "list.txt", "098f6bcd4621d373cade4e832627b4f6\n");

        var import = cli.Run("blocklist", "import", "list.txt", "--kind", "md5", "--name", "l", "--version", "1", "--as", "rev", "--token", reviewer);
        Assert.Equal(1, import.Code);
        Assert.Contains("may not import blocklists", import.Error);
        var list = cli.Run("quarantine", "list", "--as", "vic", "--token", viewer);
        Assert.Equal(1, list.Code);
        Assert.Contains("may not list quarantined files", list.Error);
        cli.Ok("quarantine", "list", "--as", "rev", "--token", reviewer);
    }
}
