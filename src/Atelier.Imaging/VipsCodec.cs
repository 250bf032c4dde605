using NetVips;

namespace Atelier.Imaging;

/// <summary>
/// TIFF and AVIF through libvips (NetVips.Native bundles libtiff, and libheif with the aom AV1 decoder; it has no HEVC
/// decoder, so HEIC goes to <see cref="MagickCodec"/>). Only the two named loaders are ever called, never libvips'
/// format guessing, so no other libvips parser sees untrusted bytes. Loading is lazy: the header is read first and
/// pixels are decoded only by <c>WriteToMemory</c>, after the size check.
/// </summary>
internal static class VipsCodec
{
    static VipsCodec()
    {
        // Ingest already decodes one file per worker: libvips' own threads would only compete with them. Its operation
        // cache would keep decoded untrusted images alive after the call; a decoder that is called once per file gains nothing from it.
        NetVips.NetVips.Concurrency = 1;
        // libvips logs each damaged tile to stderr; the failure already reaches the caller as one rejection.
        Log.SetLogHandler("VIPS", Enums.LogLevelFlags.AllButFatal | Enums.LogLevelFlags.FlagRecursion, (_, _, _) => { });
        Cache.Max = 0;
        Cache.MaxFiles = 0;
        Cache.MaxMem = 0;
    }

    public static ForeignHeader ReadHeader(ImageFormat format, byte[] bytes)
    {
        using var image = Open(format, bytes);
        return HeaderOf(format, image);
    }

    public static OrientedPixels Decode(ImageFormat format, byte[] bytes, long maxPixels)
    {
        using var image = Open(format, bytes);
        var header = HeaderOf(format, image);
        ForeignCodecs.RejectIfTooBig(format, header.Width, header.Height, maxPixels);
        try
        {
            using var rgba = ToSrgbRgba8(image);
            var pixels = rgba.WriteToMemory<byte>();
            return new OrientedPixels(new RgbaImage(rgba.Width, rgba.Height, pixels), header.Orientation);
        }
        catch (VipsException ex)
        {
            throw ForeignCodecs.Failure(format, bytes, "pixel data could not be decoded", ex.Message);
        }
    }

    private static Image Open(ImageFormat format, byte[] bytes)
    {
        try
        {
            // Page 0 only: a multi-page TIFF gives its first page, an image sequence its first frame. FailOn.Error turns a
            // damaged strip or tile into an error instead of grey pixels.
            return format == ImageFormat.Tiff
                ? Image.TiffloadBuffer(bytes, page: 0, n: 1, access: Enums.Access.Sequential, failOn: Enums.FailOn.Error)
                : Image.HeifloadBuffer(bytes, page: 0, n: 1, access: Enums.Access.Sequential, failOn: Enums.FailOn.Error);
        }
        catch (VipsException ex)
        {
            throw ForeignCodecs.Failure(format, bytes, "header could not be read", ex.Message);
        }
    }

    private static ForeignHeader HeaderOf(ImageFormat format, Image image)
    {
        int pages = image.Contains("n-pages") ? Math.Max(1, (int)image.Get("n-pages")) : 1;
        // libheif applies the container's rotation and mirroring itself; only TIFF's orientation tag is left to us.
        int orientation = format == ImageFormat.Tiff && image.Contains("orientation") && (int)image.Get("orientation") is var o and >= 1 and <= 8 ? o : 1;
        int bits = image.Format is Enums.BandFormat.Uchar or Enums.BandFormat.Char ? 8 : 16;
        if (format == ImageFormat.Avif && image.Contains("bits-per-sample"))
        {
            bits = (int)image.Get("bits-per-sample") > 8 ? 16 : 8;
        }

        return new ForeignHeader(image.Width, image.Height, image.HasAlpha(), bits, pages, orientation);
    }

    /// <summary>What <see cref="RgbaImage"/> holds: sRGB, 8 bits (16-bit input scaled down), four bands, alpha unpremultiplied as stored.</summary>
    private static Image ToSrgbRgba8(Image image)
    {
        var steps = new List<Image>();
        try
        {
            var current = image;
            Image Step(Image next)
            {
                steps.Add(next);
                return current = next;
            }

            if (image.Contains("icc-profile-data"))
            {
                Step(current.IccTransform("srgb", embedded: true, depth: 8));
            }
            else if (current.Interpretation != Enums.Interpretation.Srgb || current.Format != Enums.BandFormat.Uchar)
            {
                Step(current.Colourspace(Enums.Interpretation.Srgb));
            }

            if (current.Format != Enums.BandFormat.Uchar)
            {
                Step(current.Cast(Enums.BandFormat.Uchar));
            }

            if (current.Bands > 4)
            {
                Step(current.ExtractBand(0, n: 4));
            }
            else if (current.Bands == 3)
            {
                Step(current.Bandjoin(255));
            }

            // The caller disposes what it receives; everything else made here is disposed below.
            var result = current == image ? image.Copy() : current;
            steps.Remove(result);
            return result;
        }
        finally
        {
            foreach (var step in steps)
            {
                step.Dispose();
            }
        }
    }
}
