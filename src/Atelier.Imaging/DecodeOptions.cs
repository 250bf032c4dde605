namespace Atelier.Imaging;

/// <summary>How <see cref="ImageDecoder"/> decodes. Immutable; share one instance across threads.</summary>
public sealed record DecodeOptions
{
    public static DecodeOptions Default { get; } = new();

    /// <summary>
    /// Refuse (code <c>too-many-pixels</c>) any image whose header declares more pixels than this,
    /// before a pixel buffer is allocated. Default 100 million.
    /// </summary>
    public long MaxPixels { get; init; } = 100_000_000;

    /// <summary>Rotate/mirror to the EXIF orientation so pixels are as displayed. Default true.</summary>
    public bool ApplyOrientation { get; init; } = true;

    /// <summary>
    /// Hint that the caller only needs the longer side to be about this many pixels. When set and the
    /// image is bigger, JPEG is decoded with libjpeg-turbo's DCT scaling (1/2, 1/4 or 1/8) to the
    /// smallest size whose longer side is still at least <c>MaxSide</c>; resize afterwards for an exact size.
    /// Other formats decode at full size. Null (default) always decodes full size.
    /// </summary>
    public int? MaxSide { get; init; }
}
