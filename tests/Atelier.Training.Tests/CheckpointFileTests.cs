using System.Security.Cryptography;
using System.Text;
using Atelier.TestSupport;
using Atelier.Training.Checkpoints;

namespace Atelier.Training.Tests;

public sealed class CheckpointFileTests
{
    internal static CheckpointContent Content(int seed, int sectionBytes = 5000)
    {
        var rng = new Random(seed);
        byte[] Bytes(int n) { var b = new byte[n]; rng.NextBytes(b); return b; }
        return new CheckpointContent($"{{\"imagesSeen\":{seed * 1000},\"note\":\"résumé\"}}",
            new Dictionary<string, byte[]> { ["G"] = Bytes(sectionBytes), ["D"] = Bytes(sectionBytes / 2), ["rng"] = Bytes(16), ["empty"] = [] });
    }

    private static void AssertSame(CheckpointContent expected, CheckpointContent actual)
    {
        Assert.Equal(expected.HeaderJson, actual.HeaderJson);
        Assert.Equal(expected.Sections.Keys.Order(), actual.Sections.Keys.Order());
        foreach (var (name, bytes) in expected.Sections) Assert.Equal(bytes, actual.Sections[name]);
    }

    [Fact]
    public void Saved_content_loads_back_exactly_and_the_returned_hash_is_the_files()
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "run", "a.atc");
        var content = Content(1);
        string sha = CheckpointFile.Save(path, content);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path))), sha);
        Assert.StartsWith("ATLCKPT1", Encoding.ASCII.GetString(File.ReadAllBytes(path), 0, 8));
        Assert.False(File.Exists(path + ".partial"));
        AssertSame(content, CheckpointFile.Load(path));

        // Saving again replaces the file; the same content gives the same bytes.
        Assert.Equal(sha, CheckpointFile.Save(path, content));
        var other = Content(2);
        CheckpointFile.Save(path, other);
        AssertSame(other, CheckpointFile.Load(path));
    }

    [Fact]
    public void Truncated_files_are_refused_at_every_cut()
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "a.atc");
        CheckpointFile.Save(path, Content(3, 300));
        byte[] whole = File.ReadAllBytes(path);
        string cut = Path.Combine(dir.Path, "cut.atc");
        for (int length = 8; length < whole.Length; length += 7)
        {
            File.WriteAllBytes(cut, whole[..length]);
            var e = Assert.Throws<TrainingException>(() => CheckpointFile.Load(cut));
            Assert.True(e.Code is "checkpoint-truncated" or "checkpoint-corrupt", $"cut at {length}: {e.Code} {e.Message}");
            Assert.DoesNotContain('\n', e.Message);
        }
        File.WriteAllBytes(cut, whole[..(whole.Length - 1)]);
        Assert.Equal("checkpoint-truncated", Assert.Throws<TrainingException>(() => CheckpointFile.Load(cut)).Code);
    }

    [Fact]
    public void Any_flipped_byte_is_caught()
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "a.atc");
        CheckpointFile.Save(path, Content(4, 200));
        byte[] whole = File.ReadAllBytes(path);
        string bad = Path.Combine(dir.Path, "bad.atc");
        for (int i = 8; i < whole.Length; i += 3)
        {
            byte[] copy = (byte[])whole.Clone();
            copy[i] ^= 0x10;
            File.WriteAllBytes(bad, copy);
            var e = Assert.Throws<TrainingException>(() => CheckpointFile.Load(bad));
            Assert.StartsWith("checkpoint-", e.Code);
        }
        byte[] tail = (byte[])whole.Clone();
        tail[^1] ^= 1;
        File.WriteAllBytes(bad, tail);
        var last = Assert.Throws<TrainingException>(() => CheckpointFile.Load(bad));
        Assert.Equal("checkpoint-corrupt", last.Code);
        Assert.Contains("SHA-256", last.Message);
    }

    [Fact]
    public void Foreign_and_future_files_are_refused_with_what_they_are()
    {
        using var dir = new TempDir();
        string png = Path.Combine(dir.Path, "x.atc");
        File.WriteAllBytes(png, [0x89, (byte)'P', (byte)'N', (byte)'G', 1, 2, 3, 4, 5, 6, 7, 8]);
        var foreign = Assert.Throws<TrainingException>(() => CheckpointFile.Load(png));
        Assert.Equal("checkpoint-foreign", foreign.Code);
        Assert.Contains("not an Atelier checkpoint", foreign.Message);

        string path = Path.Combine(dir.Path, "a.atc");
        CheckpointFile.Save(path, Content(5, 100));
        byte[] bytes = File.ReadAllBytes(path);
        bytes[8] = 2;
        File.WriteAllBytes(path, bytes);
        var future = Assert.Throws<TrainingException>(() => CheckpointFile.Load(path));
        Assert.Equal("checkpoint-version", future.Code);
        Assert.Contains("version 2", future.Message);

        Assert.Equal("checkpoint-missing", Assert.Throws<TrainingException>(() => CheckpointFile.Load(Path.Combine(dir.Path, "none.atc"))).Code);
    }

    [Fact]
    public void A_failing_save_leaves_the_previous_checkpoint_loadable_and_no_partial()
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "a.atc");
        var first = Content(6);
        CheckpointFile.Save(path, first);
        // A folder squatting on the partial name makes the write fail before anything reaches the real name.
        Directory.CreateDirectory(path + ".partial");
        var e = Assert.Throws<TrainingException>(() => CheckpointFile.Save(path, Content(7)));
        Assert.Equal("checkpoint-write", e.Code);
        Assert.Contains("previous checkpoint is intact", e.Message);
        AssertSame(first, CheckpointFile.Load(path));
    }

    [Fact]
    public void A_full_disk_gives_one_disk_full_line_and_keeps_the_previous_checkpoint()
    {
        using var disk = SmallDisk.TryMount(1);
        if (disk is null) Assert.Skip("mounting a small tmpfs needs root");
        string mount = disk.Path;
        var store = new CheckpointStore(Path.Combine(mount, "checkpoints"), keepLast: 3);
        var small = Content(8, 100_000);
        var saved = store.Save(1000, small, 1.0);
        var e = Assert.Throws<TrainingException>(() => store.Save(2000, Content(9, 2_000_000), 0.5));
        Assert.Equal("disk-full", e.Code);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Contains("previous checkpoint is intact", e.Message);
        Assert.Empty(Directory.GetFiles(store.Directory, "*.partial"));
        Assert.Equal([saved], store.List());
        AssertSame(small, CheckpointFile.Load(saved.Path));

        // Once there is room again the same save goes through.
        disk.Resize(8);
        var next = store.Save(2000, Content(9, 2_000_000), 0.5);
        Assert.Equal(next, store.Latest());
    }
}
