using System.IO.Compression;
using Atelier.TestSupport;

namespace Atelier.Cli.Tests;

/// <summary>atelier ingest and report account for every file: images, rejections, skipped files by extension, manifest use.</summary>
public sealed class IngestCommandTests
{
    private static void Write(CliRunner cli, string relative, byte[] content)
    {
        var path = Path.Combine(cli.Directory, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
    }

    [Fact]
    public void Mixed_folder_with_an_archive_and_a_manifest_elsewhere_is_accounted_for_in_the_summary_and_the_report()
    {
        using var cli = new CliRunner();
        cli.Ok("init");
        Write(cli, "in/a.png", SyntheticImages.Png(40, 40, 1));
        Write(cli, "in/broken.png", "not a png"u8.ToArray());
        Write(cli, "in/tune.sng", "#SNG"u8.ToArray());
        Write(cli, "in/README", "read me"u8.ToArray());
        using (var zip = ZipFile.Open(Path.Combine(cli.Directory, "in", "more.zip"), ZipArchiveMode.Create))
            foreach (var (name, seed) in new[] { ("b.png", 2), ("c.png", 3) })
            {
                using var s = zip.CreateEntry(name).Open();
                s.Write(SyntheticImages.Png(40, 40, seed));
            }
        Write(cli, "labels/tags.csv", "file_name,tags\na.png,alpha\nb.png,beta\nnowhere.png,gamma\n"u8.ToArray());

        var text = cli.Ok("ingest", "in", "--metadata", "labels/tags.csv", "--license", "MIT");
        Assert.Contains("added              3", text.Out);
        Assert.Contains("rejected           1", text.Out);
        Assert.Contains("skipped            2 (not images this Atelier reads)", text.Out);
        Assert.Contains("1  .sng       unsupported-file", text.Out);
        Assert.Contains("1  (none)     unsupported-file", text.Out);
        Assert.Contains($"manifest {Path.Combine(cli.Directory, "labels", "tags.csv")}: matched 2 files, 1 of its 3 rows matched nothing", text.Out);
        Assert.Single(cli.Ok("images", "list", "tag:beta", "--json").Json.GetProperty("images").EnumerateArray());

        var report = cli.Ok("report");
        Assert.Contains("skipped (not images this Atelier reads), by extension", report.Out);
        Assert.Contains("tune.sng: not an image this Atelier reads (.sng", report.Out);
        var json = cli.Ok("report", "--json").Json;
        var groups = json.GetProperty("report").GetProperty("skippedByExtension").EnumerateArray()
            .Select(g => (g.GetProperty("extension").GetString(), g.GetProperty("reason").GetString(), g.GetProperty("files").GetInt64())).ToList();
        Assert.Equal([("(none)", "unsupported-file", 1L), (".sng", "unsupported-file", 1L)], groups.Order());
        Assert.Equal(2, json.GetProperty("skipped").GetArrayLength());

        // Run again: nothing new, the skipped files are counted again, and the JSON summary says the same.
        var again = cli.Ok("ingest", "in", "--metadata", "labels/tags.csv", "--license", "MIT", "--json").Json;
        Assert.Equal(0, again.GetProperty("added").GetInt32());
        Assert.Equal(2, again.GetProperty("skipped").GetInt32());
        Assert.Equal(2, again.GetProperty("skippedByExtension").GetArrayLength());
        Assert.Equal(3, again.GetProperty("manifests")[0].GetProperty("rows").GetInt32());
    }

    [Fact]
    public void A_manifest_that_is_nowhere_is_refused_before_anything_is_ingested()
    {
        using var cli = new CliRunner();
        cli.Ok("init");
        Write(cli, "in/a.png", SyntheticImages.Png(40, 40, 1));
        foreach (var name in new[] { "emoji.json", "labels/none.csv" })
        {
            var r = cli.Run("ingest", "in", "--metadata", name);
            Assert.Equal(1, r.Code);
            Assert.StartsWith($"atelier: --metadata {name}: no such file", r.Error);
            Assert.Single(r.Error.Trim().Split('\n'));
        }
        Assert.Equal(0, cli.Ok("images", "list", "--json").Json.GetProperty("total").GetInt32());
        // A bare name that the source folder holds in its root is that folder's own manifest, as before.
        Write(cli, "in/emoji.json", """[{"image": "a.png", "short_names": ["alpha"]}]"""u8.ToArray());
        var ok = cli.Ok("ingest", "in", "--metadata", "emoji.json", "--map", "tags:short_names=general", "--json").Json;
        Assert.Equal(1, ok.GetProperty("added").GetInt32());
        Assert.Equal(0, ok.GetProperty("skipped").GetInt32());
        Assert.Equal(1, ok.GetProperty("manifests")[0].GetProperty("matchedFiles").GetInt32());
    }
}
