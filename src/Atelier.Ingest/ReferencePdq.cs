using Atelier.Hashing;
using Atelier.Imaging;

namespace Atelier.Ingest;

/// <summary>An image's PDQ hash as the reference computes it, and its hash as displayed when its EXIF orientation turns it (else null).</summary>
public readonly record struct ImagePdq(PdqResult Stored, PdqHash? Displayed)
{
    /// <summary>The hash of what a user sees (and near duplicates are found by).</summary>
    public PdqHash AsDisplayed => Displayed ?? Stored.Hash;
}

/// <summary>
/// PDQ as Meta's C++ <c>pdq-photo-hasher</c> and hash-sharing lists compute it: the stored pixels (no EXIF orientation
/// applied), decoded at full size (the hasher then resizes them to 512 x 512 by nearest neighbour). An oriented image
/// also gets the hash of its displayed form, read off the same DCT (a dihedral variant), so a list made from the
/// picture as displayed matches too (docs/decisions/0007-pdq-reference-pipeline.md).
/// </summary>
public static class ReferencePdq
{
    /// <summary>Hashes an image's bytes. Throws <see cref="ImageRejectedException"/> when they are no acceptable image.</summary>
    public static ImagePdq Of(byte[] content, long maxPixels) =>
        Of(content, ImageProbe.Read(content), analysis: null, maxPixels);

    /// <summary>
    /// Hashes an image whose analysis decode (orientation applied, possibly DCT-scaled) is at hand: it is reused when it
    /// already holds the stored pixels at full size, and a full-size stored-pixel decode is made otherwise.
    /// </summary>
    public static ImagePdq Of(byte[] content, ImageInfo info, RgbaImage? analysis, long maxPixels)
    {
        bool turned = info.Orientation is >= 2 and <= 8;
        var stored = analysis is not null && !turned && (long)analysis.Width * analysis.Height >= (long)info.Width * info.Height
            ? analysis
            : ImageDecoder.Decode(content, new DecodeOptions { MaxPixels = maxPixels, ApplyOrientation = false });
        if (!turned) return new ImagePdq(PdqHasher.HashRgba(stored.Pixels, stored.Width, stored.Height), null);
        var dihedral = PdqHasher.HashRgbaDihedral(stored.Pixels, stored.Width, stored.Height);
        return new ImagePdq(new PdqResult(dihedral.Original, dihedral.Quality), dihedral.Displayed(info.Orientation));
    }
}
