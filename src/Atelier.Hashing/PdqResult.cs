namespace Atelier.Hashing;

/// <summary>A PDQ hash with the reference's quality score (0..100; below 50 the hash is unreliable).</summary>
public readonly record struct PdqResult(PdqHash Hash, int Quality)
{
    /// <summary>Quality at or above which the reference says a hash is worth matching on.</summary>
    public const int MinUsefulQuality = 50;

    /// <summary>True when <see cref="Quality"/> is at least <see cref="MinUsefulQuality"/>.</summary>
    public bool IsUsable => Quality >= MinUsefulQuality;
}

/// <summary>
/// The hashes of the eight dihedral transforms of one image, derived from a single DCT as the
/// reference does. Each is the hash the transformed image would (nearly) have.
/// </summary>
public readonly record struct PdqDihedralResult(
    PdqHash Original,
    PdqHash Rotate90,
    PdqHash Rotate180,
    PdqHash Rotate270,
    PdqHash FlipX,
    PdqHash FlipY,
    PdqHash FlipPlus1,
    PdqHash FlipMinus1,
    int Quality)
{
    /// <summary>The eight hashes in the reference order (orig, rot90, rot180, rot270, flipx, flipy, flip+1, flip-1).</summary>
    public PdqHash[] ToArray() => [Original, Rotate90, Rotate180, Rotate270, FlipX, FlipY, FlipPlus1, FlipMinus1];

    /// <summary>
    /// The hash of the image as displayed, when these are the hashes of its stored pixels and EXIF orientation
    /// <paramref name="exifOrientation"/> (1..8) turns or mirrors them for display. Worked out on the DCT: displaying
    /// mirrors x (2), y (4) or both (3), or transposes first (5..8); a mirror along an axis negates the coefficients
    /// of odd frequency along it, a transpose swaps the axes. Anything outside 2..8 is displayed as stored.
    /// </summary>
    public PdqHash Displayed(int exifOrientation) => exifOrientation switch
    {
        2 => FlipY,       // mirrored left-right: the even column indices (odd frequencies across) change sign
        3 => Rotate180,
        4 => FlipX,       // mirrored top-bottom
        5 => FlipPlus1,   // transposed
        6 => Rotate270,   // displayed turned 90 degrees clockwise
        7 => FlipMinus1,  // transverse
        8 => Rotate90,    // displayed turned 90 degrees counter-clockwise
        _ => Original,
    };
}
