using Atelier.TestSupport;

namespace Atelier.Evaluation.Tests;

/// <summary>The cache file of a snapshot's features: read back exactly, and anything else about it means "recompute".</summary>
public class ReferenceFeaturesTests
{
    private static readonly float[][] Features = [[1f, 2.5f, -3f], [0f, 1e-7f, 42f]];
    private const string Key = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    [Fact]
    public void ReadsBackWhatWasWritten()
    {
        using var dir = new TempDir();
        var path = dir.Write("features.bin", ReferenceFeatures.Encode(Key, Features, 3));
        var read = ReferenceFeatures.TryRead(path, Key, 2, 3);
        Assert.NotNull(read);
        Assert.Equal(Features, read);
    }

    [Fact]
    public void AMissingDamagedOrForeignFileIsRecomputedNotTrusted()
    {
        using var dir = new TempDir();
        var bytes = ReferenceFeatures.Encode(Key, Features, 3);
        Assert.Null(ReferenceFeatures.TryRead(Path.Combine(dir.Path, "absent.bin"), Key, 2, 3));
        Assert.Null(ReferenceFeatures.TryRead(Path.Combine(dir.Path, "no-folder", "x.bin"), Key, 2, 3));
        Assert.Null(ReferenceFeatures.TryRead(dir.Write("truncated.bin", bytes[..^4]), Key, 2, 3));
        Assert.Null(ReferenceFeatures.TryRead(dir.Write("same.bin", bytes), Key.Replace('0', 'f'), 2, 3));
        Assert.Null(ReferenceFeatures.TryRead(dir.Write("count.bin", bytes), Key, 3, 3));
        var nan = (byte[])bytes.Clone();
        BitConverter.GetBytes(float.NaN).CopyTo(nan, nan.Length - 4);
        Assert.Null(ReferenceFeatures.TryRead(dir.Write("nan.bin", nan), Key, 2, 3));
        var magic = (byte[])bytes.Clone();
        magic[0] ^= 1;
        Assert.Null(ReferenceFeatures.TryRead(dir.Write("magic.bin", magic), Key, 2, 3));
    }
}
