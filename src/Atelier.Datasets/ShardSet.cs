using System.Collections.Immutable;
using System.Text.Json;

namespace Atelier.Datasets;

/// <summary>One line of labels.jsonl as the trainer needs it: class indices into the export's vocabulary.</summary>
public sealed record ExportedLabel(int Index, string Sha256, string? Rating, int RatingIndex, ImmutableArray<int> TagIndices);

/// <summary>
/// A finished shard export opened for reading: dataset.json, labels.jsonl and every shard memory-mapped,
/// with images addressed by their global index. Opening checks that the shards agree with dataset.json.
/// </summary>
public sealed class ShardSet : IDisposable
{
    private readonly ShardReader[] _shards;
    private readonly long[] _firstIndex;

    private ShardSet(ShardReader[] shards, ImmutableArray<ExportedLabel> labels, int tagCount, int ratingCount, string root)
    {
        _shards = shards;
        _firstIndex = shards.Select(s => s.Header.FirstIndex).ToArray();
        Labels = labels;
        TagCount = tagCount;
        RatingCount = ratingCount;
        SnapshotRoot = root;
    }

    public int Count => Labels.Length;
    public ImmutableArray<ExportedLabel> Labels { get; }
    public int TagCount { get; }
    public int RatingCount { get; }
    public string SnapshotRoot { get; }

    /// <param name="verifyHashes">Also re-hash every shard against dataset.json (reads all pixels once).</param>
    public static ShardSet Open(string directory, bool verifyHashes = false)
    {
        string descriptorPath = Path.Combine(directory, ExportWriter.DescriptorFileName);
        if (!File.Exists(descriptorPath))
            throw Bad($"{directory} has no {ExportWriter.DescriptorFileName}: the export is missing or unfinished");
        using var doc = JsonDocument.Parse(File.ReadAllBytes(descriptorPath));
        var root = doc.RootElement;
        if (root.GetProperty("format").GetString() != ExportWriter.DescriptorFormatId || root.GetProperty("exportFormat").GetString() != nameof(ExportFormat.Shards))
            throw new DatasetException(DatasetErrorCode.UnsupportedVersion, $"{descriptorPath} is not an {ExportWriter.DescriptorFormatId} shard export");

        int count = root.GetProperty("count").GetInt32();
        int width = root.GetProperty("width").GetInt32();
        int height = root.GetProperty("height").GetInt32();
        var shards = new List<ShardReader>();
        try
        {
            long expectedFirst = 0;
            foreach (var file in root.GetProperty("files").EnumerateArray())
            {
                string path = Path.Combine(directory, file.GetProperty("name").GetString()!);
                if (verifyHashes && PartialFile.Sha256OfFile(path) != file.GetProperty("sha256").GetString())
                    throw new DatasetException(DatasetErrorCode.HashMismatch, $"{path}: content does not match its SHA-256 in dataset.json");
                var shard = ShardReader.Open(path);
                shards.Add(shard);
                if (shard.Header.FirstIndex != expectedFirst || shard.Count != file.GetProperty("count").GetInt32()
                    || shard.Width != width || shard.Height != height)
                    throw Bad($"{path}: header (first {shard.Header.FirstIndex}, {shard.Count} images, {shard.Width}x{shard.Height}) disagrees with dataset.json");
                expectedFirst += shard.Count;
            }
            if (expectedFirst != count) throw Bad($"{directory}: shards hold {expectedFirst} images, dataset.json says {count}");

            var labels = File.ReadLines(Path.Combine(directory, ExportWriter.LabelsFileName)).Select(ParseLabel).ToImmutableArray();
            if (labels.Length != count) throw Bad($"{directory}: labels.jsonl has {labels.Length} lines, expected {count}");
            return new ShardSet([.. shards], labels, root.GetProperty("tags").GetArrayLength(),
                root.GetProperty("ratings").GetArrayLength(), root.GetProperty("snapshot").GetProperty("rootHash").GetString()!);
        }
        catch
        {
            foreach (var s in shards) s.Dispose();
            throw;
        }
    }

    /// <summary>Pixels of the image with global index <paramref name="index"/>; valid until the set is disposed.</summary>
    public ReadOnlySpan<byte> GetImage(int index)
    {
        if ((uint)index >= (uint)Count)
            throw new DatasetException(DatasetErrorCode.IndexOutOfRange, $"image {index} is outside 0..{Count - 1}");
        int shard = Array.BinarySearch(_firstIndex, (long)index);
        if (shard < 0) shard = ~shard - 1;
        return _shards[shard].GetImage((int)(index - _firstIndex[shard]));
    }

    public void Dispose()
    {
        foreach (var s in _shards) s.Dispose();
    }

    private static ExportedLabel ParseLabel(string line)
    {
        using var doc = JsonDocument.Parse(line);
        var e = doc.RootElement;
        var rating = e.GetProperty("rating");
        return new ExportedLabel(e.GetProperty("index").GetInt32(), e.GetProperty("sha256").GetString()!,
            rating.ValueKind == JsonValueKind.String ? rating.GetString() : null, e.GetProperty("ratingIndex").GetInt32(),
            [.. e.GetProperty("tagIndices").EnumerateArray().Select(x => x.GetInt32())]);
    }

    private static DatasetException Bad(string why) => new(DatasetErrorCode.InvalidShardHeader, why);
}
