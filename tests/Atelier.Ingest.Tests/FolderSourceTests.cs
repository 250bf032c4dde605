using Atelier.TestSupport;
using Atelier.Ingest.Metadata;
using Atelier.Ingest.Sources;

namespace Atelier.Ingest.Tests;

public sealed class FolderSourceTests
{
    [Fact]
    public async Task Recurses_in_order_skips_hidden_and_reads_sidecars_and_manifest()
    {
        using var dir = new TempDir();
        var png = Repo.Png();
        dir.Write("b/z.png", png);
        dir.Write("a.png", png);
        dir.Write("a.txt", "Long Hair, blue eyes,  smile , \\(artist\\)");
        dir.Write("b/c.jpg", Repo.Png("1f605.png"));
        dir.Write("b/c.jpg.json", """{"rating":"Sensitive","tags":["Cat","cat"],"license":"CC0-1.0","captured_at":"2024-05-01T10:00:00Z"}""");
        dir.Write("m.png", png);
        dir.Write("metadata.jsonl", "{\"file_name\":\"m.png\",\"tags\":\"sky, Sea\",\"source_url\":\"https://example.org/m\"}\n");
        dir.Write(".hidden.png", png);
        dir.Write(".git/x.png", png);
        dir.Write("README.md", "not an image");

        var outcomes = await Outcomes.ReadAll(SourceResolver.Open(dir.Path));
        var items = outcomes.Items();

        Assert.Equal(["a.png", "b/c.jpg", "b/z.png", "m.png"], items.Select(i => i.Origin[(("folder:" + dir.Path).Length + 1)..]));
        Assert.All(items, i => Assert.StartsWith("folder:/", i.Origin));
        Assert.Equal(png, items[0].Content);

        var a = items[0].Metadata!;
        Assert.Equal(["long_hair", "blue_eyes", "smile", "(artist)"], a.Tags.Select(t => t.Name));
        Assert.All(a.Tags, t => Assert.Equal("general", t.Category));
        Assert.Contains("sidecar_txt", a.Raw);

        var c = items[1].Metadata!;
        Assert.Equal("sensitive", c.Rating);
        Assert.Equal("CC0-1.0", c.License);
        Assert.Equal(new DateTimeOffset(2024, 5, 1, 10, 0, 0, TimeSpan.Zero), c.CapturedAt);
        Assert.Equal([new ItemTag("cat", "general")], c.Tags);

        Assert.Null(items[2].Metadata);
        var m = items[3].Metadata!;
        Assert.Equal(["sky", "sea"], m.Tags.Select(t => t.Name));
        Assert.Equal("https://example.org/m", m.SourceUrl);
        Assert.Empty(outcomes.Rejections());
        Assert.Equal([".git", ".hidden.png", "README.md"],
            outcomes.OfType<IngestSkip>().Select(k => k.Origin[(("folder:" + dir.Path).Length + 1)..]));
    }

    [Fact]
    public async Task Size_cap_rejects_one_file_and_the_rest_continue()
    {
        using var dir = new TempDir();
        dir.Write("big.png", new byte[6000]);
        dir.Write("small.png", Repo.Png());
        var outcomes = await Outcomes.ReadAll(new FolderSource(dir.Path, new SourceOptions { MaxFileBytes = 5000 }));
        Assert.Equal(RejectionCodes.FileTooLarge, Assert.Single(outcomes.Rejections()).Code);
        Assert.Equal("small.png", Assert.Single(outcomes.Items()).FileName);
    }

    [Fact]
    public async Task Symlinks_leaving_the_folder_are_rejected_inside_ones_followed()
    {
        using var outside = new TempDir();
        using var dir = new TempDir();
        var secret = outside.Write("secret.png", Repo.Png());
        var inner = dir.Write("real.png", Repo.Png());
        File.CreateSymbolicLink(Path.Combine(dir.Path, "escape.png"), secret);
        Directory.CreateSymbolicLink(Path.Combine(dir.Path, "escapedir"), outside.Path);
        File.CreateSymbolicLink(Path.Combine(dir.Path, "alias.png"), inner);

        var outcomes = await Outcomes.ReadAll(new FolderSource(dir.Path, new SourceOptions()));

        Assert.Equal(["alias.png", "real.png"], outcomes.Items().Select(i => i.FileName));
        var rejected = outcomes.Rejections();
        Assert.Equal(2, rejected.Count);
        Assert.All(rejected, r => Assert.Equal(RejectionCodes.LinkEscapesFolder, r.Code));
        Assert.Contains(rejected, r => r.Origin.EndsWith("/escape.png", StringComparison.Ordinal));
        Assert.Contains(rejected, r => r.Origin.EndsWith("/escapedir", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Skip_predicate_leaves_done_files_unread()
    {
        using var dir = new TempDir();
        dir.Write("a.png", Repo.Png());
        dir.Write("b.png", Repo.Png());
        var seen = new List<string>();
        var options = new SourceOptions { Skip = o => { seen.Add(o); return o.EndsWith("/a.png", StringComparison.Ordinal); } };
        var outcomes = await Outcomes.ReadAll(SourceResolver.Open(dir.Path, options));
        Assert.Equal("b.png", Assert.Single(outcomes).As<IngestItem>().FileName);
        Assert.Equal(2, seen.Count);
    }

    [Fact]
    public async Task A_file_no_image_format_reads_is_skipped_even_with_a_sidecar_and_a_manifest_row()
    {
        using var dir = new TempDir();
        dir.Write("a.raw", [1, 2, 3]);
        dir.Write("a.txt", "tag one");
        dir.Write("metadata.csv", "file_name,tags\na.raw,\"x, y\"\n");
        dir.Write("notes.md", "not an image");
        var outcomes = await Outcomes.ReadAll(new FolderSource(dir.Path, new SourceOptions()));
        Assert.Empty(outcomes.Items());
        Assert.Empty(outcomes.Rejections());
        var prefix = "folder:" + dir.Path + "/";
        Assert.Equal([prefix + "a.raw", prefix + "a.txt", prefix + "notes.md"], outcomes.OfType<IngestSkip>().Select(s => s.Origin));
        Assert.All(outcomes.OfType<IngestSkip>(), s => Assert.Equal(RejectionCodes.UnsupportedFile, s.Code));
    }

    [Fact]
    public async Task Emoji_sample_manifest_maps_fields_to_tag_categories()
    {
        var mapping = MetadataMapping.Parse(["file=image", "tags:short_names=general", "tags:category=category", "tags:subcategory=subcategory"]);
        var options = new SourceOptions { ManifestFileName = "emoji.json", Mapping = mapping };

        var outcomes = await Outcomes.ReadAll(SourceResolver.Open(Repo.EmojiSample, options));

        Assert.Empty(outcomes.Rejections());
        var items = outcomes.Items();
        Assert.Equal(383, items.Count);
        // README.md and the licence .txt are not images: counted as skipped, not passed over.
        Assert.Equal(["LICENSE-emoji-datasource.txt", "README.md"], outcomes.OfType<IngestSkip>().Select(k => Path.GetFileName(k.Origin)));
        Assert.All(items, i => Assert.NotNull(i.Metadata));
        var grinning = items.Single(i => i.FileName == "1f600.png").Metadata!;
        Assert.Equal(
            [new ItemTag("grinning", "general"), new ItemTag("smileys_&_emotion", "category"), new ItemTag("face-smiling", "subcategory")],
            grinning.Tags);
        Assert.Contains("\"name\":\"GRINNING FACE\"", grinning.Raw);
    }
}

internal static class OutcomeCast
{
    public static T As<T>(this IngestOutcome o) where T : IngestOutcome => Assert.IsType<T>(o);
}
