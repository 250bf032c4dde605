using System.Security.Cryptography;
using System.Text;
using Atelier.Datasets;

namespace Atelier.Training.Tests;

/// <summary>Builds small shard exports with the real writer: distinct synthetic pixels per image and chosen tags.</summary>
internal static class SyntheticExport
{
    public const string Root = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    public static string Sha(int n) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"image-{n}")));

    /// <summary>Pixel (x, y) of image n: R = x-ish, G = y-ish, B = n-ish, so every image and position differ.</summary>
    public static byte[] Pixels(int resolution, int n)
    {
        var rgb = new byte[resolution * resolution * 3];
        for (int y = 0; y < resolution; y++)
            for (int x = 0; x < resolution; x++)
            {
                int o = (y * resolution + x) * 3;
                rgb[o] = (byte)(x * 255 / Math.Max(1, resolution - 1));
                rgb[o + 1] = (byte)(y * 255 / Math.Max(1, resolution - 1));
                rgb[o + 2] = (byte)(n * 7 + x);
            }
        return rgb;
    }

    /// <param name="tags">Per image, "category:name" tags.</param>
    public static string Write(string directory, int resolution, IReadOnlyList<string[]> tags, int maxPerShard = 3)
    {
        using var writer = new ShardWriter(new ExportOptions
        {
            OutputDirectory = directory,
            Resolution = resolution,
            SnapshotName = "synthetic",
            SnapshotRoot = Root,
            MaxImagesPerShard = maxPerShard,
        });
        for (int i = 0; i < tags.Count; i++)
        {
            var snapshotTags = tags[i].Select(t => t.Split(':', 2)).Select(p => new SnapshotTag(p[1], p[0]));
            writer.Add(i, new ExportLabel(Sha(i), snapshotTags, "general"), Pixels(resolution, i));
        }
        writer.Complete();
        return directory;
    }

    public static string Untagged(string directory, int resolution, int count, int maxPerShard = 3) =>
        Write(directory, resolution, Enumerable.Range(0, count).Select(_ => Array.Empty<string>()).ToArray(), maxPerShard);
}
