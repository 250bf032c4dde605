using System.Buffers.Binary;
using System.Text;

namespace Atelier.Datasets;

/// <summary>
/// The fixed 64-byte little-endian header of a shard file, followed directly by Count*Height*Width*Channels
/// uint8 pixels in NHWC order (pixel data starts 64-byte aligned for memory mapping).
/// <code>
/// 0  char[8] magic "ATLSHRD1"     24 uint32 height       40 uint64 first (global) image index
/// 8  uint32  version = 1          28 uint32 width        48 uint32 shard number
/// 12 uint32  header bytes = 64    32 uint32 channels     52 12 reserved zero bytes
/// 16 uint64  image count          36 uint32 layout (1 = NHWC)
/// </code>
/// </summary>
public readonly record struct ShardHeader(long Count, int Height, int Width, int Channels, long FirstIndex, int ShardNumber)
{
    public const int Size = 64;
    public const int CurrentVersion = 1;
    public const int LayoutNhwc = 1;
    public static ReadOnlySpan<byte> Magic => "ATLSHRD1"u8;

    public long ImageBytes => (long)Height * Width * Channels;
    public long FileLength => Size + Count * ImageBytes;

    public void WriteTo(Span<byte> destination)
    {
        if (destination.Length < Size) throw new ArgumentException("header needs 64 bytes", nameof(destination));
        destination[..Size].Clear();
        Magic.CopyTo(destination);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[8..], CurrentVersion);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[12..], Size);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[16..], (ulong)Count);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[24..], (uint)Height);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[28..], (uint)Width);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[32..], (uint)Channels);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[36..], LayoutNhwc);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[40..], (ulong)FirstIndex);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[48..], (uint)ShardNumber);
    }

    /// <summary>Parses and validates a header; <paramref name="source"/> names the file in error messages.</summary>
    public static ShardHeader Read(ReadOnlySpan<byte> bytes, string source)
    {
        if (bytes.Length < Size)
            throw Error(DatasetErrorCode.TruncatedShard, source, $"only {bytes.Length} bytes, a shard header needs {Size}");
        if (!bytes[..8].SequenceEqual(Magic))
            throw Error(DatasetErrorCode.BadMagic, source, $"magic '{Encoding.ASCII.GetString(bytes[..8])}' is not ATLSHRD1");
        uint version = BinaryPrimitives.ReadUInt32LittleEndian(bytes[8..]);
        if (version != CurrentVersion)
            throw Error(DatasetErrorCode.UnsupportedVersion, source, $"shard version {version}, this reader knows {CurrentVersion}");
        uint headerBytes = BinaryPrimitives.ReadUInt32LittleEndian(bytes[12..]);
        ulong count = BinaryPrimitives.ReadUInt64LittleEndian(bytes[16..]);
        uint height = BinaryPrimitives.ReadUInt32LittleEndian(bytes[24..]);
        uint width = BinaryPrimitives.ReadUInt32LittleEndian(bytes[28..]);
        uint channels = BinaryPrimitives.ReadUInt32LittleEndian(bytes[32..]);
        uint layout = BinaryPrimitives.ReadUInt32LittleEndian(bytes[36..]);
        ulong first = BinaryPrimitives.ReadUInt64LittleEndian(bytes[40..]);
        uint shard = BinaryPrimitives.ReadUInt32LittleEndian(bytes[48..]);
        if (headerBytes != Size) throw Invalid(source, $"header size {headerBytes}, expected {Size}");
        if (layout != LayoutNhwc) throw Invalid(source, $"layout {layout} is not NHWC (1)");
        if (channels is 0 or > 4) throw Invalid(source, $"{channels} channels");
        if (height is 0 or > 65536 || width is 0 or > 65536) throw Invalid(source, $"image size {width}x{height}");
        if (count > int.MaxValue || first > long.MaxValue / 2 || shard > int.MaxValue)
            throw Invalid(source, $"count {count} / first index {first} / shard {shard} out of range");
        return new ShardHeader((long)count, (int)height, (int)width, (int)channels, (long)first, (int)shard);
    }

    private static DatasetException Invalid(string source, string why) => Error(DatasetErrorCode.InvalidShardHeader, source, why);
    private static DatasetException Error(DatasetErrorCode code, string source, string why) => new(code, $"{source}: {why}");
}
