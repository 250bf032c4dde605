using System.Buffers.Binary;

namespace Atelier.Imaging;

/// <summary>
/// Recognises the accepted formats by their signature bytes, so that a damaged file of a known
/// format is reported as <c>corrupt</c>/<c>truncated</c> rather than <c>unsupported-format</c>, and so that each
/// format goes to the decoder that reads it (<see cref="ImageFormats.DecoderOf"/>).
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

        if (b.Length >= 4 && (b[..4].SequenceEqual("II*\0"u8) || b[..4].SequenceEqual("MM\0*"u8)
            || b[..4].SequenceEqual("II+\0"u8) || b[..4].SequenceEqual("MM\0+"u8)))
        {
            return ImageFormat.Tiff;
        }

        if (IsoBrand(b) is { } brand)
        {
            return brand;
        }

        // Reserved 0, type 1 (icon), at least one entry whose reserved byte is 0: four zero-ish bytes alone are too weak.
        if (b.Length >= 22 && b[0] == 0 && b[1] == 0 && b[2] == 1 && b[3] == 0
            && BinaryPrimitives.ReadUInt16LittleEndian(b[4..]) > 0 && b[9] == 0)
        {
            return ImageFormat.Ico;
        }

        // P1..P6 (bitmap, greymap, pixmap; ASCII or binary), P7 (PAM), PF/Pf (float), each followed by whitespace.
        if (b.Length >= 3 && b[0] == (byte)'P' && (b[1] is >= (byte)'1' and <= (byte)'7' || b[1] is (byte)'F' or (byte)'f')
            && b[2] is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t')
        {
            return ImageFormat.Netpbm;
        }

        return null;
    }

    /// <summary>
    /// AVIF or HEIC from an ISO-BMFF <c>ftyp</c> box: AVIF when any brand says AV1 (<c>avif</c>, <c>avis</c>), HEIC when one
    /// says HEVC or the generic image brands (<c>mif1</c>, <c>msf1</c>) with no AV1 brand. Video files (<c>isom</c>, ...) are not images.
    /// </summary>
    private static ImageFormat? IsoBrand(ReadOnlySpan<byte> b)
    {
        if (b.Length < 16 || !b.Slice(4, 4).SequenceEqual("ftyp"u8))
        {
            return null;
        }

        var size = (int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(b), (uint)b.Length);
        bool heif = false;
        // Major brand at 8, minor version at 12, compatible brands from 16 to the end of the box.
        for (int at = 8; at + 4 <= size; at += at == 8 ? 8 : 4)
        {
            var brand = b.Slice(at, 4);
            if (brand.SequenceEqual("avif"u8) || brand.SequenceEqual("avis"u8))
            {
                return ImageFormat.Avif;
            }

            heif |= brand.SequenceEqual("heic"u8) || brand.SequenceEqual("heix"u8) || brand.SequenceEqual("heim"u8)
                || brand.SequenceEqual("heis"u8) || brand.SequenceEqual("hevc"u8) || brand.SequenceEqual("hevx"u8)
                || brand.SequenceEqual("mif1"u8) || brand.SequenceEqual("msf1"u8);
        }

        return heif ? ImageFormat.Heic : null;
    }

    /// <summary>
    /// True when an ISO-BMFF file (AVIF, HEIC) ends inside one of its top-level boxes: the file was cut short, whatever
    /// the decoder then says about it.
    /// </summary>
    public static bool IsoBoxesRunPastEnd(ReadOnlySpan<byte> b)
    {
        long at = 0;
        while (at + 8 <= b.Length)
        {
            long size = BinaryPrimitives.ReadUInt32BigEndian(b[(int)at..]);
            if (size == 1)
            {
                if (at + 16 > b.Length) return true;
                size = (long)Math.Min(BinaryPrimitives.ReadUInt64BigEndian(b[((int)at + 8)..]), long.MaxValue);
            }
            else if (size == 0)
            {
                return false; // the last box runs to the end of the file, by definition
            }

            // A malformed box (too small, or a type that is not four printable letters) is damage, not a short file.
            if (size < 8 || !IsBoxType(b.Slice((int)at + 4, 4))) return false;
            if (at + size > b.Length) return true;
            at += size;
        }

        return at < b.Length;
    }

    private static bool IsBoxType(ReadOnlySpan<byte> type)
    {
        foreach (var c in type)
        {
            if (c is not ((>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'0' and <= (byte)'9') or (byte)' ' or (byte)'-'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// True when a TIFF's first directory (which writers often put after the pixel data), or a value it points to, lies
    /// beyond the end of the file: the file was cut short.
    /// </summary>
    public static bool TiffDirectoryPastEnd(ReadOnlySpan<byte> b)
    {
        if (b.Length < 8) return true;
        bool little = b[0] == (byte)'I';
        bool big = b[2] == 0x2B || b[3] == 0x2B; // BigTIFF: version 43, 8-byte offset at 8
        if (big)
        {
            if (b.Length < 16) return true;
            ulong offset64 = little ? BinaryPrimitives.ReadUInt64LittleEndian(b[8..]) : BinaryPrimitives.ReadUInt64BigEndian(b[8..]);
            return offset64 + 8 > (ulong)b.Length;
        }

        uint offset = U32(b, 4, little);
        if ((ulong)offset + 2 > (ulong)b.Length) return true;
        int entries = little ? BinaryPrimitives.ReadUInt16LittleEndian(b[(int)offset..]) : BinaryPrimitives.ReadUInt16BigEndian(b[(int)offset..]);
        if ((ulong)offset + 2 + 12UL * (ulong)entries + 4 > (ulong)b.Length) return true;
        // Values too big for their entry (strip offsets, bits per sample, ...) live elsewhere: are they all inside?
        for (int i = 0; i < entries; i++)
        {
            int entry = (int)offset + 2 + 12 * i;
            int type = little ? BinaryPrimitives.ReadUInt16LittleEndian(b[(entry + 2)..]) : BinaryPrimitives.ReadUInt16BigEndian(b[(entry + 2)..]);
            ulong size = (ulong)U32(b, entry + 4, little) * type switch { 3 or 8 => 2UL, 4 or 9 or 11 or 13 => 4UL, 5 or 10 or 12 => 8UL, _ => 1UL };
            if (size > 4 && U32(b, entry + 8, little) + size > (ulong)b.Length) return true;
        }

        return false;
    }

    private static uint U32(ReadOnlySpan<byte> b, int at, bool little) =>
        little ? BinaryPrimitives.ReadUInt32LittleEndian(b[at..]) : BinaryPrimitives.ReadUInt32BigEndian(b[at..]);

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
