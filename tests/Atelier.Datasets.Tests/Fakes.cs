using System.Security.Cryptography;
using System.Text;

namespace Atelier.Datasets.Tests;

/// <summary>Synthetic images, labels and temp folders for the tests.</summary>
internal static class Fakes
{
    /// <summary>A diagonal RGB gradient that differs per seed, so every image's bytes are distinct.</summary>
    public static byte[] Gradient(int size, int seed)
    {
        var rgb = new byte[size * size * 3];
        for (int y = 0; y < size; y++)
        for (int x = 0; x < size; x++)
        {
            int o = (y * size + x) * 3;
            rgb[o] = (byte)(x * 255 / Math.Max(1, size - 1));
            rgb[o + 1] = (byte)(y * 255 / Math.Max(1, size - 1));
            rgb[o + 2] = (byte)(seed * 37 + x + y);
        }
        return rgb;
    }

    public static string Sha(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    public static SnapshotItem Item(int n, string? rating = "general", params (string Name, string Category)[] tags) =>
        new(n, Sha($"image-{n}"), 512 + n, 384, rating, tags.Select(t => new SnapshotTag(t.Name, t.Category)));

    public static SnapshotManifest Manifest(string name = "faces-v1", DateTimeOffset? at = null, IEnumerable<SnapshotItem>? items = null) =>
        new(name, at ?? new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero), "rating:general tag:smile",
            items ?? DefaultItems(), [new("tool", "atelier 0.1.0"), new("catalog", "main")]);

    public static IReadOnlyList<SnapshotItem> DefaultItems() =>
    [
        Item(1, "general", ("smile", "general"), ("red_hair", "general"), ("alice", "character")),
        Item(2, "sensitive", ("blue_sky", "general")),
        Item(3, null),
        Item(4, "general", ("smile", "general"), ("highres", "meta")),
    ];

    public static ExportOptions Options(string dir, int resolution = 8, SnapshotManifest? manifest = null)
    {
        manifest ??= Manifest();
        return new ExportOptions
        {
            OutputDirectory = dir,
            Resolution = resolution,
            SnapshotName = manifest.Name,
            SnapshotRoot = manifest.RootHash,
        };
    }
}

internal sealed class TempDir : IDisposable
{
    public TempDir() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "atelier-ds-" + Guid.NewGuid().ToString("N"));

    public string this[string name] => System.IO.Path.Combine(Path, name);

    public string[] FileNames() => Directory.GetFiles(Path).Select(System.IO.Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { }
    }
}
