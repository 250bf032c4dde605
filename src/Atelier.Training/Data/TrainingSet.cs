using System.Collections.Immutable;
using System.Text.Json;
using Atelier.Datasets;

namespace Atelier.Training.Data;

/// <summary>
/// A finished shard export opened for training: pixels memory-mapped by index and, per image, the
/// label indices for the chosen conditioning. Everything the trainer would trip over later (wrong
/// size, missing or ambiguous classes) is refused here with one line.
/// </summary>
public sealed class TrainingSet : IDisposable
{
    private readonly ShardSet _shards;
    // Per image, the positions in Labels.Labels that are 1 (one for a class, several for multi-label).
    private readonly int[][] _hot;

    private TrainingSet(ShardSet shards, int resolution, LabelSpace labels, int[][] hot)
    {
        _shards = shards;
        Resolution = resolution;
        Labels = labels;
        _hot = hot;
    }

    public int Count => _shards.Count;
    public int Resolution { get; }
    public LabelSpace Labels { get; }
    public string SnapshotRoot => _shards.SnapshotRoot;

    /// <summary>Bytes of one image: Resolution x Resolution x 3, uint8 HWC.</summary>
    public int ImageBytes => Resolution * Resolution * 3;

    /// <exception cref="TrainingException">The export cannot be trained on as asked; the message says why and what would fix it.</exception>
    public static TrainingSet Open(string exportDirectory, ConditioningRequest conditioning, int resolution)
    {
        ArgumentNullException.ThrowIfNull(exportDirectory);
        ArgumentNullException.ThrowIfNull(conditioning);
        if (conditioning.Mode == ConditioningMode.Category && string.IsNullOrWhiteSpace(conditioning.Category))
            throw new TrainingException("bad-conditioning", "class conditioning needs a tag category name, e.g. --cond character");
        if (!Directory.Exists(exportDirectory))
            throw new TrainingException("export-missing", $"{exportDirectory} does not exist: export a dataset there first (atelier export --format shards)");
        string descriptorPath = Path.Combine(exportDirectory, ExportWriter.DescriptorFileName);
        if (!File.Exists(descriptorPath))
            throw new TrainingException("export-unfinished", $"{exportDirectory} has no {ExportWriter.DescriptorFileName}: the export is missing or unfinished; run the export again to completion");

        var descriptor = ExportDescriptor.Read(descriptorPath);
        if (descriptor.Format != nameof(ExportFormat.Shards))
            throw new TrainingException("export-format", $"{exportDirectory} is a {descriptor.Format} export; training reads shard exports (atelier export --format shards)");
        if (descriptor.Width != descriptor.Height || descriptor.Channels != 3)
            throw new TrainingException("export-shape", $"{exportDirectory} holds {descriptor.Width}x{descriptor.Height}x{descriptor.Channels} images; training needs square RGB images");
        if (descriptor.Width != resolution)
            throw new TrainingException("resolution-mismatch", $"{exportDirectory} holds {descriptor.Width}x{descriptor.Height} images but the model is {resolution}x{resolution}: export at {resolution} or train at {descriptor.Width}");
        if (descriptor.Count == 0)
            throw new TrainingException("empty-set", $"{exportDirectory} holds no images: export a snapshot that selects at least one image");

        ShardSet shards;
        try { shards = ShardSet.Open(exportDirectory); }
        catch (DatasetException e) { throw new TrainingException("export-invalid", $"{exportDirectory} cannot be read ({e.Message}); export it again"); }
        catch (IOException e) { throw new TrainingException("export-invalid", $"{exportDirectory} cannot be read ({e.Message}); export it again"); }

        try
        {
            var (space, hot) = conditioning.Mode switch
            {
                ConditioningMode.None => (new LabelSpace(ConditioningMode.None, null, []), EmptyLabels(shards.Count)),
                ConditioningMode.Category => ClassLabels(exportDirectory, shards, descriptor.Tags, conditioning.Category!),
                ConditioningMode.MultiLabel => MultiLabels(exportDirectory, shards, descriptor.Tags),
                _ => throw new ArgumentOutOfRangeException(nameof(conditioning)),
            };
            return new TrainingSet(shards, resolution, space, hot);
        }
        catch
        {
            shards.Dispose();
            throw;
        }
    }

    /// <summary>The uint8 HWC pixels of image <paramref name="index"/>; valid until the set is disposed.</summary>
    public ReadOnlySpan<byte> Pixels(int index) => _shards.GetImage(index);

    /// <summary>Writes image <paramref name="index"/>'s label vector (length <see cref="LabelSpace.Dim"/>).</summary>
    public void CopyLabels(int index, Span<float> destination)
    {
        if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index), $"image {index} is outside 0..{Count - 1}");
        if (destination.Length != Labels.Dim)
            throw new ArgumentException($"destination has {destination.Length} floats, the label space has {Labels.Dim}", nameof(destination));
        destination.Clear();
        foreach (int i in _hot[index]) destination[i] = 1f;
    }

    /// <summary>SHA-256 of image <paramref name="index"/> as recorded in labels.jsonl.</summary>
    public string Sha256(int index) => _shards.Labels[index].Sha256;

    /// <summary>Unmaps the shards: dispose any <see cref="BatchStream"/> reading this set first.</summary>
    public void Dispose() => _shards.Dispose();

    private static int[][] EmptyLabels(int count)
    {
        var result = new int[count][];
        Array.Fill(result, []);
        return result;
    }

    private static (LabelSpace, int[][]) ClassLabels(string dir, ShardSet shards, ImmutableArray<DescriptorTag> tags, string category)
    {
        var inCategory = tags.Where(t => t.Category == category).ToArray();
        if (inCategory.Length == 0)
        {
            var known = tags.Select(t => t.Category).Distinct().Order(StringComparer.Ordinal).ToArray();
            string choice = known.Length == 0 ? "the export has no tags at all; use --cond none" : $"categories in it: {string.Join(", ", known)}";
            throw new TrainingException("unknown-category", $"class conditioning on '{category}': {dir} has no tag in that category ({choice})");
        }
        // Vocabulary index -> class number within the category.
        var classOf = new Dictionary<int, int>();
        for (int i = 0; i < inCategory.Length; i++) classOf[inCategory[i].Index] = i;

        var hot = new int[shards.Count][];
        int none = 0, several = 0;
        string? firstNone = null, firstSeveral = null;
        for (int image = 0; image < shards.Count; image++)
        {
            var label = shards.Labels[image];
            int found = -1, matches = 0;
            foreach (int t in label.TagIndices)
                if (classOf.TryGetValue(t, out int c)) { found = c; matches++; }
            if (matches == 0) { none++; firstNone ??= label.Sha256; }
            else if (matches > 1) { several++; firstSeveral ??= label.Sha256; }
            else hot[image] = [found];
        }
        if (none > 0)
            throw new TrainingException("class-missing",
                $"class conditioning on '{category}' needs exactly one {category}: tag per image; {none} image{(none == 1 ? " has" : "s have")} none (first: sha {Short(firstNone!)}); tag them, filter them out of the snapshot, or use --cond multi");
        if (several > 0)
            throw new TrainingException("class-ambiguous",
                $"class conditioning on '{category}' needs exactly one {category}: tag per image; {several} image{(several == 1 ? " has" : "s have")} several (first: sha {Short(firstSeveral!)}); keep one tag each, or use --cond multi");
        return (new LabelSpace(ConditioningMode.Category, category, [.. inCategory.Select(t => t.Name)]), hot);
    }

    private static (LabelSpace, int[][]) MultiLabels(string dir, ShardSet shards, ImmutableArray<DescriptorTag> tags)
    {
        if (tags.Length == 0)
            throw new TrainingException("no-tags", $"multi-label conditioning needs tags, and {dir} has none: tag the images and export again, or use --cond none");
        // Vocabulary indices are 0..n-1 in (category, name) order, so they are the label positions.
        var hot = new int[shards.Count][];
        int untagged = 0;
        string? first = null;
        for (int image = 0; image < shards.Count; image++)
        {
            var label = shards.Labels[image];
            if (label.TagIndices.IsEmpty) { untagged++; first ??= label.Sha256; continue; }
            foreach (int t in label.TagIndices)
                if ((uint)t >= (uint)tags.Length)
                    throw new TrainingException("export-invalid", $"{dir}: image {image} has tag index {t} outside the vocabulary of {tags.Length}; export it again");
            hot[image] = [.. label.TagIndices];
        }
        if (untagged > 0)
            throw new TrainingException("untagged-images",
                $"multi-label conditioning needs at least one tag per image; {untagged} image{(untagged == 1 ? " has" : "s have")} none (first: sha {Short(first!)}); tag them, filter them out of the snapshot, or use --cond none");
        return (new LabelSpace(ConditioningMode.MultiLabel, null, [.. tags.Select(t => $"{t.Category}:{t.Name}")]), hot);
    }

    private static string Short(string sha) => sha.Length > 12 ? sha[..12] + "..." : sha;

    private sealed record DescriptorTag(int Index, string Name, string Category);

    /// <summary>The parts of dataset.json the trainer checks before mapping any shard.</summary>
    private sealed record ExportDescriptor(string Format, int Count, int Width, int Height, int Channels, ImmutableArray<DescriptorTag> Tags)
    {
        public static ExportDescriptor Read(string path)
        {
            try
            {
                using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
                var root = doc.RootElement;
                if (root.GetProperty("format").GetString() != ExportWriter.DescriptorFormatId)
                    throw new TrainingException("export-format", $"{path} is not an {ExportWriter.DescriptorFormatId} descriptor; export the dataset with this version of Atelier");
                var tags = root.GetProperty("tags").EnumerateArray()
                    .Select(t => new DescriptorTag(t.GetProperty("index").GetInt32(), t.GetProperty("name").GetString()!, t.GetProperty("category").GetString()!))
                    .OrderBy(t => t.Index)
                    .ToImmutableArray();
                for (int i = 0; i < tags.Length; i++)
                    if (tags[i].Index != i) throw new TrainingException("export-invalid", $"{path}: tag indices are not 0..{tags.Length - 1}; export the dataset again");
                return new ExportDescriptor(root.GetProperty("exportFormat").GetString() ?? "", root.GetProperty("count").GetInt32(),
                    root.GetProperty("width").GetInt32(), root.GetProperty("height").GetInt32(), root.GetProperty("channels").GetInt32(), tags);
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                throw new TrainingException("export-invalid", $"{path} is not a valid export descriptor ({e.Message}); export the dataset again");
            }
        }
    }
}
