using Atelier.TestSupport;
using System.Formats.Tar;
using System.IO.Compression;
using Atelier.Ingest.Metadata;

namespace Atelier.Ingest.Tests;

public sealed class TarSourceTests
{
    private static string MakeTarGz(TempDir dir, string name, Action<TarWriter> fill, bool gzip = true)
    {
        var path = Path.Combine(dir.Path, name);
        using var file = File.Create(path);
        using Stream outer = gzip ? new GZipStream(file, CompressionLevel.Fastest) : file;
        using (var writer = new TarWriter(outer, TarEntryFormat.Pax, leaveOpen: true)) fill(writer);
        return path;
    }

    private static void Add(TarWriter tar, string name, byte[] content)
    {
        var entry = new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(content) };
        tar.WriteEntry(entry);
    }

    [Fact]
    public async Task Npm_shaped_tarball_uses_the_package_manifest()
    {
        using var dir = new TempDir();
        var imgs = Directory.GetFiles(Path.Combine(Repo.EmojiSample, "img")).Order(StringComparer.Ordinal).Take(40).ToList();
        var tgz = MakeTarGz(dir, "emoji-datasource-google-16.0.0.tgz", t =>
        {
            Add(t, "package/package.json", """{"name":"emoji-datasource-google"}"""u8.ToArray());
            Add(t, "package/README.md", "readme"u8.ToArray());
            foreach (var img in imgs) Add(t, "package/img/google/64/" + Path.GetFileName(img), File.ReadAllBytes(img));
            // npm tarballs put the manifest wherever; here after the images, which needs the two-pass read.
            Add(t, "package/emoji.json", File.ReadAllBytes(Path.Combine(Repo.EmojiSample, "emoji.json")));
        });
        var options = new SourceOptions
        {
            ManifestFileName = "emoji.json",
            Mapping = MetadataMapping.Parse(["file=image", "tags:short_names=general", "tags:category=category"]),
        };

        var outcomes = await Outcomes.ReadAll(SourceResolver.Open(tgz, options));

        Assert.Empty(outcomes.Rejections());
        var items = outcomes.Items();
        Assert.Equal(40, items.Count);
        Assert.All(items, i => Assert.StartsWith("tar:" + tgz + "!package/img/google/64/", i.Origin));
        Assert.All(items, i => Assert.Contains(i.Metadata!.Tags, t => t.Category == "category"));
        Assert.Equal(File.ReadAllBytes(imgs[0]), items[0].Content);
    }

    [Fact]
    public async Task Unsafe_entries_are_rejected_and_the_rest_continue()
    {
        using var dir = new TempDir();
        var png = Repo.Png();
        var tgz = MakeTarGz(dir, "mixed.tar.gz", t =>
        {
            Add(t, "ok.png", png);
            Add(t, "../../evil.png", png);
            Add(t, "/abs.png", png);
            t.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "sym.png") { LinkName = "/etc/passwd" });
            t.WriteEntry(new PaxTarEntry(TarEntryType.HardLink, "hard.png") { LinkName = "ok.png" });
            t.WriteEntry(new PaxTarEntry(TarEntryType.CharacterDevice, "dev.png") { DeviceMajor = 1, DeviceMinor = 3 });
            t.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "sub/"));
            Add(t, "sub/ok2.png", png);
        });

        var outcomes = await Outcomes.ReadAll(SourceResolver.Open(tgz));

        Assert.Equal(["ok.png", "ok2.png"], outcomes.Items().Select(i => i.FileName));
        var byOrigin = outcomes.Rejections().ToDictionary(r => r.Origin[(r.Origin.IndexOf('!') + 1)..], r => r.Code);
        Assert.Equal(RejectionCodes.PathTraversal, byOrigin["../../evil.png"]);
        Assert.Equal(RejectionCodes.AbsolutePath, byOrigin["/abs.png"]);
        Assert.Equal(RejectionCodes.LinkEntry, byOrigin["sym.png"]);
        Assert.Equal(RejectionCodes.LinkEntry, byOrigin["hard.png"]);
        Assert.Equal(RejectionCodes.SpecialEntry, byOrigin["dev.png"]);
    }

    [Fact]
    public async Task Plain_tar_is_read_too()
    {
        using var dir = new TempDir();
        var tar = MakeTarGz(dir, "plain.tar", t => Add(t, "a.png", Repo.Png()), gzip: false);
        var item = Assert.Single(await Outcomes.ReadAll(SourceResolver.Open(tar))).As<IngestItem>();
        Assert.Equal("tar:" + tar + "!a.png", item.Origin);
    }

    [Fact]
    public async Task Ratio_bomb_and_total_limit_yield_nothing_but_the_rejection()
    {
        using var dir = new TempDir();
        var bomb = MakeTarGz(dir, "bomb.tgz", t => { Add(t, "a.png", Repo.Png()); Add(t, "zeros.png", new byte[20 * 1024 * 1024]); });
        var outcomes = await Outcomes.ReadAll(SourceResolver.Open(bomb));
        var only = Assert.Single(outcomes).As<IngestRejection>();
        Assert.Equal(RejectionCodes.CompressionRatio, only.Code);
        Assert.Equal("tar:" + bomb, only.Origin);

        var noise = new byte[600 * 1024];
        new Random(2).NextBytes(noise);
        var big = MakeTarGz(dir, "big.tgz", t => { Add(t, "a.png", noise); Add(t, "b.png", noise); });
        var total = await Outcomes.ReadAll(new Sources.TarSource(big, new SourceOptions { MaxTotalUncompressedBytes = 1024 * 1024 }));
        Assert.Equal(RejectionCodes.ArchiveTooLarge, Assert.Single(total).As<IngestRejection>().Code);
    }

    [Fact]
    public async Task Truncated_or_garbage_archive_is_one_rejection()
    {
        using var dir = new TempDir();
        var good = MakeTarGz(dir, "good.tgz", t => { for (int i = 0; i < 5; i++) Add(t, $"{i}.png", Repo.Png()); });
        var bytes = File.ReadAllBytes(good);
        var truncated = dir.Write("cut.tgz", bytes[..(bytes.Length * 2 / 3)]);
        var garbage = dir.Write("garbage.tar.gz", "definitely not gzip"u8.ToArray());
        foreach (var path in new[] { truncated, garbage })
        {
            var outcomes = await Outcomes.ReadAll(SourceResolver.Open(path));
            Assert.Equal(RejectionCodes.CorruptArchive, Assert.Single(outcomes).As<IngestRejection>().Code);
        }
    }

    [Fact]
    public async Task Skip_predicate_applies_to_entries()
    {
        using var dir = new TempDir();
        var tgz = MakeTarGz(dir, "s.tgz", t => { Add(t, "a.png", Repo.Png()); Add(t, "b.png", Repo.Png()); });
        var options = new SourceOptions { Skip = o => o.EndsWith("!a.png", StringComparison.Ordinal) };
        Assert.Equal("b.png", Assert.Single(await Outcomes.ReadAll(SourceResolver.Open(tgz, options))).As<IngestItem>().FileName);
    }
}
