using System.Runtime.CompilerServices;

namespace Atelier.Imaging;

/// <summary>What a header says, read by libvips or ImageMagick without decoding pixels.</summary>
internal readonly record struct ForeignHeader(int Width, int Height, bool HasAlpha, int BitsPerChannel, int FrameCount, int Orientation);

/// <summary>
/// The formats Skia cannot read (TIFF, AVIF: libvips; HEIC, Netpbm: ImageMagick). The libraries are touched only
/// inside these methods, so their assemblies and native code load the first time such a file is met, never for a
/// JPEG or PNG. Both refuse an over-large header before any pixel is decoded, as <see cref="ImageDecoder"/> does.
/// </summary>
internal static class ForeignCodecs
{
    public static bool Handles(ImageFormat? format) => format is { } f && ImageFormats.DecoderOf(f) != DecoderLibrary.Skia;

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static ForeignHeader ReadHeader(ImageFormat format, byte[] bytes) => Loaded(format, () =>
        ImageFormats.DecoderOf(format) == DecoderLibrary.Vips ? VipsCodec.ReadHeader(format, bytes) : MagickCodec.ReadHeader(format, bytes));

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static RgbaImage Decode(ImageFormat format, byte[] bytes, DecodeOptions options)
    {
        var image = Loaded(format, () =>
            ImageFormats.DecoderOf(format) == DecoderLibrary.Vips ? VipsCodec.Decode(format, bytes, options.MaxPixels) : MagickCodec.Decode(format, bytes, options.MaxPixels));
        return options.ApplyOrientation ? Orientation.Apply(image.Pixels, image.Orientation) : image.Pixels;
    }

    /// <summary>Same words and limit as the Skia path (<see cref="ImageDecoder"/>).</summary>
    public static void RejectIfTooBig(ImageFormat format, int width, int height, long maxPixels)
    {
        if (width < 1 || height < 1)
        {
            throw new ImageRejectedException(RejectCodes.Corrupt, $"{ImageFormats.Name(format)} header declares an empty {width}x{height} image.");
        }

        long pixels = (long)width * height;
        if (pixels > maxPixels || pixels > Array.MaxLength / 4)
        {
            throw new ImageRejectedException(RejectCodes.TooManyPixels, $"Header declares {width}x{height} = {pixels} pixels, over the limit of {Math.Min(maxPixels, Array.MaxLength / 4)}.");
        }
    }

    /// <summary>
    /// Truncated or corrupt, from the library's message: neither library has a separate error for "the data ended".
    /// An ISO-BMFF file (AVIF, HEIC) whose boxes run past its end, or a TIFF whose first directory lies beyond it, is
    /// truncated whatever the message says.
    /// </summary>
    public static ImageRejectedException Failure(ImageFormat format, byte[] bytes, string what, string message)
    {
        var line = message.ReplaceLineEndings(" ").Trim();
        bool truncated = TruncationWords.Any(w => line.Contains(w, StringComparison.OrdinalIgnoreCase))
            || (format is ImageFormat.Avif or ImageFormat.Heic && FormatSniffer.IsoBoxesRunPastEnd(bytes))
            || (format is ImageFormat.Tiff && FormatSniffer.TiffDirectoryPastEnd(bytes));
        return truncated
            ? new ImageRejectedException(RejectCodes.Truncated, $"{ImageFormats.Name(format)} {what}: the data ends before the image does ({line}).")
            : new ImageRejectedException(RejectCodes.Corrupt, $"{ImageFormats.Name(format)} {what}: {line}.");
    }

    // libtiff ("Read error on strip", "Cannot read"), libheif ("end of data", "Unexpected end of file"),
    // ImageMagick's PNM reader ("InsufficientImageDataInFile", "UnableToReadImageData", "UnexpectedEndOfFile").
    private static readonly string[] TruncationWords =
        ["read error", "cannot read", "out of data", "end of data", "end of file", "unexpectedendoffile", "insufficientimagedata", "unabletoreadimagedata", "truncat", "premature"];

    /// <summary>A native library that cannot be loaded refuses the file in one line rather than crashing the caller.</summary>
    private static T Loaded<T>(ImageFormat format, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception ex) when (ex is DllNotFoundException or TypeInitializationException or BadImageFormatException or EntryPointNotFoundException)
        {
            var library = ImageFormats.DecoderOf(format) == DecoderLibrary.Vips ? "libvips (NetVips.Native)" : "ImageMagick (Magick.NET)";
            throw new ImageRejectedException(RejectCodes.UnsupportedFormat,
                $"{ImageFormats.Name(format)} files need {library}, which could not be loaded here: {(ex.InnerException ?? ex).Message.ReplaceLineEndings(" ")}");
        }
    }
}

/// <summary>Decoded pixels, before the EXIF orientation is applied.</summary>
internal readonly record struct OrientedPixels(RgbaImage Pixels, int Orientation);
