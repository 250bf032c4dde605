using System.Buffers.Binary;
using System.Text;
using Atelier.Catalog;
using Atelier.Datasets;
using Atelier.Evaluation.Features;
using Atelier.Training.Runs;

namespace Atelier.Evaluation;

/// <summary>
/// Features of a snapshot's images at one resolution, cached per snapshot, resolution and feature network.
/// The images are the snapshot's shard export at that resolution (the one training reads, built through
/// its policy gate), so real and generated images reach the network through the same resize. The cache
/// is a file inside that export's folder: whatever deletes the export (quarantine) deletes the features
/// derived from its pixels too. It is written whole under its final name (temp file, rename): commands
/// running at once may both compute it, and each writes the same bytes; a damaged file is recomputed.
/// </summary>
public static class ReferenceFeatures
{
    private static readonly byte[] Magic = "ATLFEAT1"u8.ToArray();

    public sealed record Result(float[][] Features, bool FromCache, string CachePath, string ExportDirectory);

    public static Result Get(Workspace workspace, SnapshotRecord snapshot, int resolution, FeatureExtractor extractor, string cacheKey, CancellationToken cancellation)
    {
        string exportDir = TrainingExports.Prepare(workspace, snapshot, resolution, cancellation);
        string cachePath = Path.Combine(exportDir, $"features-{cacheKey[..32]}.bin");
        using var shards = ShardSet.Open(exportDir);
        if (TryRead(cachePath, cacheKey, shards.Count, extractor.Dimension) is { } cached) return new Result(cached, true, cachePath, exportDir);

        var images = new List<RgbImage>(shards.Count);
        for (int i = 0; i < shards.Count; i++) images.Add(new RgbImage(shards.GetImage(i).ToArray(), resolution, resolution));
        var features = extractor.Extract(images, cancellation);
        // Only into an export that still exists: a folder deleted meanwhile (quarantine) is not brought back for a cache.
        if (File.Exists(Path.Combine(exportDir, ExportWriter.DescriptorFileName)))
        {
            AtomicFile.WriteAllBytes(cachePath, Encode(cacheKey, features, extractor.Dimension), flushToDisk: false);
            if (!File.Exists(Path.Combine(exportDir, ExportWriter.DescriptorFileName))) File.Delete(cachePath);
        }
        return new Result(features, false, cachePath, exportDir);
    }

    internal static byte[] Encode(string key, float[][] features, int dimension)
    {
        var keyBytes = Encoding.ASCII.GetBytes(key);
        var bytes = new byte[Magic.Length + 4 + keyBytes.Length + 8 + (long)features.Length * dimension * 4];
        var span = bytes.AsSpan();
        Magic.CopyTo(span);
        int at = Magic.Length;
        BinaryPrimitives.WriteInt32LittleEndian(span[at..], keyBytes.Length);
        keyBytes.CopyTo(span[(at + 4)..]);
        at += 4 + keyBytes.Length;
        BinaryPrimitives.WriteInt32LittleEndian(span[at..], features.Length);
        BinaryPrimitives.WriteInt32LittleEndian(span[(at + 4)..], dimension);
        at += 8;
        foreach (var row in features)
            foreach (var v in row)
            {
                BinaryPrimitives.WriteSingleLittleEndian(span[at..], v);
                at += 4;
            }
        return bytes;
    }

    /// <summary>The cached features, or null when the file is missing, for another key or size, or damaged (then it is recomputed).</summary>
    internal static float[][]? TryRead(string path, string key, int count, int dimension)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (FileNotFoundException) { return null; }
        catch (DirectoryNotFoundException) { return null; }
        var keyBytes = Encoding.ASCII.GetBytes(key);
        long expected = Magic.Length + 4 + keyBytes.Length + 8 + (long)count * dimension * 4;
        if (bytes.Length != expected || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic)) return null;
        int at = Magic.Length;
        if (BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(at)) != keyBytes.Length || !bytes.AsSpan(at + 4, keyBytes.Length).SequenceEqual(keyBytes)) return null;
        at += 4 + keyBytes.Length;
        if (BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(at)) != count || BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(at + 4)) != dimension) return null;
        at += 8;
        var result = new float[count][];
        for (int i = 0; i < count; i++)
        {
            var row = new float[dimension];
            for (int k = 0; k < dimension; k++, at += 4) row[k] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(at));
            if (row.Any(v => !float.IsFinite(v))) return null;
            result[i] = row;
        }
        return result;
    }
}
