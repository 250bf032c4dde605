using System.Buffers.Binary;
using System.IO.Hashing;

namespace Atelier.Provenance.Credentials;

/// <summary>
/// PNG: XMP in an <c>iTXt</c> chunk with keyword <c>XML:com.adobe.xmp</c> (uncompressed), the C2PA store in a
/// <c>caBX</c> chunk. Both go right after IHDR, before any image data.
/// </summary>
internal sealed class PngContainer : IImageContainer
{
    public static readonly PngContainer Instance = new();
    private static readonly byte[] XmpKeyword = "XML:com.adobe.xmp"u8.ToArray();
    private const int SignatureLength = 8;
    /// <summary>Limits for reading: bigger chunks of these kinds are refused, not read.</summary>
    internal const int MaxXmp = 1 << 20, MaxManifest = 16 << 20;

    private readonly record struct Chunk(int Offset, int DataLength, string Type)
    {
        public int DataOffset => Offset + 8;
        public int End => Offset + 12 + DataLength;
    }

    private static List<Chunk> Chunks(ReadOnlySpan<byte> b)
    {
        if (ImageKinds.Sniff(b) != ImageKind.Png) throw new CredentialFormatException("not a PNG file");
        var chunks = new List<Chunk>();
        var at = SignatureLength;
        while (true)
        {
            if (at + 12 > b.Length) throw new CredentialFormatException("the PNG is truncated (no IEND chunk)");
            var length = BinaryPrimitives.ReadUInt32BigEndian(b[at..]);
            if (length > int.MaxValue || at + 12 + (long)length > b.Length) throw new CredentialFormatException("the PNG is truncated (a chunk runs past the end)");
            var type = System.Text.Encoding.ASCII.GetString(b.Slice(at + 4, 4));
            var chunk = new Chunk(at, (int)length, type);
            chunks.Add(chunk);
            at = chunk.End;
            if (type == "IEND") return chunks;
        }
    }

    private static bool IsXmp(ReadOnlySpan<byte> b, Chunk c) =>
        c.Type == "iTXt" && b.Slice(c.DataOffset, c.DataLength) is var d && d.Length > XmpKeyword.Length && d.StartsWith(XmpKeyword) && d[XmpKeyword.Length] == 0;

    public byte[] Strip(ReadOnlySpan<byte> image)
    {
        var output = new List<byte>(image.Length);
        output.AddRange(image[..SignatureLength]);
        foreach (var c in Chunks(image))
            if (c.Type != "caBX" && !IsXmp(image, c)) output.AddRange(image[c.Offset..c.End]);
        return [.. output];
    }

    public byte[] WithXmp(ReadOnlySpan<byte> image, ReadOnlySpan<byte> xmp)
    {
        // keyword, NUL, compression flag 0, method 0, empty language tag NUL, empty translated keyword NUL, text.
        byte[] data = [.. XmpKeyword, 0, 0, 0, 0, 0, .. xmp];
        return Insert(image, AfterHeader(image), MakeChunk("iTXt", data));
    }

    public int ManifestOffset(ReadOnlySpan<byte> image) => AfterHeader(image);

    public byte[] Wrap(ReadOnlySpan<byte> manifestStore) => MakeChunk("caBX", manifestStore);

    public (byte[]? Xmp, byte[]? ManifestStore) Find(ReadOnlySpan<byte> image)
    {
        byte[]? xmp = null, store = null;
        foreach (var c in Chunks(image))
        {
            if (c.Type == "caBX")
            {
                if (store is not null) throw new CredentialFormatException("the PNG has more than one caBX chunk (C2PA allows one manifest store)");
                if (c.DataLength > MaxManifest) throw new CredentialFormatException($"the PNG's caBX chunk is {c.DataLength} bytes, over the {MaxManifest}-byte limit");
                store = image.Slice(c.DataOffset, c.DataLength).ToArray();
            }
            else if (xmp is null && IsXmp(image, c))
            {
                if (c.DataLength > MaxXmp) throw new CredentialFormatException($"the PNG's XMP chunk is {c.DataLength} bytes, over the {MaxXmp}-byte limit");
                xmp = ParseITxt(image.Slice(c.DataOffset, c.DataLength));
            }
        }
        return (xmp, store);
    }

    private static byte[] ParseITxt(ReadOnlySpan<byte> data)
    {
        var rest = data[(XmpKeyword.Length + 1)..];
        if (rest.Length < 2) throw new CredentialFormatException("the PNG's XMP chunk is truncated");
        if (rest[0] != 0) throw new CredentialFormatException("the PNG's XMP chunk is compressed, which XMP in PNG must not be");
        rest = rest[2..];
        for (var field = 0; field < 2; field++)
        {
            var nul = rest.IndexOf((byte)0);
            if (nul < 0) throw new CredentialFormatException("the PNG's XMP chunk is truncated");
            rest = rest[(nul + 1)..];
        }
        return rest.ToArray();
    }

    private static int AfterHeader(ReadOnlySpan<byte> image)
    {
        var chunks = Chunks(image);
        if (chunks[0].Type != "IHDR") throw new CredentialFormatException("the PNG does not start with IHDR");
        return chunks[0].End;
    }

    private static byte[] MakeChunk(string type, ReadOnlySpan<byte> data)
    {
        var chunk = new byte[12 + data.Length];
        BinaryPrimitives.WriteUInt32BigEndian(chunk, (uint)data.Length);
        System.Text.Encoding.ASCII.GetBytes(type, chunk.AsSpan(4, 4));
        data.CopyTo(chunk.AsSpan(8));
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + data.Length), Crc32.HashToUInt32(chunk.AsSpan(4, 4 + data.Length)));
        return chunk;
    }

    internal static byte[] Insert(ReadOnlySpan<byte> image, int at, ReadOnlySpan<byte> bytes) => [.. image[..at], .. bytes, .. image[at..]];
}
