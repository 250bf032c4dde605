using SkiaSharp;

namespace Atelier.Imaging;

/// <summary>
/// Decodes JPEG, PNG, WebP, GIF, BMP, ICO (Skia), TIFF, AVIF (libvips), HEIC and Netpbm (ImageMagick) bytes to
/// <see cref="RgbaImage"/> (unpremultiplied RGBA8, sRGB). Embedded ICC profiles are converted to sRGB; 16-bit input
/// becomes 8-bit; animations give their first frame, multi-page TIFFs their first page, icons their largest image. A file that runs out of data mid-image is rejected as <c>truncated</c>, never returned
/// half-grey. Stateless and safe to call from many threads at once.
/// </summary>
public static class ImageDecoder
{
    // libjpeg-turbo has fast reduced-size IDCTs for these scales.
    private static readonly float[] JpegScales = [1f / 8, 1f / 4, 1f / 2];

    // Immutable and reference-counted inside Skia, so sharing it between threads is safe.
    private static readonly SKColorSpace Srgb = SKColorSpace.CreateSrgb();

    /// <exception cref="ImageRejectedException">The bytes are not an acceptable image; see <see cref="RejectCodes"/>.</exception>
    public static unsafe RgbaImage Decode(byte[] bytes, DecodeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        options ??= DecodeOptions.Default;
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxPixels, 1, nameof(options));
        if (options.MaxSide is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxSide, "MaxSide must be at least 1.");
        }

        var sniffed = FormatSniffer.Sniff(bytes);
        if (ForeignCodecs.Handles(sniffed))
        {
            return ForeignCodecs.Decode(sniffed!.Value, bytes, options);
        }

        // A forged PNG header must not even reach the codec's allocations.
        if (sniffed == ImageFormat.Png
            && FormatSniffer.TryReadDimensions(bytes, ImageFormat.Png, out int pw, out int ph))
        {
            RejectIfTooBig((long)pw * ph, pw, ph, options.MaxPixels);
        }

        fixed (byte* pinned = bytes)
        {
            using var data = SkiaCodec.Wrap(pinned, bytes.Length);
            return Decode(data, options);
        }
    }

    private static RgbaImage Decode(SKData data, DecodeOptions options)
    {
        var (codec, format) = SkiaCodec.Open(data);
        using (codec)
        {
            var stored = codec.Info;
            RejectIfTooBig((long)stored.Width * stored.Height, stored.Width, stored.Height, options.MaxPixels);

            var size = format == ImageFormat.Jpeg && options.MaxSide is int maxSide
                ? ChooseJpegScale(codec, stored.Size, maxSide)
                : stored.Size;

            var target = new SKImageInfo(size.Width, size.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul, Srgb);
            var pixels = new byte[checked(size.Width * size.Height * 4)];
            SKCodecResult result;
            unsafe
            {
                fixed (byte* p = pixels)
                {
                    result = codec.GetPixels(target, (IntPtr)p, target.RowBytes, new SKCodecOptions(0));
                }
            }

            if (result != SKCodecResult.Success)
            {
                throw SkiaCodec.MapResult(result, $"{format} pixel data could not be decoded");
            }

            var image = new RgbaImage(size.Width, size.Height, pixels);
            return options.ApplyOrientation ? Orientation.Apply(image, ImageProbe.OrientationOf(codec)) : image;
        }
    }

    private static void RejectIfTooBig(long pixels, int width, int height, long maxPixels)
    {
        // The second test keeps a caller's very high limit from overflowing the pixel array.
        if (pixels > maxPixels || pixels > Array.MaxLength / 4)
        {
            throw new ImageRejectedException(RejectCodes.TooManyPixels, $"Header declares {width}x{height} = {pixels} pixels, over the limit of {Math.Min(maxPixels, Array.MaxLength / 4)}.");
        }
    }

    /// <summary>The smallest DCT-scaled size whose longer side still reaches <paramref name="maxSide"/>.</summary>
    private static SKSizeI ChooseJpegScale(SKCodec codec, SKSizeI full, int maxSide)
    {
        if (Math.Max(full.Width, full.Height) <= maxSide)
        {
            return full;
        }

        foreach (float scale in JpegScales)
        {
            var scaled = codec.GetScaledDimensions(scale);
            if (Math.Max(scaled.Width, scaled.Height) >= maxSide)
            {
                return scaled;
            }
        }

        return full;
    }
}
