using ImageMagick;

namespace Atelier.Imaging;

/// <summary>
/// HEIC (libheif with libde265, bundled in Magick.NET's native library) and Netpbm through ImageMagick. The format is
/// always named, so ImageMagick never guesses one and no other of its coders sees the bytes. The header is pinged first
/// and checked against the size limit; only then are pixels decoded. The Q8 build gives 8 bits per channel, so 16-bit
/// PGM/PPM is scaled down as it is read.
/// </summary>
internal static class MagickCodec
{
    static MagickCodec()
    {
        // One decode per ingest worker already; ImageMagick's own threads would compete with them.
        ResourceLimits.Thread = 1;
    }

    public static ForeignHeader ReadHeader(ImageFormat format, byte[] bytes)
    {
        using var image = Read(format, bytes, ping: true);
        return HeaderOf(image);
    }

    public static OrientedPixels Decode(ImageFormat format, byte[] bytes, long maxPixels)
    {
        using (var header = Read(format, bytes, ping: true))
        {
            ForeignCodecs.RejectIfTooBig(format, (int)Math.Min(header.Width, int.MaxValue), (int)Math.Min(header.Height, int.MaxValue), maxPixels);
        }

        using var image = Read(format, bytes, ping: false);
        if (image.GetColorProfile() is { } profile && profile.ColorSpace != ColorSpace.Gray)
        {
            image.TransformColorSpace(ColorProfiles.SRGB);
        }

        if (image.ColorSpace is not (ColorSpace.sRGB or ColorSpace.Gray))
        {
            image.ColorSpace = ColorSpace.sRGB;
        }

        using var pixels = image.GetPixelsUnsafe();
        var rgba = pixels.ToByteArray(PixelMapping.RGBA)
            ?? throw new ImageRejectedException(RejectCodes.Corrupt, $"{ImageFormats.Name(format)} pixel data could not be decoded.");
        return new OrientedPixels(new RgbaImage((int)image.Width, (int)image.Height, rgba), 1);
    }

    private static MagickImage Read(ImageFormat format, byte[] bytes, bool ping)
    {
        var settings = new MagickReadSettings
        {
            Format = format == ImageFormat.Heic ? MagickFormat.Heic : MagickFormat.Pnm,
            FrameIndex = 0,
            FrameCount = 1,
        };
        var image = new MagickImage();
        string? warning = null;
        // A short file can be only a warning to ImageMagick, which then pads it: refuse that. Other warnings (an odd tag) are harmless.
        image.Warning += (_, e) => warning ??= e.Message;
        try
        {
            if (ping)
            {
                image.Ping(bytes, settings);
            }
            else
            {
                image.Read(bytes, settings);
            }
        }
        catch (MagickException ex)
        {
            image.Dispose();
            throw ForeignCodecs.Failure(format, bytes, ping ? "header could not be read" : "pixel data could not be decoded", ex.Message);
        }

        if (!ping && warning is not null && ForeignCodecs.Failure(format, bytes, "pixel data could not be decoded", warning) is { Code: RejectCodes.Truncated } cut)
        {
            image.Dispose();
            throw cut;
        }

        return image;
    }

    private static ForeignHeader HeaderOf(MagickImage image) =>
        new((int)Math.Min(image.Width, int.MaxValue), (int)Math.Min(image.Height, int.MaxValue), image.HasAlpha, image.Depth > 8 ? 16 : 8, 1, 1);
}
