using MetadataExtractor;
using MetadataExtractor.Formats.Exif;
using MetadataExtractor.Formats.Icc;
using MetadataExtractor.Formats.Xmp;
using SkiaSharp;

namespace Atelier.Imaging;

/// <summary>
/// Reads an image's header and metadata without decoding pixels: SKCodec (libvips for TIFF and AVIF, ImageMagick for
/// HEIC and Netpbm) for format, size, alpha, frames and EXIF orientation; MetadataExtractor for EXIF dates/GPS, XMP and ICC.
/// Stateless and safe to call from many threads at once.
/// </summary>
public static class ImageProbe
{
    /// <exception cref="ImageRejectedException">Empty, unsupported, corrupt or truncated header.</exception>
    public static ImageInfo Read(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        var sniffed = FormatSniffer.Sniff(bytes);
        return ForeignCodecs.Handles(sniffed) ? ReadForeign(sniffed!.Value, bytes) : Read(bytes.AsSpan());
    }

    /// <exception cref="ImageRejectedException">Empty, unsupported, corrupt or truncated header.</exception>
    public static unsafe ImageInfo Read(ReadOnlySpan<byte> bytes)
    {
        var sniffed = FormatSniffer.Sniff(bytes);
        if (ForeignCodecs.Handles(sniffed))
        {
            // libvips and ImageMagick read from arrays.
            return ReadForeign(sniffed!.Value, bytes.ToArray());
        }

        fixed (byte* pinned = bytes)
        {
            using var data = SkiaCodec.Wrap(pinned, bytes.Length);
            return Read(data, bytes);
        }
    }

    /// <summary>
    /// A whole PNG that holds nothing but pixel data (no text, EXIF, time or ICC chunks): safe to show as it is
    /// wherever a derived image must not carry metadata.
    /// </summary>
    public static bool IsBarePng(ReadOnlySpan<byte> bytes) => FormatSniffer.IsBarePng(bytes);

    /// <summary>The format the signature bytes name, without decoding anything; null for none of the accepted ones.</summary>
    public static ImageFormat? FormatOf(ReadOnlySpan<byte> bytes) => FormatSniffer.Sniff(bytes);

    /// <summary>
    /// A PNG no larger than a thumbnail and holding nothing but pixels can be shown as its own thumbnail: encoding it again
    /// would only store a second picture of the same pixels.
    /// </summary>
    public static bool IsItsOwnThumbnail(ImageInfo info, ReadOnlySpan<byte> bytes, int thumbnailSide) =>
        info.Format == ImageFormat.Png && info.Width <= thumbnailSide && info.Height <= thumbnailSide && IsBarePng(bytes);

    /// <summary>TIFF, AVIF, HEIC, Netpbm: the header from libvips or ImageMagick, the metadata from MetadataExtractor as for the others.</summary>
    private static ImageInfo ReadForeign(ImageFormat format, byte[] bytes)
    {
        var header = ForeignCodecs.ReadHeader(format, bytes);
        if (header.Width < 1 || header.Height < 1)
        {
            throw new ImageRejectedException(RejectCodes.Corrupt, $"{ImageFormats.Name(format)} header declares an empty {header.Width}x{header.Height} image.");
        }

        var metadata = MetadataFacts.Read(new MemoryStream(bytes, writable: false), bytes, format);
        return new ImageInfo(
            Format: format,
            Width: header.Width,
            Height: header.Height,
            Orientation: header.Orientation,
            HasAlpha: header.HasAlpha,
            HasColorProfile: metadata.HasIcc,
            BitsPerChannel: header.BitsPerChannel,
            FrameCount: header.FrameCount,
            CaptureDate: metadata.CaptureDate,
            HasGps: metadata.HasGps,
            DataMiningProhibited: metadata.DataMiningProhibited,
            XmpProblem: metadata.XmpProblem);
    }

    private static ImageInfo Read(SKData data, ReadOnlySpan<byte> bytes)
    {
        var (codec, format) = SkiaCodec.Open(data);
        using (codec)
        {
            var info = codec.Info;
            var metadata = MetadataFacts.Read(data.AsStream(streamDisposesData: false), bytes, format);
            return new ImageInfo(
                Format: format,
                Width: info.Width,
                Height: info.Height,
                Orientation: OrientationOf(codec),
                HasAlpha: info.AlphaType != SKAlphaType.Opaque,
                HasColorProfile: metadata.HasIcc,
                BitsPerChannel: format == ImageFormat.Png && FormatSniffer.PngBitDepth(bytes) == 16 ? 16 : 8,
                FrameCount: Math.Max(1, codec.FrameCount),
                CaptureDate: metadata.CaptureDate,
                HasGps: metadata.HasGps,
                DataMiningProhibited: metadata.DataMiningProhibited,
                XmpProblem: metadata.XmpProblem);
        }
    }

    /// <summary>
    /// EXIF orientation as Skia parsed it. The decoder applies exactly this value, so probe and
    /// decoder can never disagree about which way is up.
    /// </summary>
    internal static int OrientationOf(SKCodec codec)
    {
        int origin = (int)codec.EncodedOrigin;
        return origin is >= 1 and <= 8 ? origin : 1;
    }
}

/// <summary>The metadata facts the pipeline needs, pulled from MetadataExtractor's directories.</summary>
internal readonly record struct MetadataFacts(bool HasIcc, DateTime? CaptureDate, bool HasGps, bool DataMiningProhibited, string? XmpProblem)
{
    // PLUS Data Mining (also the property IPTC Photo Metadata uses for its "Data Mining" field).
    private const string PlusNamespace = "http://ns.useplus.org/ldf/xmp/1.0/";

    /// <summary>Reads the metadata from <paramref name="stream"/> (over the same <paramref name="bytes"/>) and disposes it.</summary>
    public static MetadataFacts Read(Stream stream, ReadOnlySpan<byte> bytes, ImageFormat format)
    {
        IReadOnlyList<MetadataExtractor.Directory> directories;
        try
        {
            using (stream)
            {
                directories = ImageMetadataReader.ReadMetadata(stream);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Hostile or broken metadata must not stop the probe: the codec already vouched for the header,
            // so the image counts as having none of these facts; but XMP that was there and could not be read
            // is said, since the data-mining opt-out may be in it. Any exception type is possible from a
            // third-party parser fed untrusted bytes, hence the broad catch.
            return default(MetadataFacts) with
            {
                XmpProblem = XmpPacket.IsPresent(bytes, format)
                    ? $"the image has an XMP packet but its metadata cannot be read ({OneLine(ex.Message)}), so its data-mining opt-out cannot be checked"
                    : null,
            };
        }
        return FromDirectories(directories) with { XmpProblem = XmpProblemOf(directories, bytes, format) };
    }

    private static string? XmpProblemOf(IReadOnlyList<MetadataExtractor.Directory> directories, ReadOnlySpan<byte> bytes, ImageFormat format)
    {
        var xmp = directories.OfType<XmpDirectory>().ToList();
        if (xmp.Count > 0 && xmp.All(d => d.XmpMeta is not null)) return null;
        if (!XmpPacket.IsPresent(bytes, format)) return null;
        var error = xmp.SelectMany(d => d.Errors).FirstOrDefault() ?? "the reader found no XMP in it";
        return $"the image's XMP packet cannot be parsed ({OneLine(error)}), so its data-mining opt-out cannot be checked";
    }

    private static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();

    private static MetadataFacts FromDirectories(IReadOnlyList<MetadataExtractor.Directory> directories)
    {
        bool hasIcc = false, hasGps = false, prohibited = false;
        DateTime? captured = null;
        foreach (var directory in directories)
        {
            switch (directory)
            {
                case IccDirectory:
                    hasIcc = true;
                    break;
                case GpsDirectory gps:
                    hasGps |= gps.GetGeoLocation() is not null;
                    break;
                case ExifSubIfdDirectory exif when captured is null:
                    if (exif.TryGetDateTime(ExifDirectoryBase.TagDateTimeOriginal, out var when))
                    {
                        captured = when;
                    }

                    break;
                case XmpDirectory xmp when xmp.XmpMeta is not null:
                    prohibited |= DataMiningIsProhibited(xmp);
                    break;
            }
        }

        return new MetadataFacts(hasIcc, captured, hasGps, prohibited, null);
    }

    /// <summary>
    /// True for any DMI-PROHIBITED* value (plain, -AIMLTRAINING, -GENAIMLTRAINING,
    /// -EXCEPTSEARCHENGINEINDEXING, -SEECONSTRAINT, ...): each one rules out training a generative model,
    /// and the conditional ones are treated as "no" because we cannot evaluate the linked constraint.
    /// </summary>
    private static bool DataMiningIsProhibited(XmpDirectory xmp)
    {
        foreach (var property in xmp.XmpMeta!.Properties)
        {
            bool isDataMining = property.Namespace == PlusNamespace && property.Path is { } path
                && (path.EndsWith(":DataMining", StringComparison.Ordinal) || path == "DataMining");
            if (isDataMining && property.Value is { } value && value.Contains("DMI-PROHIBITED", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
