using SkiaSharp;

namespace Atelier.Imaging;

/// <summary>
/// Opens an <see cref="SKCodec"/> over bytes and turns every failure into an <see cref="ImageRejectedException"/>.
/// Creating a codec parses the header only; no pixels are decoded here.
/// </summary>
internal static class SkiaCodec
{
    public static (SKCodec Codec, ImageFormat Format) Open(SKData data)
    {
        // The codec takes ownership of the stream; the stream shares (does not copy) the data.
        var codec = SKCodec.Create(new SKMemoryStream(data), out var result);
        if (codec is null)
        {
            throw RejectUnopenable(data.AsSpan(), result);
        }

        var format = codec.EncodedFormat switch
        {
            SKEncodedImageFormat.Jpeg => ImageFormat.Jpeg,
            SKEncodedImageFormat.Png => ImageFormat.Png,
            SKEncodedImageFormat.Webp => ImageFormat.Webp,
            SKEncodedImageFormat.Gif => ImageFormat.Gif,
            SKEncodedImageFormat.Bmp => ImageFormat.Bmp,
            SKEncodedImageFormat.Ico => ImageFormat.Ico,
            _ => (ImageFormat?)null,
        };
        if (format is null)
        {
            var name = codec.EncodedFormat;
            codec.Dispose();
            throw new ImageRejectedException(RejectCodes.UnsupportedFormat, $"Format {name} is not accepted ({ImageFormats.List} only).");
        }

        var info = codec.Info;
        if (info.Width < 1 || info.Height < 1)
        {
            codec.Dispose();
            throw new ImageRejectedException(RejectCodes.Corrupt, $"Header declares an empty {info.Width}x{info.Height} image.");
        }

        return (codec, format.Value);
    }

    /// <summary>
    /// Wraps bytes without copying them (a 2 MB photo would otherwise be copied for every probe and
    /// decode). The caller keeps <paramref name="bytes"/> pinned until the data is disposed.
    /// </summary>
    public static unsafe SKData Wrap(byte* bytes, int length)
    {
        if (length == 0)
        {
            throw new ImageRejectedException(RejectCodes.EmptyFile, "The file is empty (0 bytes).");
        }

        return SKData.Create((IntPtr)bytes, length);
    }

    /// <summary>Maps a codec failure to a reason; signature sniffing tells "damaged image" from "not an accepted image".</summary>
    public static ImageRejectedException MapResult(SKCodecResult result, string what) => result switch
    {
        SKCodecResult.IncompleteInput => new ImageRejectedException(RejectCodes.Truncated, $"{what}: the data ends before the image does."),
        _ => new ImageRejectedException(RejectCodes.Corrupt, $"{what}: the codec reported {result}."),
    };

    private static ImageRejectedException RejectUnopenable(ReadOnlySpan<byte> bytes, SKCodecResult result)
    {
        var sniffed = FormatSniffer.Sniff(bytes);
        if (sniffed is null)
        {
            return new ImageRejectedException(RejectCodes.UnsupportedFormat, $"Not a {ImageFormats.List} file.");
        }

        // A header that is too big is still worth a precise reason, and it costs no allocation to find.
        if (FormatSniffer.TryReadDimensions(bytes, sniffed.Value, out int w, out int h) && (w < 1 || h < 1))
        {
            return new ImageRejectedException(RejectCodes.Corrupt, $"{sniffed} header declares an empty {w}x{h} image.");
        }

        return MapResult(result, $"{sniffed} header could not be read");
    }
}
