namespace Atelier.Ingest.Http;

/// <summary>Recognises image files by their first bytes (no decoding).</summary>
public static class ImageMagic
{
    public static bool LooksLikeImage(ReadOnlySpan<byte> b)
    {
        static bool At(ReadOnlySpan<byte> s, int offset, ReadOnlySpan<byte> magic) =>
            s.Length >= offset + magic.Length && s.Slice(offset, magic.Length).SequenceEqual(magic);

        if (At(b, 0, [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A])) return true;
        if (At(b, 0, [0xFF, 0xD8, 0xFF])) return true;                                    // JPEG
        if (At(b, 0, "GIF87a"u8) || At(b, 0, "GIF89a"u8)) return true;
        if (At(b, 0, "RIFF"u8) && At(b, 8, "WEBP"u8)) return true;
        if (At(b, 0, "BM"u8) && b.Length >= 26) return true;                              // BMP with a header
        if (At(b, 0, [0x49, 0x49, 0x2A, 0x00]) || At(b, 0, [0x4D, 0x4D, 0x00, 0x2A])) return true; // TIFF
        if (At(b, 0, [0x00, 0x00, 0x01, 0x00])) return true;                              // ICO
        if (At(b, 0, [0xFF, 0x0A]) || At(b, 0, [0x00, 0x00, 0x00, 0x0C, 0x4A, 0x58, 0x4C, 0x20])) return true; // JPEG XL
        if (At(b, 0, "qoif"u8)) return true;
        if (At(b, 4, "ftyp"u8) && b.Length >= 12)                                         // ISO-BMFF: AVIF / HEIF
        {
            var brand = b.Slice(8, 4);
            foreach (var known in new[] { "avif"u8.ToArray(), "avis"u8.ToArray(), "heic"u8.ToArray(), "heix"u8.ToArray(), "mif1"u8.ToArray(), "msf1"u8.ToArray() })
                if (brand.SequenceEqual(known)) return true;
        }
        return false;
    }
}
