using Atelier.Datasets;
using Atelier.TestSupport;

namespace Atelier.Cli.Tests;

/// <summary>The README's main job through the real CLI: ingest, curate, tag, rate, snapshot, export.</summary>
public class MainJobTests
{
    [Fact]
    public void EmojiSampleFromIngestToExportedShards()
    {
        using var cli = new CliRunner();
        cli.Ok("init");
        var ingest = cli.Ok("ingest", Repo.EmojiSample, "--metadata", "emoji.json", "--license", "Apache-2.0",
            "--map", "tags:short_names=general", "--map", "tags:category=category", "--json").Json;
        Assert.Equal(383, ingest.GetProperty("added").GetInt32());

        var curate = cli.Ok("curate", "--json").Json;
        var nearDuplicates = curate.GetProperty("flagged").GetProperty("near-duplicate").GetInt32();
        Assert.Equal(nearDuplicates, cli.Ok("exclude", "flag:near-duplicate", "--reason", "dup", "--json").Json.GetProperty("changed").GetInt32());

        Assert.Equal(2, cli.Ok("tag", "add", "tag:grinning,hash", "style:flat", "--json").Json.GetProperty("changed").GetInt32());
        Assert.Equal(34, cli.Ok("rate", "tag:smileys_&_emotion", "sensitive", "--json").Json.GetProperty("changed").GetInt32());
        var show = cli.Ok("images", "show", "tag:grinning", "--json").Json.GetProperty("images")[0];
        Assert.Equal("sensitive", show.GetProperty("rating").GetString());
        Assert.Contains(show.GetProperty("tags").EnumerateArray(), t => t.GetProperty("name").GetString() == "flat" && t.GetProperty("category").GetString() == "style");
        Assert.Equal(64, show.GetProperty("pdq").GetString()!.Length);

        var created = cli.Ok("dataset", "create", "smileys", "--where", "tag:smileys_&_emotion", "--json").Json;
        var count = created.GetProperty("imageCount").GetInt32();
        Assert.InRange(count, 30, 34);
        Assert.Equal(1, cli.Run("dataset", "create", "smileys").Code);

        var outDir = Path.Combine(cli.Directory, "shards");
        cli.Ok("dataset", "export", "smileys", "--resolution", "32", "--format", "shards", "--out", outDir);
        using var shards = ShardSet.Open(outDir, verifyHashes: true);
        Assert.Equal(count, shards.Count);
        Assert.Equal(32 * 32 * 3, shards.GetImage(0).Length);

        var sidecars = Path.Combine(cli.Directory, "sidecars");
        cli.Ok("tag", "export", "tag:grinning", "--out", sidecars, "--images");
        var caption = File.ReadAllText(Directory.GetFiles(sidecars, "*.txt").Single());
        Assert.StartsWith("rating:sensitive, ", caption);
        Assert.Contains("grinning", caption);
        Assert.Single(Directory.GetFiles(sidecars, "*.png"));

        // Round trip: the exported folder ingested into another workspace keeps the rating and the tags.
        using var other = new CliRunner();
        other.Ok("init");
        other.Ok("ingest", sidecars, "--license", "Apache-2.0");
        var again = other.Ok("images", "show", "1", "--json").Json.GetProperty("images")[0];
        Assert.Equal("sensitive", again.GetProperty("rating").GetString());
        var names = again.GetProperty("tags").EnumerateArray().Select(t => t.GetProperty("name").GetString()).ToList();
        Assert.Contains("grinning", names);
        Assert.DoesNotContain(names, n => n!.StartsWith("rating", StringComparison.Ordinal));

        var report = cli.Ok("report", "--json").Json.GetProperty("report");
        Assert.Equal(383, report.GetProperty("images").GetInt32());
        Assert.Equal(34, report.GetProperty("byRating").GetProperty("sensitive").GetInt32());
    }

    [Fact]
    public void ExportingAnUnknownDatasetOrAnEmptySelectionIsRefused()
    {
        using var cli = new CliRunner();
        cli.Ok("init");
        var unknown = cli.Run("dataset", "export", "nope", "--resolution", "32", "--out", Path.Combine(cli.Directory, "o"));
        Assert.Equal(1, unknown.Code);
        Assert.Contains("no dataset named 'nope'", unknown.Error);
        var empty = cli.Run("dataset", "create", "empty");
        Assert.Equal(1, empty.Code);
        Assert.Contains("no images match", empty.Error);
    }
}
