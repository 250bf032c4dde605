namespace Atelier.Imaging;

/// <summary>
/// Which files this imaging layer reads, for callers that must decide before decoding (ingest sorting a folder's
/// files into images and files it skips). One place, so a format added here is taken everywhere.
/// </summary>
public static class ImageFormats
{
    /// <summary>Bytes from the start of a file that <see cref="Recognise"/> needs to see.</summary>
    public const int HeaderBytes = 64;

    /// <summary>The format whose signature the file starts with, or null when it is none the decoder reads.</summary>
    public static ImageFormat? Recognise(ReadOnlySpan<byte> header) => FormatSniffer.Sniff(header);

    /// <summary>File name extensions (lower case, with the dot) of a format.</summary>
    public static IReadOnlyList<string> ExtensionsOf(ImageFormat format) => format switch
    {
        ImageFormat.Jpeg => [".jpg", ".jpeg", ".jpe", ".jfif"],
        ImageFormat.Png => [".png"],
        ImageFormat.Webp => [".webp"],
        ImageFormat.Gif => [".gif"],
        ImageFormat.Bmp => [".bmp", ".dib"],
        // A format added to ImageFormat needs its extensions here (a test checks each has some).
        _ => [],
    };

    private static readonly HashSet<string> Extensions = new(
        Enum.GetValues<ImageFormat>().SelectMany(ExtensionsOf), StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// True when <paramref name="extension"/> (with the dot, any case) names a format the decoder reads: such a file is an
    /// image to ingest even when its bytes do not start right (it is then rejected as corrupt, not passed over).
    /// </summary>
    public static bool IsImageExtension(string extension) => Extensions.Contains(extension);
}
