using System.Buffers.Binary;

namespace Atelier.Imaging;

/// <summary>
/// Recognises the accepted formats by their signature bytes, so that a damaged file of a known
/// format is reported as <c>corrupt</c>/<c>truncated</c> rather than <c>unsupported-format</c>.
/// </summary>
internal static class FormatSniffer
{
    public static ImageFormat? Sniff(ReadOnlySpan<byte> b)
    {
        if (b.Length >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF)
        {
            return ImageFormat.Jpeg;
        }

        if (b.Length >= 8 && b[..8].SequenceEqual(PngSignature))
        {
            return ImageFormat.Png;
        }

        if (b.Length >= 12 && b[..4].SequenceEqual("RIFF"u8) && b.Slice(8, 4).SequenceEqual("WEBP"u8))
        {
            return ImageFormat.Webp;
        }

        if (b.Length >= 6 && (b[..6].SequenceEqual("GIF87a"u8) || b[..6].SequenceEqual("GIF89a"u8)))
        {
            return ImageFormat.Gif;
        }

        if (b.Length >= 2 && b[0] == (byte)'B' && b[1] == (byte)'M')
        {
            return ImageFormat.Bmp;
        }

        return null;
    }

    /// <summary>PNG IHDR bit depth (1, 2, 4, 8 or 16), or null when the header is not there.</summary>
    public static int? PngBitDepth(ReadOnlySpan<byte> b)
    {
        // Signature (8) + length (4) + "IHDR" (4) + width (4) + height (4) + bit depth (1).
        if (b.Length < 25 || !b.Slice(12, 4).SequenceEqual("IHDR"u8))
        {
            return null;
        }

        return b[24];
    }

    /// <summary>Width and height straight from a PNG IHDR, without any codec.</summary>
    public static bool TryReadDimensions(ReadOnlySpan<byte> b, ImageFormat format, out int width, out int height)
    {
        width = height = 0;
        if (format != ImageFormat.Png || b.Length < 24 || !b.Slice(12, 4).SequenceEqual("IHDR"u8))
        {
            return false;
        }

        uint w = BinaryPrimitives.ReadUInt32BigEndian(b.Slice(16, 4));
        uint h = BinaryPrimitives.ReadUInt32BigEndian(b.Slice(20, 4));
        width = (int)Math.Min(w, int.MaxValue);
        height = (int)Math.Min(h, int.MaxValue);
        return true;
    }

    /// <summary>
    /// True for a whole, well-formed PNG whose chunks describe nothing but its pixels: no text, EXIF, time stamp or ICC
    /// profile, so a copy of it can be shown as a derived image without carrying anything personal.
    /// </summary>
    public static bool IsBarePng(ReadOnlySpan<byte> b)
    {
        if (Sniff(b) != ImageFormat.Png) return false;
        var at = 8;
        while (at + 12 <= b.Length)
        {
            var length = BinaryPrimitives.ReadUInt32BigEndian(b.Slice(at, 4));
            if (length > (uint)(b.Length - at - 12)) return false;
            var type = b.Slice(at + 4, 4);
            if (type.SequenceEqual("IEND"u8)) return true;
            if (!IsPixelChunk(type)) return false;
            at += 12 + (int)length;
        }
        return false;
    }

    private static bool IsPixelChunk(ReadOnlySpan<byte> type) =>
        type.SequenceEqual("IHDR"u8) || type.SequenceEqual("PLTE"u8) || type.SequenceEqual("IDAT"u8) || type.SequenceEqual("tRNS"u8)
        || type.SequenceEqual("gAMA"u8) || type.SequenceEqual("cHRM"u8) || type.SequenceEqual("sRGB"u8) || type.SequenceEqual("sBIT"u8)
        || type.SequenceEqual("bKGD"u8) || type.SequenceEqual("pHYs"u8);

    private static ReadOnlySpan<byte> PngSignature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
}
