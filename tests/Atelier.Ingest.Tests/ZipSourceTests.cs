using Atelier.TestSupport;
using System.IO.Compression;

namespace Atelier.Ingest.Tests;

public sealed class ZipSourceTests
{
    private static string MakeZip(TempDir dir, string name, Action<ZipArchive> fill)
    {
        var path = Path.Combine(dir.Path, name);
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create)) fill(zip);
        return path;
    }

    private static void Add(ZipArchive zip, string name, byte[] content, int? unixMode = null)
    {
        var entry = zip.CreateEntry(name, CompressionLevel.Fastest);
        if (unixMode is { } mode) entry.ExternalAttributes = mode << 16;
        using var s = entry.Open();
        s.Write(content);
    }

    [Fact]
    public async Task Reads_entries_with_sidecars_and_rejects_unsafe_ones()
    {
        using var dir = new TempDir();
        var png = Repo.Png();
        var zip = MakeZip(dir, "set.zip", z =>
        {
            Add(z, "imgs/a.png", png);
            Add(z, "imgs/a.txt", "red, Round Thing"u8.ToArray());
            Add(z, "../evil.png", png);
            Add(z, "/etc/abs.png", png);
            Add(z, "imgs/link.png", "/etc/passwd"u8.ToArray(), unixMode: 0xA1FF);
            Add(z, "__MACOSX/imgs/._a.png", png);
            Add(z, "imgs/b.png", png);
        });

        var outcomes = await Outcomes.ReadAll(SourceResolver.Open(zip));

        var items = outcomes.Items();
        Assert.Equal(["zip:" + zip + "!imgs/a.png", "zip:" + zip + "!imgs/b.png"], items.Select(i => i.Origin));
        Assert.Equal(png, items[0].Content);
        Assert.Equal(["red", "round_thing"], items[0].Metadata!.Tags.Select(t => t.Name));
        var codes = outcomes.Rejections().Select(r => r.Code).Order().ToList();
        Assert.Equal([RejectionCodes.AbsolutePath, RejectionCodes.LinkEntry, RejectionCodes.PathTraversal], codes);
    }

    [Fact]
    public async Task Ratio_bomb_yields_only_its_rejection()
    {
        using var dir = new TempDir();
        var zip = MakeZip(dir, "bomb.zip", z =>
        {
            Add(z, "ok.png", Repo.Png());
            Add(z, "zeros.png", new byte[20 * 1024 * 1024]);
        });
        var outcomes = await Outcomes.ReadAll(SourceResolver.Open(zip));
        var only = Assert.Single(outcomes).As<IngestRejection>();
        Assert.Equal(RejectionCodes.CompressionRatio, only.Code);
        Assert.Equal("zip:" + zip, only.Origin);
    }

    [Fact]
    public async Task Total_size_limit_yields_only_its_rejection()
    {
        using var dir = new TempDir();
        var noise = new byte[600 * 1024];
        new Random(1).NextBytes(noise);
        var zip = MakeZip(dir, "big.zip", z => { Add(z, "a.png", noise); Add(z, "b.png", noise); });
        var outcomes = await Outcomes.ReadAll(new Sources.ZipSource(zip, new SourceOptions { MaxTotalUncompressedBytes = 1024 * 1024 }));
        Assert.Equal(RejectionCodes.ArchiveTooLarge, Assert.Single(outcomes).As<IngestRejection>().Code);
    }

    [Fact]
    public async Task Corrupt_and_truncated_archives_are_rejections()
    {
        using var dir = new TempDir();
        var junk = dir.Write("junk.zip", "this is not a zip file at all"u8.ToArray());
        var good = MakeZip(dir, "good.zip", z => { Add(z, "a.png", Repo.Png()); Add(z, "b.png", Repo.Png("1f605.png")); });
        var bytes = File.ReadAllBytes(good);
        var truncated = dir.Write("truncated.zip", bytes[..(bytes.Length / 2)]);

        foreach (var path in new[] { junk, truncated })
        {
            var outcomes = await Outcomes.ReadAll(SourceResolver.Open(path));
            Assert.Equal(RejectionCodes.CorruptArchive, Assert.Single(outcomes).As<IngestRejection>().Code);
        }
    }

    [Fact]
    public async Task Entry_inflating_past_its_declared_size_is_rejected()
    {
        using var dir = new TempDir();
        var zip = MakeZip(dir, "liar.zip", z => { Add(z, "a.png", new byte[4096]); Add(z, "b.png", Repo.Png()); });
        // Patch the central directory's uncompressed size of the first entry (offset 24 in its header) down to 10.
        var bytes = File.ReadAllBytes(zip);
        int cd = IndexOf(bytes, [0x50, 0x4B, 0x01, 0x02]);
        BitConverter.GetBytes(10).CopyTo(bytes, cd + 24);
        File.WriteAllBytes(zip, bytes);

        var outcomes = await Outcomes.ReadAll(SourceResolver.Open(zip));
        var rejected = Assert.Single(outcomes.Rejections());
        Assert.Equal(RejectionCodes.CorruptEntry, rejected.Code);
        Assert.EndsWith("!a.png", rejected.Origin);
        Assert.Equal("b.png", Assert.Single(outcomes.Items()).FileName);
    }

    [Fact]
    public async Task Entry_whose_bytes_do_not_match_its_crc_is_rejected()
    {
        using var dir = new TempDir();
        var png = Repo.Png();
        var path = Path.Combine(dir.Path, "flipped.zip");
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            // Stored, not deflated, so one changed byte is still a readable entry of the declared size.
            using (var s = zip.CreateEntry("a.png", CompressionLevel.NoCompression).Open()) s.Write(png);
            Add(zip, "b.png", Repo.Png("1f605.png"));
        }
        var bytes = File.ReadAllBytes(path);
        int data = IndexOf(bytes, png[..16]);
        bytes[data + png.Length / 2] ^= 0xFF;
        File.WriteAllBytes(path, bytes);

        var outcomes = await Outcomes.ReadAll(SourceResolver.Open(path));
        var rejected = Assert.Single(outcomes.Rejections());
        Assert.Equal(RejectionCodes.CorruptEntry, rejected.Code);
        Assert.EndsWith("!a.png", rejected.Origin);
        Assert.Contains("CRC-32", rejected.Message);
        Assert.Equal("b.png", Assert.Single(outcomes.Items()).FileName);
    }

    [Fact]
    public async Task Too_many_entries_stops_the_archive()
    {
        using var dir = new TempDir();
        var zip = MakeZip(dir, "many.zip", z => { for (int i = 0; i < 3; i++) Add(z, $"{i}.png", Repo.Png()); });
        var outcomes = await Outcomes.ReadAll(new Sources.ZipSource(zip, new SourceOptions { MaxEntries = 2 }));
        Assert.Equal(RejectionCodes.TooManyEntries, Assert.Single(outcomes).As<IngestRejection>().Code);
    }

    [Fact]
    public async Task Broken_json_sidecar_rejects_its_image_and_the_next_comes_in()
    {
        using var dir = new TempDir();
        var zip = MakeZip(dir, "side.zip", z =>
        {
            Add(z, "a.png", Repo.Png());
            Add(z, "a.json", "{\"rating\": \"general\",\n oops"u8.ToArray());
            Add(z, "b.png", Repo.Png("1f605.png"));
            Add(z, "b.json", "{\"rating\": \"general\"}"u8.ToArray());
        });
        var outcomes = await Outcomes.ReadAll(SourceResolver.Open(zip));
        var rejected = Assert.Single(outcomes.Rejections());
        Assert.Equal(RejectionCodes.UnreadableMetadata, rejected.Code);
        Assert.EndsWith("!a.png", rejected.Origin);
        Assert.StartsWith("sidecar a.json cannot be read: line 2:", rejected.Message);
        Assert.DoesNotContain('\n', rejected.Message);
        Assert.Equal("general", Assert.Single(outcomes.Items()).Metadata!.Rating);
    }

    private static int IndexOf(byte[] haystack, byte[] needle)
    {
        for (int i = 0; i + needle.Length <= haystack.Length; i++)
            if (haystack.AsSpan(i, needle.Length).SequenceEqual(needle)) return i;
        throw new InvalidOperationException("not found");
    }
}
