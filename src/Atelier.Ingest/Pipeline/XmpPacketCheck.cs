using System.Buffers.Binary;
using System.Text;
using Atelier.Imaging;
using MetadataExtractor;
using MetadataExtractor.Formats.Xmp;

namespace Atelier.Ingest.Pipeline;

/// <summary>
/// Fails closed on XMP that cannot be read. The data-mining opt-out lives in the XMP packet, and the probe
/// treats metadata it cannot parse as absent; so an image that carries a packet the metadata reader does not
/// turn into a parsed XMP directory is refused instead of being let in as if it had no opt-out.
/// </summary>
internal static class XmpPacketCheck
{
    private static readonly byte[] JpegPreamble = "http://ns.adobe.com/xap/1.0/\0"u8.ToArray();
    private static readonly byte[] PngKeyword = "XML:com.adobe.xmp\0"u8.ToArray();
    private static readonly byte[] GifApplication = [0x21, 0xFF, 0x0B, .. "XMP DataXMP"u8];

    /// <summary>Why the image's XMP cannot be checked, or null when it has none or it parses.</summary>
    public static string? Problem(byte[] content, ImageFormat format)
    {
        if (!HasPacket(content, format)) return null;
        IReadOnlyList<MetadataExtractor.Directory> directories;
        try
        {
            using var stream = new MemoryStream(content, writable: false);
            directories = ImageMetadataReader.ReadMetadata(stream);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Any exception type can come out of a third-party parser fed untrusted bytes.
            return $"the image has an XMP packet but its metadata cannot be read ({OneLine(e.Message)}), so its data-mining opt-out cannot be checked";
        }
        var xmp = directories.OfType<XmpDirectory>().ToList();
        if (xmp.Count > 0 && xmp.All(d => d.XmpMeta is not null)) return null;
        var error = xmp.SelectMany(d => d.Errors).FirstOrDefault() ?? "the reader found no XMP in it";
        return $"the image's XMP packet cannot be parsed ({OneLine(error)}), so its data-mining opt-out cannot be checked";
    }

    /// <summary>Finds a standard XMP packet where the metadata reader looks for one, walking the container's structure.</summary>
    internal static bool HasPacket(byte[] b, ImageFormat format) => format switch
    {
        ImageFormat.Jpeg => JpegHasPacket(b),
        ImageFormat.Png => PngHasPacket(b),
        ImageFormat.Webp => WebpHasPacket(b),
        ImageFormat.Gif => b.AsSpan().IndexOf(GifApplication) >= 0,
        _ => false,
    };

    /// <summary>APP1 segments before the scan data whose payload starts with the XMP preamble.</summary>
    private static bool JpegHasPacket(byte[] b)
    {
        int i = 2;
        while (i + 4 <= b.Length && b[i] == 0xFF)
        {
            byte marker = b[i + 1];
            if (marker == 0xFF) { i++; continue; } // fill byte
            if (marker is 0x01 or (>= 0xD0 and <= 0xD8)) { i += 2; continue; } // no length field
            if (marker is 0xDA or 0xD9) return false; // scan data or end: no more metadata segments
            int length = BinaryPrimitives.ReadUInt16BigEndian(b.AsSpan(i + 2));
            if (length < 2 || i + 2 + length > b.Length) return false;
            if (marker == 0xE1 && b.AsSpan(i + 4, length - 2).StartsWith(JpegPreamble)) return true;
            i += 2 + length;
        }
        return false;
    }

    /// <summary>An <c>iTXt</c> chunk with the XMP keyword.</summary>
    private static bool PngHasPacket(byte[] b)
    {
        long i = 8;
        while (i + 8 <= b.Length)
        {
            uint length = BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan((int)i));
            var type = b.AsSpan((int)i + 4, 4);
            long end = i + 12 + length;
            if (end > b.Length) return false;
            if (type.SequenceEqual("iTXt"u8) && b.AsSpan((int)i + 8, (int)length).StartsWith(PngKeyword)) return true;
            if (type.SequenceEqual("IEND"u8)) return false;
            i = end;
        }
        return false;
    }

    /// <summary>An <c>XMP </c> chunk in the RIFF container.</summary>
    private static bool WebpHasPacket(byte[] b)
    {
        long i = 12;
        while (i + 8 <= b.Length)
        {
            var fourCc = b.AsSpan((int)i, 4);
            uint size = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan((int)i + 4));
            if (fourCc.SequenceEqual("XMP "u8)) return true;
            i += 8 + (long)size + (size & 1);
        }
        return false;
    }

    private static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();
}
