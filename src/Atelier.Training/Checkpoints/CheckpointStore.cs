using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Atelier.Catalog;
using Atelier.Datasets;

namespace Atelier.Training.Checkpoints;

/// <summary>
/// A run's checkpoints folder: <c>ckpt-&lt;images:D9&gt;.atc</c>, each with a small
/// <c>ckpt-&lt;images:D9&gt;.json</c> beside it recording its SHA-256 and score. After each successful
/// save only the last K and the best-scoring checkpoint are kept. Everything is read back from the
/// folder, so a restarted process sees the same list.
/// </summary>
public sealed class CheckpointStore
{
    private const string Prefix = "ckpt-";
    private const string Extension = ".atc";
    private const string InfoExtension = ".json";

    public CheckpointStore(string directory, int keepLast)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentOutOfRangeException.ThrowIfLessThan(keepLast, 1);
        Directory = Path.GetFullPath(directory);
        KeepLast = keepLast;
    }

    public string Directory { get; }
    public int KeepLast { get; }

    public string PathFor(long imagesSeen) => Path.Combine(Directory, $"{Prefix}{imagesSeen:D9}{Extension}");

    /// <param name="score">Lower is better (e.g. FID); null when not measured for this checkpoint.</param>
    /// <exception cref="TrainingException">"disk-full" or "checkpoint-write"; earlier checkpoints stay intact.</exception>
    public SavedCheckpoint Save(long imagesSeen, CheckpointContent content, double? score)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(imagesSeen);
        if (score is { } s && !double.IsFinite(s)) score = null;
        string path = PathFor(imagesSeen);
        string sha = CheckpointFile.Save(path, content);
        var saved = new SavedCheckpoint(path, imagesSeen, sha, score);
        WriteInfo(saved);
        Prune();
        return saved;
    }

    /// <summary>All complete checkpoints, oldest (fewest images) first.</summary>
    public IReadOnlyList<SavedCheckpoint> List()
    {
        if (!System.IO.Directory.Exists(Directory)) return [];
        var result = new List<SavedCheckpoint>();
        foreach (string path in System.IO.Directory.EnumerateFiles(Directory, $"{Prefix}*{Extension}"))
        {
            if (!TryParseImages(Path.GetFileName(path), out long images)) continue;
            result.Add(ReadInfo(path, images));
        }
        result.Sort((a, b) => a.ImagesSeen.CompareTo(b.ImagesSeen));
        return result;
    }

    public SavedCheckpoint? Latest() => List().LastOrDefault();

    /// <summary>The lowest score; among equal scores the later checkpoint. Null when none has a score.</summary>
    public SavedCheckpoint? Best() => Best(List());

    private static SavedCheckpoint? Best(IReadOnlyList<SavedCheckpoint> all) =>
        all.Where(c => c.Score is not null).OrderBy(c => c.Score!.Value).ThenByDescending(c => c.ImagesSeen).FirstOrDefault();

    private void Prune()
    {
        var all = List();
        var keep = all.Skip(Math.Max(0, all.Count - KeepLast)).Select(c => c.Path).ToHashSet(StringComparer.Ordinal);
        if (Best(all) is { } best) keep.Add(best.Path);
        foreach (var c in all)
        {
            if (keep.Contains(c.Path)) continue;
            PartialFile.DeleteQuietly(c.Path);
            PartialFile.DeleteQuietly(InfoPath(c.Path));
        }
        // Leftovers of saves that died mid-write.
        foreach (string partial in System.IO.Directory.EnumerateFiles(Directory, $"{Prefix}*{Extension}{CheckpointFile.PartialSuffix}"))
            PartialFile.DeleteQuietly(partial);
    }

    private static string InfoPath(string checkpointPath) => Path.ChangeExtension(checkpointPath, InfoExtension);

    private static bool TryParseImages(string fileName, out long images)
    {
        images = 0;
        if (!fileName.StartsWith(Prefix, StringComparison.Ordinal) || !fileName.EndsWith(Extension, StringComparison.Ordinal)) return false;
        var digits = fileName.AsSpan(Prefix.Length, fileName.Length - Prefix.Length - Extension.Length);
        return digits.Length >= 9 && !digits.ContainsAnyExceptInRange('0', '9')
            && long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out images);
    }

    private static void WriteInfo(SavedCheckpoint saved)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("imagesSeen", saved.ImagesSeen);
            w.WriteString("sha256", saved.Sha256);
            if (saved.Score is { } s) w.WriteNumber("score", s);
            else w.WriteNull("score");
            w.WriteEndObject();
        }
        try
        {
            AtomicFile.WriteAllBytes(InfoPath(saved.Path), buffer.ToArray());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The checkpoint itself is complete; without its note it lists with a recomputed hash and no score.
            if (DiskFull.Is(e))
                throw new TrainingException("disk-full", $"the disk is full while saving checkpoint notes for {saved.Path}; the checkpoint itself is intact: free space and resume the run");
            throw new TrainingException("checkpoint-write", $"cannot write checkpoint notes for {saved.Path}: {e.Message.ReplaceLineEndings(" ")}");
        }
    }

    private static SavedCheckpoint ReadInfo(string path, long images)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(InfoPath(path)));
            var root = doc.RootElement;
            var score = root.GetProperty("score");
            if (root.GetProperty("imagesSeen").GetInt64() == images)
                return new SavedCheckpoint(path, images, root.GetProperty("sha256").GetString()!,
                    score.ValueKind == JsonValueKind.Number ? score.GetDouble() : null);
        }
        catch (Exception e) when (e is IOException or JsonException or KeyNotFoundException or InvalidOperationException or UnauthorizedAccessException) { }
        // No usable note (a crash between the checkpoint and its note): hash the file itself.
        using var stream = File.OpenRead(path);
        return new SavedCheckpoint(path, images, Convert.ToHexStringLower(SHA256.HashData(stream)), null);
    }
}
