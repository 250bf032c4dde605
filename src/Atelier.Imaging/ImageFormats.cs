namespace Atelier.Imaging;

/// <summary>
/// What the pipeline can read, for callers that must decide whether a file is an image before (or instead of) decoding
/// it: the accepted formats, their file extensions, and recognition by content. Stateless; loads no decoder.
/// </summary>
public static class ImageFormats
{
    /// <summary>Every format <see cref="ImageDecoder"/> and <see cref="ImageProbe"/> accept.</summary>
    public static IReadOnlyList<ImageFormat> Supported { get; } = Array.AsReadOnly(Enum.GetValues<ImageFormat>());

    /// <summary>Bytes from the start of a file that <see cref="Sniff"/> needs to see.</summary>
    public const int HeaderBytes = 64;

    /// <summary>File name extensions (lower case, with the dot) of a format.</summary>
    public static IReadOnlyList<string> ExtensionsOf(ImageFormat format) => format switch
    {
        ImageFormat.Jpeg => [".jpg", ".jpeg", ".jpe", ".jfif"],
        ImageFormat.Png => [".png"],
        ImageFormat.Webp => [".webp"],
        ImageFormat.Gif => [".gif"],
        ImageFormat.Bmp => [".bmp", ".dib"],
        ImageFormat.Ico => [".ico"],
        ImageFormat.Tiff => [".tif", ".tiff"],
        ImageFormat.Avif => [".avif"],
        ImageFormat.Heic => [".heic", ".heif", ".hif"],
        ImageFormat.Netpbm => [".pbm", ".pgm", ".ppm", ".pnm", ".pam", ".pfm"],
        // A format added to ImageFormat needs its extensions here (a test checks each has some).
        _ => [],
    };

    /// <summary>File extensions (with the dot, any case) of the accepted formats.</summary>
    public static IReadOnlySet<string> Extensions { get; } =
        new HashSet<string>(Enum.GetValues<ImageFormat>().SelectMany(ExtensionsOf), StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// True when <paramref name="extension"/> (with the dot, any case) names a format the decoder reads: such a file is an
    /// image to ingest even when its bytes do not start right (it is then rejected as corrupt, not passed over).
    /// </summary>
    public static bool IsImageExtension(string extension) => Extensions.Contains(extension);

    /// <summary>True when the path (or bare extension, with its dot) names an accepted format. Says nothing about the content.</summary>
    public static bool HasImageExtension(string pathOrExtension)
    {
        ArgumentNullException.ThrowIfNull(pathOrExtension);
        var extension = pathOrExtension.StartsWith('.') && pathOrExtension.IndexOfAny(['/', '\\']) < 0 ? pathOrExtension : Path.GetExtension(pathOrExtension);
        return Extensions.Contains(extension);
    }

    /// <summary>
    /// The accepted format whose signature the bytes start with (the first few dozen bytes are enough), or null when
    /// they are not one of them. A match says what the file claims to be, not that it decodes: a damaged file of a
    /// recognised format is refused later as <c>corrupt</c> or <c>truncated</c>, an unrecognised one as <c>unsupported-format</c>.
    /// </summary>
    public static ImageFormat? Sniff(ReadOnlySpan<byte> bytes) => FormatSniffer.Sniff(bytes);

    /// <summary>The usual file extension of a format, without the dot (<c>jpg</c>, <c>tif</c>, <c>pnm</c>, ...).</summary>
    public static string Extension(ImageFormat format) => format switch
    {
        ImageFormat.Jpeg => "jpg",
        ImageFormat.Tiff => "tif",
        ImageFormat.Netpbm => "pnm",
        _ => format.ToString().ToLowerInvariant(),
    };

    /// <summary>The format's name as people write it (<c>JPEG</c>, <c>WebP</c>, <c>Netpbm</c>, ...).</summary>
    public static string Name(ImageFormat format) => format switch
    {
        ImageFormat.Webp => "WebP",
        ImageFormat.Netpbm => "Netpbm",
        _ => format.ToString().ToUpperInvariant(),
    };

    /// <summary>"JPEG, PNG, ... or Netpbm", for messages that list what is accepted.</summary>
    internal static string List { get; } = string.Join(", ", Supported.SkipLast(1).Select(Name)) + " or " + Name(Supported[^1]);

    /// <summary>Which library decodes a format (docs/decisions/0006-more-formats.md says why).</summary>
    internal static DecoderLibrary DecoderOf(ImageFormat format) => format switch
    {
        ImageFormat.Tiff or ImageFormat.Avif => DecoderLibrary.Vips,
        ImageFormat.Heic or ImageFormat.Netpbm => DecoderLibrary.Magick,
        _ => DecoderLibrary.Skia,
    };
}

/// <summary>The native decoders behind <see cref="ImageDecoder"/>; the last two load only when a file needs them.</summary>
internal enum DecoderLibrary
{
    Skia,
    Vips,
    Magick,
}
