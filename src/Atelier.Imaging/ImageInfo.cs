namespace Atelier.Imaging;

/// <summary>The image formats the pipeline accepts.</summary>
public enum ImageFormat
{
    Jpeg,
    Png,
    Webp,
    Gif,
    Bmp,
    Ico,
    Tiff,
    Avif,
    Heic,

    /// <summary>PBM, PGM, PPM, PAM and PFM (P1..P7, PF, Pf).</summary>
    Netpbm,
}

/// <summary>
/// What the header and metadata say about an image, read without decoding pixels.
/// </summary>
/// <param name="Format">Container format.</param>
/// <param name="Width">Width as stored (before EXIF orientation).</param>
/// <param name="Height">Height as stored (before EXIF orientation).</param>
/// <param name="Orientation">EXIF orientation 1..8; 1 when absent. Always 1 for AVIF and HEIC, whose decoder applies the
/// container's rotation and mirroring itself (so <paramref name="Width"/> and <paramref name="Height"/> are as displayed).</param>
/// <param name="HasAlpha">The encoding can carry transparency (alpha channel or transparent colour).</param>
/// <param name="HasColorProfile">An ICC profile is embedded.</param>
/// <param name="BitsPerChannel">8 or 16 as stored.</param>
/// <param name="FrameCount">Frames in an animation, or pages of a multi-page TIFF; 1 for still images. Only the first is decoded.</param>
/// <param name="CaptureDate">EXIF DateTimeOriginal (no time zone), when present and valid.</param>
/// <param name="HasGps">EXIF GPS latitude/longitude is present.</param>
/// <param name="DataMiningProhibited">XMP PLUS/IPTC "Data Mining" says a DMI-PROHIBITED* value.</param>
/// <param name="XmpProblem">Why the image's XMP packet could not be read (so its opt-out cannot be checked); null when it has none or it parses.</param>
public sealed record ImageInfo(
    ImageFormat Format,
    int Width,
    int Height,
    int Orientation,
    bool HasAlpha,
    bool HasColorProfile,
    int BitsPerChannel,
    int FrameCount,
    DateTime? CaptureDate,
    bool HasGps,
    bool DataMiningProhibited,
    string? XmpProblem = null)
{
    /// <summary>True when orientation 5..8 swaps width and height for display.</summary>
    public bool OrientationSwapsAxes => Orientation is >= 5 and <= 8;

    /// <summary>Width as displayed, after EXIF orientation.</summary>
    public int DisplayWidth => OrientationSwapsAxes ? Height : Width;

    /// <summary>Height as displayed, after EXIF orientation.</summary>
    public int DisplayHeight => OrientationSwapsAxes ? Width : Height;

    public long PixelCount => (long)Width * Height;
}
