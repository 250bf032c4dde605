using System.Text.Json;
using Atelier.Hashing;
using Atelier.Imaging;
using Microsoft.Data.Sqlite;

namespace Atelier.Cli.Tests;

/// <summary>
/// <c>curate</c> recomputes the PDQ hashes an older pipeline stored (marked <c>pdq_pipeline = 1</c>) from the blobs, so they
/// become what ingest stores now, and a blocklist that the old hash missed now catches its image through quarantine.
/// </summary>
public class PdqRehashCommandTests
{
    private static string Fixtures => Path.Combine(AppContext.BaseDirectory, "Fixtures", "pdq");

    // Oriented camera JPEGs (the old pipeline applied the orientation) and pictures over 512 px.
    private static string[] Files() =>
        [.. Directory.GetFiles(Path.Combine(Fixtures, "exif-rotn"), "*.jpg"), Path.Combine(Fixtures, "large", "p004.jpg"),
            Path.Combine(Fixtures, "large", "p149.jpg"), Path.Combine(Fixtures, "images", "aaa-orig.jpg")];

    private static Dictionary<string, (string? Pdq, string? Displayed, int Quality)> Hashes(CliRunner cli, string? workspace = null) =>
        cli.Ok(workspace is null ? ["images", "show", "all", "--json"] : ["images", "show", "all", "--json", "--workspace", workspace])
            .Json.GetProperty("images").EnumerateArray().ToDictionary(
                i => i.GetProperty("provenance")[0].GetProperty("fileName").GetString()!,
                i => (i.GetProperty("pdq").GetString(),
                      i.TryGetProperty("pdqDisplayed", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null,
                      i.GetProperty("pdqQuality").GetInt32()));

    /// <summary>
    /// Writes what the pipeline before this one stored: the hash of the image as displayed (orientation applied), no
    /// displayed hash, pipeline 1.
    /// </summary>
    private static void MarkOld(string workspace, IEnumerable<string> files)
    {
        using var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(workspace, ".atelier", "catalog.db"), Pooling = false }.ToString());
        db.Open();
        foreach (var file in files)
        {
            var bytes = File.ReadAllBytes(file);
            var shown = ImageDecoder.Decode(bytes);
            using var cmd = db.CreateCommand();
            cmd.CommandText = "UPDATE images SET pdq = $p, pdq_displayed = NULL, pdq_pipeline = 1 WHERE sha256 = $s";
            cmd.Parameters.AddWithValue("$p", PdqHasher.HashRgba(shown.Pixels, shown.Width, shown.Height).Hash.ToBytes());
            cmd.Parameters.AddWithValue("$s", Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)));
            Assert.Equal(1, cmd.ExecuteNonQuery());
        }
    }

    private static void CopyInto(string folder, IEnumerable<string> files)
    {
        Directory.CreateDirectory(folder);
        foreach (var file in files) File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
    }

    [Fact]
    public void CurateReHashesOldHashesToWhatIngestStoresNowAndQuarantinesWhatTheyMissed()
    {
        using var cli = new CliRunner();
        cli.Ok("init");
        CopyInto(Path.Combine(cli.Directory, "in"), Files());
        cli.Ok("ingest", "in", "--license", "BSD-3-Clause");
        var now = Hashes(cli);
        MarkOld(cli.Directory, Files());
        var old = Hashes(cli);
        // The old hashes of the turned files are far from the reference's: that is what re-hashing has to fix.
        Assert.NotEqual(now["exif-rotn-3.jpg"].Pdq, old["exif-rotn-3.jpg"].Pdq);
        Assert.All(old.Values, h => Assert.Null(h.Displayed));

        // A hash-sharing list holding the C++ reference's hash of exif-rotn-3 misses the old hash...
        var listed = File.ReadLines(Path.Combine(Fixtures, "exif-rotn", "reference-hashes-cpp.txt")).Single(l => l.EndsWith("exif-rotn-3.jpg", StringComparison.Ordinal)).Split(',')[0];
        File.WriteAllText(Path.Combine(cli.Directory, "list.txt"), listed + "\n");
        var import = cli.Ok("blocklist", "import", "list.txt", "--kind", "pdq", "--name", "shared", "--version", "1", "--json").Json;
        Assert.Equal(0, import.GetProperty("quarantined").GetArrayLength());

        var curate = cli.Ok("curate", "--json").Json;

        // ...and catches it once curate has re-hashed every old hash from its blob.
        Assert.Equal(Files().Length, curate.GetProperty("pdqRehashed").GetInt32());
        Assert.Equal(0, curate.GetProperty("pdqUnreadable").GetInt32());
        Assert.Equal(1, curate.GetProperty("quarantined").GetInt32());
        var stopped = cli.Ok("quarantine", "list", "--json").Json.GetProperty("quarantine").EnumerateArray().Single();
        Assert.EndsWith("exif-rotn-3.jpg", stopped.GetProperty("origin").GetString());
        Assert.Equal(0, stopped.GetProperty("distance").GetInt32());
        var after = Hashes(cli);
        Assert.Equal(now.Keys.Where(k => k != "exif-rotn-3.jpg").Order(), after.Keys.Order());
        foreach (var (name, hash) in after) Assert.Equal(now[name], hash);
        cli.Ok("audit", "verify");

        // Nothing old is left: a second curate re-hashes nothing and says nothing about it.
        var again = cli.Ok("curate");
        Assert.DoesNotContain("Re-hashed", again.Out);
        Assert.Equal(0, cli.Ok("curate", "--json").Json.GetProperty("pdqRehashed").GetInt32());
    }

    [Fact]
    public void ReHashingSaysWhichHashesItCouldNotRecompute()
    {
        using var cli = new CliRunner();
        cli.Ok("init");
        CopyInto(Path.Combine(cli.Directory, "in"), Files());
        cli.Ok("ingest", "in", "--license", "BSD-3-Clause");
        MarkOld(cli.Directory, Files());
        // A damaged store: one original gone.
        var gone = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Files()[0])));
        File.Delete(Path.Combine(cli.Directory, ".atelier", "blobs", gone[..2], gone));

        var text = cli.Ok("curate").Out;

        Assert.Contains($"Re-hashed {Files().Length - 1} images whose PDQ hash an older pipeline computed (1 kept their old hash: blob missing or unreadable)", text);
    }

    [Fact]
    public async Task TwoCuratesAndAnIngestAtOnceReHashEachImageOnce()
    {
        var ct = TestContext.Current.CancellationToken;
        using var cli = new CliRunner();
        var ws = cli.Directory;
        cli.Ok("init");
        CopyInto(Path.Combine(ws, "in"), Files());
        cli.Ok("ingest", "in", "--license", "BSD-3-Clause");
        var now = Hashes(cli);
        MarkOld(ws, Files());
        CopyInto(Path.Combine(ws, "more"), Directory.GetFiles(Path.Combine(Fixtures, "images"), "q*.jpg"));

        var runs = await Task.WhenAll(
            AtelierProcess.RunAsync(["curate", "--json", "--workspace", ws], ct),
            AtelierProcess.RunAsync(["curate", "--json", "--workspace", ws], ct),
            AtelierProcess.RunAsync(["ingest", Path.Combine(ws, "more"), "--license", "BSD-3-Clause", "--json", "--workspace", ws], ct));

        Assert.All(runs, r => Assert.True(r.Code == 0, r.Error));
        var rehashed = runs[..2].Sum(r => JsonDocument.Parse(r.Out).RootElement.GetProperty("pdqRehashed").GetInt32());
        Assert.Equal(Files().Length, rehashed);
        var after = Hashes(cli);
        foreach (var (name, hash) in now) Assert.Equal(hash, after[name]);
        cli.Ok("audit", "verify");
    }
}
