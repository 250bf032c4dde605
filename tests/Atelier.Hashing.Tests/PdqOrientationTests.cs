namespace Atelier.Hashing.Tests;

/// <summary>
/// <see cref="PdqDihedralResult.Displayed"/>: from the hashes of the stored pixels, the hash of the picture as its EXIF
/// orientation displays it. Checked against hashing the displayed picture itself, built here from the EXIF definitions.
/// </summary>
public sealed class PdqOrientationTests
{
    private const int Rows = 300, Cols = 400;

    // A smooth picture with no symmetry, as photos are at PDQ's 64 x 64 scale (fine texture would alias differently
    // once mirrored, since the decimation's sample positions are not symmetric).
    private static float Stored(int y, int x) =>
        (float)(128 + 50 * Math.Sin(x / 23.0 + y / 41.0) + 40 * Math.Cos(x * (double)y / 9000.0) + 30 * Math.Sin((x - 2.0 * y) / 57.0) + 0.1 * x);

    /// <summary>The displayed picture for orientation <paramref name="o"/>: for each displayed (x, y), the stored pixel it shows.</summary>
    private static (float[] Luma, int Rows, int Cols) Displayed(int o)
    {
        bool swap = o >= 5;
        int rows = swap ? Cols : Rows, cols = swap ? Rows : Cols;
        var luma = new float[rows * cols];
        for (int y = 0; y < rows; y++)
            for (int x = 0; x < cols; x++)
            {
                (int sx, int sy) = o switch
                {
                    1 => (x, y),
                    2 => (Cols - 1 - x, y),
                    3 => (Cols - 1 - x, Rows - 1 - y),
                    4 => (x, Rows - 1 - y),
                    5 => (y, x),
                    6 => (y, Rows - 1 - x),
                    7 => (Cols - 1 - y, Rows - 1 - x),
                    _ => (Cols - 1 - y, x),
                };
                luma[y * cols + x] = Stored(sy, sx);
            }
        return (luma, rows, cols);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public void TheDisplayedHashIsTheHashOfTheDisplayedPicture(int orientation)
    {
        var (stored, _, _) = Displayed(1);
        var dihedral = PdqHasher.HashDihedral(stored, Rows, Cols);
        var (luma, rows, cols) = Displayed(orientation);
        var actual = PdqHasher.Hash(luma, rows, cols).Hash;

        var distance = dihedral.Displayed(orientation).DistanceTo(actual);

        // Not bit for bit: the blur (an even window, 4 here across 400 columns, is off centre by half a pixel) and the
        // decimation are not exactly symmetric; measured 0 to 20 bits. What counts is the match, and no other variant is near.
        Assert.True(distance <= PdqHasher.MatchThreshold, $"orientation {orientation}: distance {distance}");
        foreach (var other in dihedral.ToArray().Where(h => h != dihedral.Displayed(orientation)))
            Assert.True(other.DistanceTo(actual) > PdqHasher.MatchThreshold, $"orientation {orientation}: another variant at {other.DistanceTo(actual)}");
    }
}
