namespace Atelier.Imaging;

/// <summary>How <see cref="ImageDecoder"/> decodes. Immutable; share one instance across threads.</summary>
public sealed record DecodeOptions
{
    public static DecodeOptions Default { get; } = new();

    /// <summary>
    /// Enough pixels for analysis: PDQ (64 x 64), the quality measures (a luma plane of half to all of
    /// <see cref="QualityMeasures.WorkingSide"/>) and a small thumbnail. At half the working side a camera JPEG is
    /// decoded with libjpeg-turbo's 1/8 DCT scaling, which costs about a third less than 1/4 (docs/benchmarks/decoding.md).
    /// </summary>
    public const int AnalysisSide = QualityMeasures.WorkingSide / 2;

    /// <summary>Decodes as ingest does for hashing and quality measures (<see cref="AnalysisSide"/>).</summary>
    public static DecodeOptions Analysis { get; } = new() { MaxSide = AnalysisSide };

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
