using Atelier.Catalog;
using Atelier.Ingest.Metadata;
using Atelier.Ingest.Pipeline;
using Atelier.TestSupport;

namespace Atelier.Ingest.Tests.Pipeline;

/// <summary>The ingest summary and the catalog account for every file: skipped ones by extension, and what each manifest matched.</summary>
public sealed class SkipAndManifestIngestTests
{
    private static Task<IngestSummary> Ingest(TempWorkspace ws, IngestRequest request) =>
        new Ingestion(ws.Workspace).RunAsync(request, null, TestContext.Current.CancellationToken);

    [Fact]
    public async Task Skipped_files_are_counted_by_extension_stored_and_taken_once_readable()
    {
        using var ws = new TempWorkspace();
        using var dir = new TempDir();
        dir.Write("a.png", SyntheticImages.Png(32, 32, 1));
        dir.Write("one.sng", "#SNG"u8.ToArray());
        dir.Write("two.sng", "#SNG"u8.ToArray());
        dir.Write("README", "hello");
        var request = new IngestRequest { Sources = [dir.Path], Workers = 1 };

        var first = await Ingest(ws, request);

        Assert.Equal((1, 0, 3), (first.Added, first.Rejected, first.Skipped));
        Assert.Equal([new SkippedCount(".sng", RejectionCodes.UnsupportedFile, 2), new SkippedCount("(none)", RejectionCodes.UnsupportedFile, 1)],
            first.SkippedByExtension);
        Assert.Equal([new SkippedGroup(".sng", RejectionCodes.UnsupportedFile, 2), new SkippedGroup("(none)", RejectionCodes.UnsupportedFile, 1)],
            ws.Catalog.Report().SkippedByExtension);
        var stored = ws.Catalog.SkippedFiles();
        Assert.Equal(3, stored.Count);
        Assert.All(stored, s => Assert.Equal(first.IngestId, s.IngestId));
        Assert.Contains(stored, s => s.Origin == "folder:" + dir.Path + "/one.sng" && s.Message.Contains(".sng"));

        // Skips are not marked done: the next run looks again, and a file that has become readable comes in and loses its skip.
        dir.Write("one.sng", SyntheticImages.Png(32, 32, 2));
        var second = await Ingest(ws, request);
        Assert.Equal((1, 1, 2), (second.Added, second.AlreadyDone, second.Skipped));
        Assert.Equal(2, ws.Catalog.SkippedFiles().Count);
        Assert.DoesNotContain(ws.Catalog.SkippedFiles(), s => s.Origin.EndsWith("/one.sng", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_folder_of_two_archives_ingests_their_images()
    {
        using var ws = new TempWorkspace();
        using var dir = new TempDir();
        foreach (var (name, seed) in new[] { ("a.zip", 1), ("b.zip", 3) })
        {
            using var zip = System.IO.Compression.ZipFile.Open(Path.Combine(dir.Path, name), System.IO.Compression.ZipArchiveMode.Create);
            for (var i = 0; i < 2; i++)
            {
                using var s = zip.CreateEntry($"img{i}.png").Open();
                s.Write(SyntheticImages.Png(32, 32, seed + i));
            }
        }
        var summary = await Ingest(ws, new IngestRequest { Sources = [dir.Path], SourceName = "pair", Workers = 1 });
        Assert.Equal((4, 0, 0), (summary.Added, summary.Rejected, summary.Skipped));
        var origins = ws.Catalog.GetDetails(1)!.Provenance.Select(p => p.Origin).ToList();
        Assert.Equal(["zip:" + Path.Combine(dir.Path, "a.zip") + "!img0.png"], origins);
    }

    [Fact]
    public async Task A_manifest_outside_the_folder_is_found_and_its_use_reported()
    {
        using var ws = new TempWorkspace();
        using var dir = new TempDir();
        using var elsewhere = new TempDir();
        dir.Write("a.png", SyntheticImages.Png(32, 32, 1));
        dir.Write("sub/b.png", SyntheticImages.Png(32, 32, 2));
        dir.Write("c.png", SyntheticImages.Png(32, 32, 3));
        var manifest = elsewhere.Write("labels.jsonl",
            "{\"file_name\":\"a.png\",\"tags\":\"alpha\",\"rating\":\"g\"}\n{\"file_name\":\"sub/b.png\",\"tags\":\"beta\"}\n{\"file_name\":\"gone.png\",\"tags\":\"x\"}\n{\"file_name\":\"gone2.png\"}\n");

        var summary = await Ingest(ws, new IngestRequest { Sources = [dir.Path], ManifestPath = manifest, Workers = 1 });

        Assert.Equal(3, summary.Added);
        var usage = Assert.Single(summary.Manifests);
        Assert.Equal(new ManifestUsage(manifest, Rows: 4, MatchedFiles: 2, UnmatchedRows: 2, BadRows: 0), usage);
        Assert.Single(ws.Catalog.SelectIds(Selector.Parse("tag:alpha rating:general")));
        Assert.Single(ws.Catalog.SelectIds(Selector.Parse("tag:beta")));
        Assert.Equal(0, summary.Skipped);
    }

    [Fact]
    public async Task A_manifest_inside_the_folder_named_by_path_is_metadata_not_a_skipped_file()
    {
        using var ws = new TempWorkspace();
        using var dir = new TempDir();
        dir.Write("a.png", SyntheticImages.Png(32, 32, 1));
        var manifest = dir.Write("tags/list.csv", "file_name,tags\na.png,\"one, two\"\n");
        var summary = await Ingest(ws, new IngestRequest { Sources = [dir.Path], ManifestPath = manifest, Workers = 1 });
        Assert.Equal((1, 0), (summary.Added, summary.Skipped));
        Assert.Equal(new ManifestUsage(manifest, 1, 1, 0, 0), Assert.Single(summary.Manifests));
        Assert.Single(ws.Catalog.SelectIds(Selector.Parse("tag:two")));
    }

    [Fact]
    public async Task A_manifest_in_the_source_root_is_reported_too()
    {
        using var ws = new TempWorkspace();
        var summary = await Ingest(ws, new IngestRequest
        {
            Sources = [Repo.EmojiSample], ManifestFileName = "emoji.json", Workers = 1,
            Mapping = MetadataMapping.Parse(["tags:category=category"]),
        });
        var usage = Assert.Single(summary.Manifests);
        Assert.Equal("folder:" + Repo.EmojiSample + "/emoji.json", usage.Manifest);
        Assert.Equal(383, usage.MatchedFiles);
        Assert.True(usage.Rows >= 383);
        Assert.Equal(usage.Rows - 383, usage.UnmatchedRows);
        Assert.Equal(2, summary.Skipped); // README.md and the licence text
    }

    [Fact]
    public async Task A_bad_row_in_an_outside_manifest_keeps_files_without_a_row_out()
    {
        using var ws = new TempWorkspace();
        using var dir = new TempDir();
        using var elsewhere = new TempDir();
        dir.Write("a.png", SyntheticImages.Png(32, 32, 1));
        dir.Write("b.png", SyntheticImages.Png(32, 32, 2));
        var manifest = elsewhere.Write("m.jsonl", "{\"file_name\":\"a.png\",\"tags\":\"alpha\"}\n{not json\n");
        var summary = await Ingest(ws, new IngestRequest { Sources = [dir.Path], ManifestPath = manifest, Workers = 1 });
        Assert.Equal(1, summary.Added);
        Assert.Equal(1, summary.RejectedByReason[RejectionCodes.BadManifest]);
        Assert.Equal(1, summary.RejectedByReason[RejectionCodes.UnreadableMetadata]);
        Assert.Equal(1, Assert.Single(summary.Manifests).BadRows);
        Assert.Contains(ws.Catalog.Rejections(), r => r.Origin == manifest + "#2");
    }

    [Fact]
    public async Task An_unreadable_outside_manifest_stops_the_ingest_before_anything_comes_in()
    {
        using var ws = new TempWorkspace();
        using var dir = new TempDir();
        using var elsewhere = new TempDir();
        dir.Write("a.png", SyntheticImages.Png(32, 32, 1));
        var manifest = elsewhere.Write("m.json", "{\"not\": \"an array\"}");
        var e = await Assert.ThrowsAsync<AtelierException>(() => Ingest(ws, new IngestRequest { Sources = [dir.Path], ManifestPath = manifest }));
        Assert.Equal(RejectionCodes.BadManifest, e.Code);
        Assert.Contains(manifest, e.Message);
        Assert.Equal(0, ws.Catalog.ImageCount);
    }

    [Fact]
    public async Task A_manifest_name_no_source_root_holds_is_said_in_the_summary()
    {
        using var ws = new TempWorkspace();
        using var dir = new TempDir();
        var zip = Path.Combine(dir.Path, "set.zip");
        using (var archive = System.IO.Compression.ZipFile.Open(zip, System.IO.Compression.ZipArchiveMode.Create))
        using (var s = archive.CreateEntry("a.png").Open())
            s.Write(SyntheticImages.Png(32, 32, 1));
        var summary = await Ingest(ws, new IngestRequest { Sources = [zip], ManifestFileName = "emoji.json", Workers = 1 });
        Assert.Equal(1, summary.Added);
        Assert.Empty(summary.Manifests);
        Assert.Equal("emoji.json", summary.ManifestNotFound);
        var found = await Ingest(ws, new IngestRequest { Sources = [Repo.EmojiSample], ManifestFileName = "EMOJI.json", Workers = 1 });
        Assert.Null(found.ManifestNotFound);
    }
}
