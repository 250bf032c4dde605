using System.Formats.Tar;
using System.IO.Compression;
using Atelier.Ingest.Sources;
using Atelier.TestSupport;

namespace Atelier.Ingest.Tests;

/// <summary>Every file of a folder or archive is an item, a rejection or a counted skip: none is passed over without a word.</summary>
public sealed class SkippedFilesTests
{
    private static string Zip(TempDir dir, string relative, params (string Name, byte[] Content, int? Mode)[] entries)
    {
        var path = Path.Combine(dir.Path, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach (var (name, content, mode) in entries)
        {
            var entry = zip.CreateEntry(name, CompressionLevel.Fastest);
            if (mode is { } m) entry.ExternalAttributes = m << 16;
            using var s = entry.Open();
            s.Write(content);
        }
        return path;
    }

    private static string TarGz(TempDir dir, string relative, params (string Name, byte[] Content)[] entries)
    {
        var path = Path.Combine(dir.Path, relative);
        using var file = File.Create(path);
        using var gz = new GZipStream(file, CompressionLevel.Fastest);
        using var tar = new TarWriter(gz, TarEntryFormat.Pax);
        foreach (var (name, content) in entries)
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(content) });
        return path;
    }

    private static string Relative(string origin, string prefix) => origin[prefix.Length..];

    [Fact]
    public async Task Files_the_imaging_layer_does_not_read_are_skipped_by_extension_with_a_reason()
    {
        using var dir = new TempDir();
        dir.Write("a.png", Repo.Png());
        dir.Write("no-extension-but-a-png", Repo.Png("1f605.png")); // its first bytes say PNG: the imaging layer reads it
        dir.Write("damaged.png", "not really a png"u8.ToArray());  // its extension says image: rejected later with the reason
        dir.Write("song.sng", "#SNG\n"u8.ToArray());
        dir.Write("sub/other.sng", "#SNG\n"u8.ToArray());
        dir.Write("README", "read me");
        dir.Write("notes.txt", "no image's sidecar");
        dir.Write("a.txt", "red, round");                          // a.png's sidecar: metadata, not skipped
        dir.Write(".DS_Store", [0, 0, 0, 1]);
        dir.Write(".git/config", "[core]");

        var outcomes = await Outcomes.ReadAll(SourceResolver.Open(dir.Path));
        var prefix = "folder:" + dir.Path + "/";

        Assert.Equal(["a.png", "damaged.png", "no-extension-but-a-png"], outcomes.Items().Select(i => Relative(i.Origin, prefix)));
        Assert.Equal(["red", "round"], outcomes.Items()[0].Metadata!.Tags.Select(t => t.Name));
        var skips = outcomes.OfType<IngestSkip>().ToDictionary(s => Relative(s.Origin, prefix));
        Assert.Equal([".DS_Store", ".git", "README", "notes.txt", "song.sng", "sub/other.sng"], skips.Keys.Order(StringComparer.Ordinal));
        Assert.Equal((".sng", RejectionCodes.UnsupportedFile), (skips["song.sng"].Extension, skips["song.sng"].Code));
        Assert.Equal(("(none)", RejectionCodes.UnsupportedFile), (skips["README"].Extension, skips["README"].Code));
        Assert.Contains("no image's sidecar", skips["notes.txt"].Message);
        Assert.Equal(RejectionCodes.HiddenFile, skips[".DS_Store"].Code);
        Assert.Equal("hidden folder: not entered", skips[".git"].Message);
        Assert.Empty(outcomes.Rejections());
        // Every file is accounted for once (a.txt as a.png's metadata).
        Assert.Equal(outcomes.Count, outcomes.Select(o => o.Origin).Distinct().Count());
    }

    [Fact]
    public async Task Archives_in_a_folder_are_read_like_archive_sources_with_the_same_limits()
    {
        using var dir = new TempDir();
        var png = Repo.Png();
        dir.Write("loose.png", Repo.Png("1f605.png"));
        var one = Zip(dir, "one.zip", ("a.png", png, null), ("../evil.png", png, null), ("link.png", "/etc/passwd"u8.ToArray(), 0xA1FF),
            ("inner.zip", Array.Empty<byte>(), null), ("readme.md", "hi"u8.ToArray(), null));
        var two = Zip(dir, "deep/two.zip", ("b.png", SyntheticImages.Png(32, 32, 6), null));
        var bomb = Zip(dir, "bomb.zip", ("zeros.png", new byte[20 * 1024 * 1024], null));
        var tgz = TarGz(dir, "three.tgz", ("package/c.png", SyntheticImages.Png(32, 32, 7)), ("package/inner.tar", [1, 2, 3]));

        var outcomes = await Outcomes.ReadAll(SourceResolver.Open(dir.Path));

        // The same origins as when each archive is the SOURCE itself, so provenance and resume agree.
        string[] expected = ["folder:" + dir.Path + "/loose.png", "tar:" + tgz + "!package/c.png", "zip:" + one + "!a.png", "zip:" + two + "!b.png"];
        Assert.Equal(expected.Order(StringComparer.Ordinal), outcomes.Items().Select(i => i.Origin).Order(StringComparer.Ordinal));
        var direct = await Outcomes.ReadAll(SourceResolver.Open(one));
        Assert.Equal(direct.Select(o => o.ToString()).Order(), outcomes.Where(o => o.Origin.StartsWith("zip:" + one, StringComparison.Ordinal)).Select(o => o.ToString()).Order());

        var rejected = outcomes.Rejections().ToDictionary(r => r.Origin, r => r.Code);
        Assert.Equal(RejectionCodes.PathTraversal, rejected["zip:" + one + "!../evil.png"]);
        Assert.Equal(RejectionCodes.LinkEntry, rejected["zip:" + one + "!link.png"]);
        Assert.Equal(RejectionCodes.CompressionRatio, rejected["zip:" + bomb]);
        Assert.DoesNotContain(outcomes, o => o.Origin.StartsWith("zip:" + bomb + "!", StringComparison.Ordinal));

        // An archive inside an archive is not opened: it is counted as skipped, with the reason.
        var skips = outcomes.OfType<IngestSkip>().ToDictionary(s => s.Origin);
        Assert.Equal((".zip", RejectionCodes.NestedArchive), (skips["zip:" + one + "!inner.zip"].Extension, skips["zip:" + one + "!inner.zip"].Code));
        Assert.Equal((".tar", RejectionCodes.NestedArchive), (skips["tar:" + tgz + "!package/inner.tar"].Extension, skips["tar:" + tgz + "!package/inner.tar"].Code));
        Assert.Equal(RejectionCodes.UnsupportedFile, skips["zip:" + one + "!readme.md"].Code);
        Assert.Equal(3, skips.Count);
    }

    [Fact]
    public async Task A_hidden_macos_folder_in_an_archive_is_counted()
    {
        using var dir = new TempDir();
        var zip = Zip(dir, "set.zip", ("a.png", Repo.Png(), null), ("__MACOSX/._a.png", [0, 5, 22, 7], null));
        var outcomes = await Outcomes.ReadAll(SourceResolver.Open(zip));
        Assert.Single(outcomes.Items());
        var skip = Assert.Single(outcomes.OfType<IngestSkip>());
        Assert.Equal(("zip:" + zip + "!__MACOSX/._a.png", RejectionCodes.HiddenFile), (skip.Origin, skip.Code));
    }

    [Fact]
    public void Archive_kinds_follow_the_source_rule_and_extensions_are_grouped_in_lower_case()
    {
        Assert.Equal(FileKinds.Archive.Zip, FileKinds.ArchiveOf("a/B.ZIP"));
        Assert.Equal(FileKinds.Archive.Tar, FileKinds.ArchiveOf("x.tar.gz"));
        Assert.Equal(FileKinds.Archive.Tar, FileKinds.ArchiveOf("x.tgz"));
        Assert.Null(FileKinds.ArchiveOf("x.gz"));
        Assert.Equal(".tiff", FileKinds.ExtensionOf("dir.v2/IMG.TIFF"));
        Assert.Equal("(none)", FileKinds.ExtensionOf("dir.v2/README"));
        Assert.Equal("(none)", FileKinds.ExtensionOf("trailing."));
    }
}
