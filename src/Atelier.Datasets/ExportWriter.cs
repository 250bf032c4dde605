using System.Text.Json;

namespace Atelier.Datasets;

/// <summary>
/// Shared bookkeeping for the export writers: index order, pixel-size checks, label collection,
/// and the labels.jsonl / dataset.json written on completion.
/// </summary>
public abstract class ExportWriter : IExportWriter
{
    public const string DescriptorFileName = "dataset.json";
    public const string LabelsFileName = "labels.jsonl";
    public const string DescriptorFormatId = "atelier.export/1";

    private readonly List<ExportLabel> _labels = [];
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly List<ExportFile> _files = [];
    private bool _closed;

    protected ExportWriter(ExportOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        Directory.CreateDirectory(options.OutputDirectory);
        if (File.Exists(Path.Combine(options.OutputDirectory, DescriptorFileName)))
            throw new DatasetException(DatasetErrorCode.ExportExists,
                $"{options.OutputDirectory} already holds a finished export ({DescriptorFileName})");
    }

    public ExportOptions Options { get; }
    public abstract ExportFormat Format { get; }
    public int Count => _labels.Count;
    protected string OutputPath(string name) => Path.Combine(Options.OutputDirectory, name);

    public void Add(int index, ExportLabel label, ReadOnlySpan<byte> rgb)
    {
        ArgumentNullException.ThrowIfNull(label);
        ThrowIfClosed();
        if (index != _labels.Count)
            throw new DatasetException(DatasetErrorCode.OutOfOrder, $"expected image index {_labels.Count}, got {index}");
        if (rgb.Length != Options.ImageBytes)
            throw new DatasetException(DatasetErrorCode.WrongPixelCount,
                $"image {index} has {rgb.Length} bytes, expected {Options.ImageBytes} ({Options.Resolution}x{Options.Resolution} RGB)");
        if (!_seen.Add(label.Sha256))
            throw new DatasetException(DatasetErrorCode.DuplicateItem, $"image {label.Sha256} added twice");
        WriteImage(index, label, rgb);
        _labels.Add(label);
    }

    public void Complete()
    {
        ThrowIfClosed();
        FinishFiles();
        var vocabulary = LabelVocabulary.Build(_labels);
        PartialFile.WriteAllBytes(OutputPath(LabelsFileName), BuildLabels(vocabulary));
        // dataset.json goes last: its presence is what marks the export complete.
        PartialFile.WriteAllBytes(OutputPath(DescriptorFileName), BuildDescriptor(vocabulary));
        _closed = true;
    }

    public void Dispose()
    {
        if (!_closed) Abandon();
        _closed = true;
        GC.SuppressFinalize(this);
    }

    protected abstract void WriteImage(int index, ExportLabel label, ReadOnlySpan<byte> rgb);

    /// <summary>Flush and commit whatever file is still open.</summary>
    protected abstract void FinishFiles();

    /// <summary>Delete any partial file; committed files stay but no dataset.json is written.</summary>
    protected abstract void Abandon();

    protected void RecordFile(ExportFile file) => _files.Add(file);

    /// <summary>Extra per-format properties for dataset.json.</summary>
    protected virtual void WriteFormatProperties(Utf8JsonWriter w) { }

    private void ThrowIfClosed()
    {
        if (_closed) throw new DatasetException(DatasetErrorCode.WriterClosed, "export writer is already completed or disposed");
    }

    private byte[] BuildLabels(LabelVocabulary vocabulary)
    {
        using var buffer = new MemoryStream();
        for (int i = 0; i < _labels.Count; i++)
        {
            var label = _labels[i];
            using (var w = new Utf8JsonWriter(buffer))
            {
                w.WriteStartObject();
                w.WriteNumber("index", i);
                w.WriteString("sha256", label.Sha256);
                LabelJson.WriteRating(w, label.Rating);
                w.WriteNumber("ratingIndex", vocabulary.IndexOfRating(label.Rating));
                w.WriteStartArray("tagIndices");
                foreach (int t in label.Tags.Select(vocabulary.IndexOf).Order()) w.WriteNumberValue(t);
                w.WriteEndArray();
                LabelJson.WriteTags(w, label.Tags);
                w.WriteEndObject();
            }
            buffer.WriteByte((byte)'\n');
        }
        return buffer.ToArray();
    }

    private byte[] BuildDescriptor(LabelVocabulary vocabulary)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("format", DescriptorFormatId);
            w.WriteString("exportFormat", Format.ToString());
            w.WriteStartObject("snapshot");
            w.WriteString("name", Options.SnapshotName);
            w.WriteString("rootHash", Options.SnapshotRoot.ToLowerInvariant());
            w.WriteEndObject();
            w.WriteNumber("count", _labels.Count);
            w.WriteNumber("width", Options.Resolution);
            w.WriteNumber("height", Options.Resolution);
            w.WriteNumber("channels", ExportOptions.Channels);
            w.WriteString("dtype", "uint8");
            w.WriteString("layout", "NHWC");
            w.WriteString("fit", Options.Fit);
            w.WriteString("background", Options.Background);
            w.WriteString("labels", LabelsFileName);
            WriteFormatProperties(w);
            w.WriteStartArray("ratings");
            foreach (var r in vocabulary.Ratings)
            {
                w.WriteStartObject();
                w.WriteNumber("index", r.Index);
                w.WriteString("name", r.Name);
                w.WriteNumber("count", r.Count);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("tags");
            foreach (var t in vocabulary.Tags)
            {
                w.WriteStartObject();
                w.WriteNumber("index", t.Index);
                w.WriteString("name", t.Name);
                w.WriteString("category", t.Category);
                w.WriteNumber("count", t.Count);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("files");
            foreach (var f in _files)
            {
                w.WriteStartObject();
                w.WriteString("name", f.Name);
                w.WriteNumber("firstIndex", f.FirstIndex);
                w.WriteNumber("count", f.Count);
                w.WriteString("sha256", f.Sha256);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }
}
