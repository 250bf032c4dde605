using System.Globalization;
using System.Text.Json;

namespace Atelier.Datasets;

/// <summary>
/// Writes images into memory-mappable uint8 shards (shard-00000.bin, ...) for the trainer; see
/// <see cref="ShardHeader"/> for the layout. A shard closes when it reaches MaxImagesPerShard or the
/// MaxShardBytes budget. Each shard is written as shard-NNNNN.bin.partial and renamed once complete.
/// </summary>
public sealed class ShardWriter : ExportWriter
{
    private readonly int _imagesPerShard;
    private FileStream? _current;
    private int _currentFirst;
    private int _currentCount;
    private int _shardNumber;

    public ShardWriter(ExportOptions options) : base(options)
    {
        long byBudget = Math.Max(1, options.MaxShardBytes / options.ImageBytes);
        _imagesPerShard = (int)Math.Min(options.MaxImagesPerShard, byBudget);
    }

    public override ExportFormat Format => ExportFormat.Shards;
    public int ImagesPerShard => _imagesPerShard;

    public static string ShardFileName(int shardNumber) => $"shard-{shardNumber.ToString("D5", CultureInfo.InvariantCulture)}.bin";

    protected override void WriteImage(int index, ExportLabel label, ReadOnlySpan<byte> rgb)
    {
        if (_current is null)
        {
            _current = new FileStream(PartialFile.PartialPath(OutputPath(ShardFileName(_shardNumber))),
                FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 20);
            // Placeholder header: its count is only known when the shard closes.
            _current.Write(new byte[ShardHeader.Size]);
            _currentFirst = index;
            _currentCount = 0;
        }
        _current.Write(rgb);
        _currentCount++;
        if (_currentCount == _imagesPerShard) CloseShard();
    }

    protected override void FinishFiles() => CloseShard();

    protected override void Abandon()
    {
        if (_current is null) return;
        string partial = _current.Name;
        _current.Dispose();
        _current = null;
        PartialFile.DeleteQuietly(partial);
    }

    protected override void WriteFormatProperties(Utf8JsonWriter w)
    {
        w.WriteString("shardMagic", "ATLSHRD1");
        w.WriteNumber("shardHeaderBytes", ShardHeader.Size);
        w.WriteNumber("imagesPerShard", _imagesPerShard);
    }

    private void CloseShard()
    {
        if (_current is null) return;
        var header = new ShardHeader(_currentCount, Options.Resolution, Options.Resolution, ExportOptions.Channels, _currentFirst, _shardNumber);
        Span<byte> bytes = stackalloc byte[ShardHeader.Size];
        header.WriteTo(bytes);
        _current.Position = 0;
        _current.Write(bytes);
        _current.Flush(flushToDisk: true);
        string partial = _current.Name;
        _current.Dispose();
        _current = null;

        string name = ShardFileName(_shardNumber);
        PartialFile.Commit(partial, OutputPath(name));
        RecordFile(new ExportFile(name, _currentFirst, _currentCount, PartialFile.Sha256OfFile(OutputPath(name))));
        _shardNumber++;
    }
}
