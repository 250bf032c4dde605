using System.Buffers;
using System.Text;
using System.Text.Json;
using Atelier.Catalog;
using TorchSharp;
using TorchSharp.Modules;

namespace Atelier.Training.Reporting;

/// <summary>
/// A run's metrics: one JSON line per <see cref="Write"/> in metrics.jsonl (flushed at once, so a
/// crash loses at most the line being written) and the same scalars in a TensorBoard event file in
/// the run folder. Non-finite values are written as null and read back as NaN.
/// </summary>
public sealed class MetricsLog : IDisposable
{
    public const string FileName = Workspace.RunFiles.Metrics;
    private const string ImagesKey = "images";
    private const string KimgKey = "kimg";

    private readonly FileStream _file;
    private readonly ArrayBufferWriter<byte> _line = new(1024);
    private readonly Utf8JsonWriter _json;
    private readonly SummaryWriter? _tensorBoard;

    /// <param name="truncateAfterImages">On resume: rows (and TensorBoard records) with more images than the checkpoint are dropped, so the log matches the resumed run.</param>
    public MetricsLog(string runDirectory, bool tensorBoard = true, long truncateAfterImages = long.MaxValue)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runDirectory);
        Directory.CreateDirectory(runDirectory);
        RunDirectory = Path.GetFullPath(runDirectory);
        FilePath = Path.Combine(RunDirectory, FileName);
        Repair(FilePath, truncateAfterImages);
        _file = new FileStream(FilePath, FileMode.Append, FileAccess.Write, FileShare.Read);
        _json = new Utf8JsonWriter(_line);
        if (tensorBoard)
        {
            if (truncateAfterImages != long.MaxValue) TensorBoardEvents.TrimAfter(RunDirectory, truncateAfterImages);
            TorchRuntime.EnsureLoadable();
            _tensorBoard = torch.utils.tensorboard.SummaryWriter(RunDirectory);
        }
    }

    public string RunDirectory { get; }
    public string FilePath { get; }

    /// <summary>Appends {"images":N,"kimg":N/1000,key:value,...}; keys are written in the order given.</summary>
    public void Write(long imagesSeen, IReadOnlyDictionary<string, double> values)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(imagesSeen);
        ArgumentNullException.ThrowIfNull(values);
        _line.ResetWrittenCount();
        _json.Reset();
        _json.WriteStartObject();
        _json.WriteNumber(ImagesKey, imagesSeen);
        _json.WriteNumber(KimgKey, imagesSeen / 1000.0);
        foreach (var (key, value) in values)
        {
            if (key is ImagesKey or KimgKey) throw new ArgumentException($"'{key}' is written by the log itself", nameof(values));
            if (double.IsFinite(value)) _json.WriteNumber(key, value);
            else _json.WriteNull(key);
        }
        _json.WriteEndObject();
        _json.Flush();
        _file.Write(_line.WrittenSpan);
        _file.WriteByte((byte)'\n');
        _file.Flush();

        if (_tensorBoard is not null)
        {
            // TensorBoard steps are int32: images seen, saturating after 2.1 G images.
            int step = (int)Math.Min(imagesSeen, int.MaxValue);
            foreach (var (key, value) in values) _tensorBoard.add_scalar(key, (float)value, step);
        }
    }

    public IReadOnlyList<MetricsRow> ReadAll()
    {
        _file.Flush();
        return Read(FilePath);
    }

    /// <summary>Rows of a metrics.jsonl file; a torn last line (crash mid-write) is skipped.</summary>
    public static IReadOnlyList<MetricsRow> Read(string path)
    {
        var rows = new List<MetricsRow>();
        if (!File.Exists(path)) return rows;
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        while (reader.ReadLine() is { } line)
            if (TryParse(line, out var row)) rows.Add(row);
        return rows;
    }

    public void Dispose()
    {
        _json.Dispose();
        _file.Dispose();
    }

    private static bool TryParse(string line, out MetricsRow row)
    {
        row = null!;
        if (string.IsNullOrWhiteSpace(line)) return false;
        try
        {
            using var doc = JsonDocument.Parse(line);
            var values = new Dictionary<string, double>(StringComparer.Ordinal);
            long images = -1;
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (p.Name == ImagesKey) images = p.Value.GetInt64();
                else if (p.Name == KimgKey) continue;
                else values[p.Name] = p.Value.ValueKind == JsonValueKind.Number ? p.Value.GetDouble() : double.NaN;
            }
            if (images < 0) return false;
            row = new MetricsRow(images, values);
            return true;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            return false;
        }
    }

    /// <summary>
    /// Drops rows beyond the resume point and a torn last line, rewriting the file atomically;
    /// untouched when nothing needs dropping.
    /// </summary>
    private static void Repair(string path, long truncateAfterImages)
    {
        if (!File.Exists(path)) return;
        byte[] bytes = File.ReadAllBytes(path);
        var kept = new MemoryStream(bytes.Length);
        bool changed = false;
        int start = 0;
        while (start < bytes.Length)
        {
            int end = Array.IndexOf(bytes, (byte)'\n', start);
            bool complete = end >= 0;
            if (!complete) end = bytes.Length;
            string line = Encoding.UTF8.GetString(bytes, start, end - start);
            if (complete && TryParse(line, out var row) && row.Images <= truncateAfterImages)
                kept.Write(bytes, start, end - start + 1);
            else
                changed = true;
            start = end + 1;
        }
        if (changed) AtomicFile.WriteAllBytes(path, kept.GetBuffer().AsSpan(0, (int)kept.Length));
    }
}
