using System.IO.MemoryMappedFiles;

namespace Atelier.Datasets;

/// <summary>
/// Memory-maps one shard file read-only and hands out spans over its images without copying.
/// The header and file length are validated on open, so a corrupt or truncated shard fails there.
/// </summary>
public sealed unsafe class ShardReader : IDisposable
{
    private readonly MemoryMappedFile _map;
    private readonly MemoryMappedViewAccessor _view;
    private byte* _base;

    private ShardReader(MemoryMappedFile map, MemoryMappedViewAccessor view, ShardHeader header, string path)
    {
        _map = map;
        _view = view;
        Header = header;
        Path = path;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref _base);
        _base += _view.PointerOffset;
    }

    public ShardHeader Header { get; }
    public string Path { get; }
    public int Count => (int)Header.Count;
    public int Width => Header.Width;
    public int Height => Header.Height;
    public int Channels => Header.Channels;
    public int ImageBytes => (int)Header.ImageBytes;

    public static ShardReader Open(string path)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        try
        {
            Span<byte> bytes = stackalloc byte[ShardHeader.Size];
            int read = stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
            var header = ShardHeader.Read(bytes[..read], path);
            if (header.ImageBytes > int.MaxValue)
                throw new DatasetException(DatasetErrorCode.InvalidShardHeader, $"{path}: one image of {header.ImageBytes} bytes is too large");
            if (stream.Length < header.FileLength)
                throw new DatasetException(DatasetErrorCode.TruncatedShard,
                    $"{path}: {stream.Length} bytes, header promises {header.Count} images = {header.FileLength} bytes");
            if (stream.Length > header.FileLength)
                throw new DatasetException(DatasetErrorCode.InvalidShardHeader,
                    $"{path}: {stream.Length - header.FileLength} unexpected bytes after {header.Count} images");
            var map = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
            try
            {
                var view = map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
                return new ShardReader(map, view, header, path);
            }
            catch
            {
                map.Dispose();
                throw;
            }
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>The pixels of image <paramref name="i"/> (0-based within this shard), Height*Width*Channels bytes NHWC.</summary>
    public ReadOnlySpan<byte> GetImage(int i)
    {
        ObjectDisposedException.ThrowIf(_base is null, this);
        if ((uint)i >= (uint)Count)
            throw new DatasetException(DatasetErrorCode.IndexOutOfRange, $"{Path}: image {i} is outside 0..{Count - 1}");
        return new ReadOnlySpan<byte>(_base + ShardHeader.Size + (long)i * ImageBytes, ImageBytes);
    }

    public void Dispose()
    {
        if (_base is null) return;
        _base = null;
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _map.Dispose();
    }
}
