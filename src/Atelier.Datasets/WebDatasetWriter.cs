using System.Formats.Tar;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Atelier.Datasets;

/// <summary>
/// WebDataset export: tar shards dataset-000000.tar, ... each holding up to MaxSamplesPerTar samples as
/// &lt;key&gt;.json, &lt;key&gt;.png, &lt;key&gt;.txt with key = the image's SHA-256. Tars are ustar with
/// mtime 0, uid/gid 0, mode 0644 and no user names, samples in index order, so the same input gives
/// byte-identical tars. Each tar is written as .partial and renamed when closed.
/// </summary>
public sealed class WebDatasetWriter : ExportWriter
{
    private static readonly UnixFileMode FileMode644 =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private readonly RgbPngEncoder _encoder;
    private FileStream? _stream;
    private TarWriter? _tar;
    private int _currentFirst;
    private int _currentCount;
    private int _tarNumber;

    public WebDatasetWriter(ExportOptions options, RgbPngEncoder pngEncoder) : base(options)
    {
        _encoder = pngEncoder ?? throw new ArgumentNullException(nameof(pngEncoder));
    }

    public override ExportFormat Format => ExportFormat.WebDataset;

    public static string TarFileName(int number) => $"dataset-{number.ToString("D6", CultureInfo.InvariantCulture)}.tar";

    protected override void WriteImage(int index, ExportLabel label, ReadOnlySpan<byte> rgb)
    {
        if (_tar is null)
        {
            _stream = new FileStream(PartialFile.PartialPath(OutputPath(TarFileName(_tarNumber))),
                FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 20);
            _tar = new TarWriter(_stream, TarEntryFormat.Ustar, leaveOpen: true);
            _currentFirst = index;
            _currentCount = 0;
        }
        string key = label.Sha256;
        AddEntry(key + ".json", SampleJson(index, label));
        AddEntry(key + ".png", _encoder(rgb, Options.Resolution, Options.Resolution));
        AddEntry(key + ".txt", Encoding.UTF8.GetBytes(CaptionWriter.Format(label, Options.Caption)));
        _currentCount++;
        if (_currentCount == Options.MaxSamplesPerTar) CloseTar();
    }

    protected override void FinishFiles() => CloseTar();

    protected override void Abandon()
    {
        if (_stream is null) return;
        string partial = _stream.Name;
        _tar?.Dispose();
        _stream.Dispose();
        _tar = null;
        _stream = null;
        PartialFile.DeleteQuietly(partial);
    }

    private void AddEntry(string name, byte[] data)
    {
        var entry = new UstarTarEntry(TarEntryType.RegularFile, name)
        {
            ModificationTime = DateTimeOffset.UnixEpoch,
            Mode = FileMode644,
            Uid = 0,
            Gid = 0,
            UserName = string.Empty,
            GroupName = string.Empty,
            DataStream = new MemoryStream(data, writable: false),
        };
        _tar!.WriteEntry(entry);
    }

    private byte[] SampleJson(int index, ExportLabel label)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("index", index);
            w.WriteString("sha256", label.Sha256);
            LabelJson.WriteRating(w, label.Rating);
            LabelJson.WriteTags(w, label.Tags);
            w.WriteString("snapshotRoot", Options.SnapshotRoot.ToLowerInvariant());
            w.WriteEndObject();
        }
        return buffer.ToArray();
    }

    private void CloseTar()
    {
        if (_stream is null) return;
        _tar!.Dispose(); // writes the end-of-archive blocks
        _tar = null;
        _stream.Flush(flushToDisk: true);
        string partial = _stream.Name;
        _stream.Dispose();
        _stream = null;

        string name = TarFileName(_tarNumber);
        PartialFile.Commit(partial, OutputPath(name));
        RecordFile(new ExportFile(name, _currentFirst, _currentCount, PartialFile.Sha256OfFile(OutputPath(name))));
        _tarNumber++;
    }
}
