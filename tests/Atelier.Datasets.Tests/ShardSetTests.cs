namespace Atelier.Datasets.Tests;

public class ShardSetTests
{
    private static SnapshotManifest Export(string dir)
    {
        var manifest = Fakes.Manifest();
        using var writer = new ShardWriter(Fakes.Options(dir, 8, manifest) with { MaxImagesPerShard = 3 });
        for (int i = 0; i < manifest.Items.Length; i++) writer.Add(i, ExportLabel.From(manifest.Items[i]), Fakes.Gradient(8, i));
        writer.Complete();
        return manifest;
    }

    [Fact]
    public void Set_reads_images_and_labels_by_global_index()
    {
        using var dir = new TempDir();
        var manifest = Export(dir.Path);
        using var set = ShardSet.Open(dir.Path, verifyHashes: true);

        Assert.Equal(4, set.Count);
        Assert.Equal(manifest.RootHash, set.SnapshotRoot);
        Assert.Equal(5, set.TagCount); // alice, blue_sky, highres, red_hair, smile
        Assert.Equal(2, set.RatingCount);
        for (int i = 0; i < 4; i++)
        {
            Assert.True(set.GetImage(i).SequenceEqual(Fakes.Gradient(8, i)), $"image {i}");
            Assert.Equal(manifest.Items[i].Sha256, set.Labels[i].Sha256);
            Assert.Equal(manifest.Items[i].Tags.Length, set.Labels[i].TagIndices.Length);
        }
        Assert.Equal(-1, set.Labels.Single(l => l.Rating is null).RatingIndex);
    }

    [Fact]
    public void Unfinished_export_is_refused()
    {
        using var dir = new TempDir();
        Export(dir.Path);
        File.Delete(dir["dataset.json"]);
        var ex = Assert.Throws<DatasetException>(() => ShardSet.Open(dir.Path));
        Assert.Contains("unfinished", ex.Message);
    }

    [Fact]
    public void Changed_shard_fails_hash_verification()
    {
        using var dir = new TempDir();
        Export(dir.Path);
        var bytes = File.ReadAllBytes(dir["shard-00001.bin"]);
        bytes[^1] ^= 0xFF;
        File.WriteAllBytes(dir["shard-00001.bin"], bytes);
        using (ShardSet.Open(dir.Path)) { } // structure is still fine
        Assert.Equal(DatasetErrorCode.HashMismatch, Assert.Throws<DatasetException>(() => ShardSet.Open(dir.Path, verifyHashes: true)).Code);
    }
}
