using System.Text.Json;

namespace Atelier.Datasets.Tests;

public class ShardTests
{
    private static List<ExportLabel> Labels(int n) =>
        Enumerable.Range(0, n).Select(i => new ExportLabel(Fakes.Sha($"img{i}"),
            i % 2 == 0 ? [new SnapshotTag("smile", "general"), new SnapshotTag("alice", "character")] : [new SnapshotTag("cat", "general")],
            i % 3 == 0 ? null : (i % 3 == 1 ? "general" : "sensitive"))).ToList();

    private static void Export(ExportOptions options, int n)
    {
        var labels = Labels(n);
        using var writer = ExportWriters.Create(ExportFormat.Shards, options);
        for (int i = 0; i < n; i++) writer.Add(i, labels[i], Fakes.Gradient(options.Resolution, i));
        writer.Complete();
    }

    [Fact]
    public void Written_shards_map_back_to_identical_pixels()
    {
        using var dir = new TempDir();
        var options = Fakes.Options(dir.Path, resolution: 16) with { MaxImagesPerShard = 4 };
        Export(options, 10);

        Assert.Equal(["dataset.json", "labels.jsonl", "shard-00000.bin", "shard-00001.bin", "shard-00002.bin"], dir.FileNames());
        int global = 0;
        for (int s = 0; s < 3; s++)
        {
            using var reader = ShardReader.Open(dir[ShardWriter.ShardFileName(s)]);
            Assert.Equal(s == 2 ? 2 : 4, reader.Count);
            Assert.Equal((16, 16, 3), (reader.Width, reader.Height, reader.Channels));
            Assert.Equal(s * 4, reader.Header.FirstIndex);
            Assert.Equal(s, reader.Header.ShardNumber);
            for (int i = 0; i < reader.Count; i++, global++)
                Assert.True(reader.GetImage(i).SequenceEqual(Fakes.Gradient(16, global)), $"image {global} differs");
        }
        Assert.Equal(10, global);
    }

    [Fact]
    public void Byte_budget_limits_images_per_shard()
    {
        using var dir = new TempDir();
        var options = Fakes.Options(dir.Path, resolution: 8) with { MaxShardBytes = 8 * 8 * 3 * 3 + 5 };
        using var writer = new ShardWriter(options);
        Assert.Equal(3, writer.ImagesPerShard);
    }

    [Fact]
    public void Labels_and_descriptor_describe_the_export()
    {
        using var dir = new TempDir();
        var manifest = Fakes.Manifest();
        var options = Fakes.Options(dir.Path, resolution: 8, manifest) with { MaxImagesPerShard = 4, Fit = "contain", Background = "#ffffff" };
        Export(options, 6);

        using var desc = JsonDocument.Parse(File.ReadAllBytes(dir["dataset.json"]));
        var root = desc.RootElement;
        Assert.Equal("atelier.export/1", root.GetProperty("format").GetString());
        Assert.Equal("Shards", root.GetProperty("exportFormat").GetString());
        Assert.Equal(manifest.RootHash, root.GetProperty("snapshot").GetProperty("rootHash").GetString());
        Assert.Equal("faces-v1", root.GetProperty("snapshot").GetProperty("name").GetString());
        Assert.Equal(6, root.GetProperty("count").GetInt32());
        Assert.Equal(8, root.GetProperty("width").GetInt32());
        Assert.Equal("NHWC", root.GetProperty("layout").GetString());
        Assert.Equal("contain", root.GetProperty("fit").GetString());
        Assert.Equal("#ffffff", root.GetProperty("background").GetString());
        // Vocabulary sorted by (category, name): alice(character), cat(general), smile(general).
        var tags = root.GetProperty("tags").EnumerateArray()
            .Select(t => (t.GetProperty("index").GetInt32(), t.GetProperty("name").GetString(), t.GetProperty("category").GetString(), t.GetProperty("count").GetInt32()))
            .ToList();
        Assert.Equal([(0, "alice", "character", 3), (1, "cat", "general", 3), (2, "smile", "general", 3)], tags);
        var ratings = root.GetProperty("ratings").EnumerateArray().Select(r => r.GetProperty("name").GetString()).ToList();
        Assert.Equal(["general", "sensitive"], ratings);
        var files = root.GetProperty("files").EnumerateArray().ToList();
        Assert.Equal(2, files.Count);
        Assert.Equal(PartialFile.Sha256OfFile(dir["shard-00001.bin"]), files[1].GetProperty("sha256").GetString());
        Assert.Equal(4, files[1].GetProperty("firstIndex").GetInt32());
        Assert.Equal(2, files[1].GetProperty("count").GetInt32());

        var lines = File.ReadAllLines(dir["labels.jsonl"]);
        Assert.Equal(6, lines.Length);
        var labels = Labels(6);
        for (int i = 0; i < 6; i++)
        {
            using var line = JsonDocument.Parse(lines[i]);
            var e = line.RootElement;
            Assert.Equal(i, e.GetProperty("index").GetInt32());
            Assert.Equal(labels[i].Sha256, e.GetProperty("sha256").GetString());
            Assert.Equal(labels[i].Rating, e.GetProperty("rating").ValueKind == JsonValueKind.Null ? null : e.GetProperty("rating").GetString());
            int[] expectedIdx = i % 2 == 0 ? [0, 2] : [1];
            Assert.Equal(expectedIdx, e.GetProperty("tagIndices").EnumerateArray().Select(x => x.GetInt32()));
            Assert.Equal(labels[i].Rating switch { null => -1, "general" => 0, _ => 1 }, e.GetProperty("ratingIndex").GetInt32());
        }
    }

    [Fact]
    public void Killed_export_leaves_only_a_partial_name()
    {
        using var dir = new TempDir();
        var options = Fakes.Options(dir.Path) with { MaxImagesPerShard = 4 };
        var labels = Labels(6);
        var writer = new ShardWriter(options);
        for (int i = 0; i < 6; i++) writer.Add(i, labels[i], Fakes.Gradient(8, i));

        // Mid-export (as if the process died now): the first shard is complete, the second is only .partial.
        Assert.Equal(["shard-00000.bin", "shard-00001.bin.partial"], dir.FileNames());
        using (var complete = ShardReader.Open(dir["shard-00000.bin"])) Assert.Equal(4, complete.Count);

        writer.Dispose(); // abandoned without Complete
        Assert.Equal(["shard-00000.bin"], dir.FileNames());
        Assert.False(File.Exists(dir["dataset.json"]));
        var ex = Assert.Throws<DatasetException>(() => writer.Add(6, Labels(7)[6], Fakes.Gradient(8, 6)));
        Assert.Equal(DatasetErrorCode.WriterClosed, ex.Code);
    }

    [Fact]
    public void Export_refuses_a_folder_that_already_holds_one()
    {
        using var dir = new TempDir();
        Export(Fakes.Options(dir.Path), 2);
        var ex = Assert.Throws<DatasetException>(() => new ShardWriter(Fakes.Options(dir.Path)));
        Assert.Equal(DatasetErrorCode.ExportExists, ex.Code);
    }

    [Fact]
    public void Writer_checks_order_size_and_duplicates()
    {
        using var dir = new TempDir();
        using var writer = new ShardWriter(Fakes.Options(dir.Path));
        var labels = Labels(2);
        Assert.Equal(DatasetErrorCode.OutOfOrder, Assert.Throws<DatasetException>(() => writer.Add(1, labels[0], Fakes.Gradient(8, 0))).Code);
        Assert.Equal(DatasetErrorCode.WrongPixelCount, Assert.Throws<DatasetException>(() => writer.Add(0, labels[0], new byte[10])).Code);
        writer.Add(0, labels[0], Fakes.Gradient(8, 0));
        Assert.Equal(DatasetErrorCode.DuplicateItem, Assert.Throws<DatasetException>(() => writer.Add(1, labels[0], Fakes.Gradient(8, 1))).Code);
    }

    [Fact]
    public void Exports_are_deterministic()
    {
        using var a = new TempDir();
        using var b = new TempDir();
        Export(Fakes.Options(a.Path) with { MaxImagesPerShard = 3 }, 5);
        Export(Fakes.Options(b.Path) with { MaxImagesPerShard = 3 }, 5);
        Assert.Equal(a.FileNames(), b.FileNames());
        foreach (var name in a.FileNames())
            Assert.Equal(File.ReadAllBytes(a[name]), File.ReadAllBytes(b[name]));
    }
}

public class ShardReaderValidationTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly string _shard;

    public ShardReaderValidationTests()
    {
        var options = Fakes.Options(_dir.Path) with { MaxImagesPerShard = 3 };
        using var writer = new ShardWriter(options);
        for (int i = 0; i < 3; i++) writer.Add(i, new ExportLabel(Fakes.Sha($"v{i}"), [], null), Fakes.Gradient(8, i));
        writer.Complete();
        _shard = _dir["shard-00000.bin"];
    }

    public void Dispose() => _dir.Dispose();

    private DatasetException OpenCorrupted(Func<byte[], byte[]> corrupt)
    {
        string path = _dir["corrupt.bin"];
        File.WriteAllBytes(path, corrupt(File.ReadAllBytes(_shard)));
        return Assert.Throws<DatasetException>(() => ShardReader.Open(path).Dispose());
    }

    [Fact]
    public void Truncated_pixels_are_reported()
    {
        var ex = OpenCorrupted(b => b[..^1]);
        Assert.Equal(DatasetErrorCode.TruncatedShard, ex.Code);
        Assert.Contains("3 images", ex.Message);
    }

    [Fact]
    public void Truncated_header_is_reported() =>
        Assert.Equal(DatasetErrorCode.TruncatedShard, OpenCorrupted(b => b[..20]).Code);

    [Fact]
    public void Empty_file_is_reported() =>
        Assert.Equal(DatasetErrorCode.TruncatedShard, OpenCorrupted(_ => []).Code);

    [Fact]
    public void Bad_magic_is_reported() =>
        Assert.Equal(DatasetErrorCode.BadMagic, OpenCorrupted(b => { b[0] = (byte)'X'; return b; }).Code);

    [Fact]
    public void Unknown_version_is_reported() =>
        Assert.Equal(DatasetErrorCode.UnsupportedVersion, OpenCorrupted(b => { b[8] = 7; return b; }).Code);

    [Fact]
    public void Placeholder_header_of_a_partial_shard_is_rejected() =>
        Assert.Equal(DatasetErrorCode.BadMagic, OpenCorrupted(b => { Array.Clear(b, 0, ShardHeader.Size); return b; }).Code);

    [Fact]
    public void Trailing_bytes_are_reported() =>
        Assert.Equal(DatasetErrorCode.InvalidShardHeader, OpenCorrupted(b => [.. b, 0]).Code);

    [Fact]
    public void Wrong_layout_is_reported() =>
        Assert.Equal(DatasetErrorCode.InvalidShardHeader, OpenCorrupted(b => { b[36] = 2; return b; }).Code);

    [Fact]
    public void Out_of_range_image_index_is_reported()
    {
        using var reader = ShardReader.Open(_shard);
        Assert.Equal(DatasetErrorCode.IndexOutOfRange, Assert.Throws<DatasetException>(() => reader.GetImage(3).Length).Code);
        Assert.Equal(8 * 8 * 3, reader.GetImage(2).Length);
    }
}
