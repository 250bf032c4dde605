using SkiaSharp;

namespace Atelier.Imaging;

/// <summary>
/// Encodes pixels to files for derived outputs (thumbnails, dataset exports). Output is built from
/// pixels alone, so it never carries EXIF, GPS, XMP or an ICC profile from the source. Thread-safe.
/// </summary>
public static class ImageEncoder
{
    /// <summary>
    /// Lossless PNG, RGBA 8-bit, deterministic for the same build. Default: zlib level 6 with all
    /// filters (smallest files). <paramref name="fast"/>: the Sub filter at zlib level 1, several times
    /// faster for somewhat larger files — for thumbnails made on every ingest.
    /// </summary>
    public static byte[] EncodePng(RgbaImage image, bool fast = false)
    {
        ArgumentNullException.ThrowIfNull(image);
        var options = fast ? new SKPngEncoderOptions(SKPngEncoderFilterFlags.Sub, 1) : new SKPngEncoderOptions(SKPngEncoderFilterFlags.AllFilters, 6);
        return Encode(image, pixmap => pixmap.Encode(options));
    }

    /// <summary>Baseline JPEG at <paramref name="quality"/> (1..100). Alpha is dropped: composite first (e.g. with <see cref="ImageResizer.Fit"/>).</summary>
    public static byte[] EncodeJpeg(RgbaImage image, int quality = 90)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentOutOfRangeException.ThrowIfLessThan(quality, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(quality, 100);
        return Encode(image, pixmap => pixmap.Encode(new SKJpegEncoderOptions(quality, SKJpegEncoderDownsample.Downsample420, SKJpegEncoderAlphaOption.Ignore)));
    }

    private static unsafe byte[] Encode(RgbaImage image, Func<SKPixmap, SKData?> encode)
    {
        // No colour space on the pixmap: the encoder then writes no ICC chunk at all.
        var info = new SKImageInfo(image.Width, image.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        fixed (byte* p = image.Pixels)
        {
            using var pixmap = new SKPixmap(info, (IntPtr)p, image.Stride);
            using var data = encode(pixmap) ?? throw new InvalidOperationException($"Skia could not encode a {image.Width}x{image.Height} image.");
            return data.ToArray();
        }
    }
}
