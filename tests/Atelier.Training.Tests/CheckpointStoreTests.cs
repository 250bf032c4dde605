using Atelier.TestSupport;
using Atelier.Training.Checkpoints;

namespace Atelier.Training.Tests;

public sealed class CheckpointStoreTests
{
    [Fact]
    public void Keeps_the_last_K_and_the_best_and_reads_them_back_from_the_folder()
    {
        using var dir = new TempDir();
        var store = new CheckpointStore(dir.Path, keepLast: 2);
        double?[] scores = [5, 3, 4, 6, null];
        for (int i = 0; i < scores.Length; i++) store.Save((i + 1) * 1000, CheckpointFileTests.Content(i, 500), scores[i]);

        var again = new CheckpointStore(dir.Path, keepLast: 2);
        var list = again.List();
        Assert.Equal([2000L, 4000, 5000], list.Select(c => c.ImagesSeen));
        Assert.Equal(Path.Combine(dir.Path, "ckpt-000005000.atc"), again.Latest()!.Path);
        Assert.Equal(2000, again.Best()!.ImagesSeen);
        Assert.Equal(3.0, again.Best()!.Score);
        Assert.Null(again.Latest()!.Score);
        Assert.Equal(["ckpt-000002000.atc", "ckpt-000002000.json", "ckpt-000004000.atc", "ckpt-000004000.json", "ckpt-000005000.atc", "ckpt-000005000.json"],
            Directory.GetFiles(dir.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        // Content(i) was saved at (i + 1) * 1000 images and records i * 1000 in its header.
        foreach (var c in list) Assert.Contains($"\"imagesSeen\":{c.ImagesSeen - 1000},", CheckpointFile.Load(c.Path).HeaderJson);
    }

    [Fact]
    public void A_checkpoint_without_its_note_lists_with_its_real_hash_and_no_score()
    {
        using var dir = new TempDir();
        var store = new CheckpointStore(dir.Path, keepLast: 3);
        var saved = store.Save(64, CheckpointFileTests.Content(1, 500), 2.5);
        File.Delete(Path.ChangeExtension(saved.Path, ".json"));
        var listed = Assert.Single(store.List());
        Assert.Equal(saved.Sha256, listed.Sha256);
        Assert.Null(listed.Score);
        Assert.Null(store.Best());
    }

    [Fact]
    public void Empty_or_missing_folder_has_no_checkpoints_and_leftover_partials_are_cleared()
    {
        using var dir = new TempDir();
        var store = new CheckpointStore(Path.Combine(dir.Path, "none"), keepLast: 1);
        Assert.Empty(store.List());
        Assert.Null(store.Latest());
        Assert.Null(store.Best());

        var real = new CheckpointStore(dir.Path, keepLast: 1);
        File.WriteAllBytes(Path.Combine(dir.Path, "ckpt-000000100.atc.partial"), [1, 2, 3]);
        File.WriteAllBytes(Path.Combine(dir.Path, "notes.txt"), [1]);
        real.Save(200, CheckpointFileTests.Content(2, 10), null);
        Assert.False(File.Exists(Path.Combine(dir.Path, "ckpt-000000100.atc.partial")));
        Assert.True(File.Exists(Path.Combine(dir.Path, "notes.txt")));
        Assert.Equal(200, Assert.Single(real.List()).ImagesSeen);
    }
}
