namespace Atelier.Governance.Policy;

/// <summary>
/// How close a candidate sample may come to an image of its run's training snapshot before <c>atelier sample</c> withholds it.
/// A candidate at or under any one threshold is withheld. Distances: PDQ Hamming distance (0-256 bits) to the nearest
/// training image's hash; cosine distance (0-2) between feature vectors; tiled L2 on 32x32 pixels (the largest of 16
/// tiles' RMS differences, 0-255), so that a copy is caught only when every part of it matches.
/// </summary>
public sealed record MemorizationPolicy(int PdqDistance, double FeatureDistance, double PixelDistance)
{
    /// <summary>Measured in docs/decisions/0013-memorization-thresholds.md: between a training image's lightly re-encoded copies and genuine samples.</summary>
    public static MemorizationPolicy Default { get; } = new(DefaultPdqDistance, DefaultFeatureDistance, DefaultPixelDistance);

    public const int DefaultPdqDistance = 31;
    public const double DefaultFeatureDistance = 0.05;
    public const double DefaultPixelDistance = 30;
}
