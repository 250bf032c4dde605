using System.Buffers.Binary;

namespace Atelier.Imaging;

/// <summary>
/// Finds a standard XMP packet where the metadata reader looks for one, walking the container's
/// structure. The probe uses it to tell "no XMP" from "XMP the reader could not parse": the
/// data-mining opt-out lives in XMP, so the second must not pass for the first.
/// </summary>
public static class XmpPacket
{
    private static readonly byte[] JpegPreamble = "http://ns.adobe.com/xap/1.0/\0"u8.ToArray();
    private static readonly byte[] PngKeyword = "XML:com.adobe.xmp\0"u8.ToArray();
    private static readonly byte[] XmpRoot = "<x:xmpmeta"u8.ToArray();
    private static readonly byte[] GifApplication = [0x21, 0xFF, 0x0B, .. "XMP DataXMP"u8];

    /// <summary>Finds a standard XMP packet where the metadata reader looks for one, walking the container's structure.</summary>
    public static bool IsPresent(ReadOnlySpan<byte> b, ImageFormat format) => format switch
    {
        ImageFormat.Jpeg => JpegHasPacket(b),
        ImageFormat.Png => PngHasPacket(b),
        ImageFormat.Webp => WebpHasPacket(b),
        ImageFormat.Gif => b.IndexOf(GifApplication) >= 0,
        // TIFF tag 700 and the HEIF 'mime' item hold a bare packet; walking IFDs and item locations to find it would be a
        // second parser, and the packet's own root element is distinctive enough to say that one is there.
        ImageFormat.Tiff or ImageFormat.Avif or ImageFormat.Heic => b.IndexOf(XmpRoot) >= 0,
        _ => false,
    };

    /// <summary>APP1 segments before the scan data whose payload starts with the XMP preamble.</summary>
    private static bool JpegHasPacket(ReadOnlySpan<byte> b)
    {
        int i = 2;
        while (i + 4 <= b.Length && b[i] == 0xFF)
        {
            byte marker = b[i + 1];
            if (marker == 0xFF) { i++; continue; } // fill byte
            if (marker is 0x01 or (>= 0xD0 and <= 0xD8)) { i += 2; continue; } // no length field
            if (marker is 0xDA or 0xD9) return false; // scan data or end: no more metadata segments
            int length = BinaryPrimitives.ReadUInt16BigEndian(b[(i + 2)..]);
            if (length < 2 || i + 2 + length > b.Length) return false;
            if (marker == 0xE1 && b.Slice(i + 4, length - 2).StartsWith(JpegPreamble)) return true;
            i += 2 + length;
        }
        return false;
    }

    /// <summary>An <c>iTXt</c> chunk with the XMP keyword.</summary>
    private static bool PngHasPacket(ReadOnlySpan<byte> b)
    {
        long i = 8;
        while (i + 8 <= b.Length)
        {
            uint length = BinaryPrimitives.ReadUInt32BigEndian(b[(int)i..]);
            var type = b.Slice((int)i + 4, 4);
            long end = i + 12 + length;
            if (end > b.Length) return false;
            if (type.SequenceEqual("iTXt"u8) && b.Slice((int)i + 8, (int)length).StartsWith(PngKeyword)) return true;
            if (type.SequenceEqual("IEND"u8)) return false;
            i = end;
        }
        return false;
    }

    /// <summary>An <c>XMP </c> chunk in the RIFF container.</summary>
    private static bool WebpHasPacket(ReadOnlySpan<byte> b)
    {
        long i = 12;
        while (i + 8 <= b.Length)
        {
            var fourCc = b.Slice((int)i, 4);
            uint size = BinaryPrimitives.ReadUInt32LittleEndian(b[((int)i + 4)..]);
            if (fourCc.SequenceEqual("XMP "u8)) return true;
            i += 8 + (long)size + (size & 1);
        }
        return false;
    }
}
