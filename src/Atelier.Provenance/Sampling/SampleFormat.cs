using Atelier.Catalog;
using Atelier.Imaging;

namespace Atelier.Provenance.Sampling;

/// <summary>The file formats <c>atelier sample --format</c> writes.</summary>
public enum SampleFormat
{
    Png,
    Jpeg,
}

public static class SampleFormats
{
    /// <summary>JPEG quality of samples: high, since the file is the product; the watermark is measured down to quality 50.</summary>
    public const int JpegQuality = 95;

    public static SampleFormat Parse(string text) => text.ToLowerInvariant() switch
    {
        "png" => SampleFormat.Png,
        "jpeg" or "jpg" => SampleFormat.Jpeg,
        _ => throw new AtelierException("usage", $"--format '{text}' must be png or jpeg"),
    };

    /// <summary>What the catalog records: png or jpeg.</summary>
    public static string Name(this SampleFormat format) => format == SampleFormat.Png ? "png" : "jpeg";

    public static string Extension(this SampleFormat format) => format == SampleFormat.Png ? ".png" : ".jpg";

    /// <summary>Encodes uint8 HWC RGB pixels of <paramref name="side"/> square; the file carries nothing but the pixels (no EXIF, no ICC).</summary>
    public static byte[] Encode(ReadOnlySpan<byte> rgb, int side, SampleFormat format)
    {
        var image = RgbaImage.FromRgb(rgb, side, side);
        return format == SampleFormat.Png ? ImageEncoder.EncodePng(image) : ImageEncoder.EncodeJpeg(image, JpegQuality);
    }
}
