namespace Atelier.Provenance.Watermarking;

/// <summary>
/// One code bit's chips (or the pilot's) as the embedder sees them: the sign they must read, and how strongly
/// the unmarked picture already reads along them. Embedding is informed: a group is pushed only as far as it
/// falls short of the common margin, in units of the detector's correlation over its noise (z), so a picture
/// that already agrees with a bit costs nothing and one that fights it gets what it takes. Cancelling every group's
/// host projection at a fixed share instead spent the budget on bits the picture already carries, and busy pictures
/// ran out of it (docs/decisions/0016-watermark-informed-embedding.md).
/// </summary>
internal readonly record struct ChipGroup(int First, int Count, float Sign, double HostZ, double Norm, double Scale)
{
    /// <summary>Left to the error correction: the picture opposes this bit so strongly that fighting it would starve the others.</summary>
    public bool LeftToCorrection { get; init; }

    /// <summary>Measures the host along the group's chips; <paramref name="sign"/> is the value the detector must read.</summary>
    public static ChipGroup Measure(WatermarkLayout layout, float[] coefs, float[] weight, int first, int count, float sign)
    {
        double den = 0;
        for (int c = first; c < first + count; c++)
        {
            int block = layout.BlockOf(c);
            if (Movable(coefs[layout.CoefficientOf(c)])) den += weight[block] * weight[block];
        }
        double norm = Math.Sqrt(Math.Max(den, 1e-12));
        // A group of more chips (the pilot) gets the same change per chip as a code bit, hence its larger margin.
        return new ChipGroup(first, count, sign, sign * Correlate(layout, coefs, weight, first, count) / norm, norm, Math.Sqrt((double)count / WatermarkLayout.ChipsPerBit));
    }

    /// <summary>
    /// The detector's statistic for chips [first, first + count): each coefficient limited to ±<see cref="ChipLimit"/>,
    /// weighted by its block, times its keyed sign. The limit keeps a few hard edges (coefficients in the hundreds,
    /// against a mark of a few units) from outvoting the mark in their bit: the embedder would have to fight them.
    /// </summary>
    public static double Correlate(WatermarkLayout layout, float[] coefs, float[] weight, int first, int count, bool[]? valid = null)
    {
        double corr = 0;
        for (int c = first; c < first + count; c++)
        {
            int block = layout.BlockOf(c);
            if (valid is not null && !valid[block]) continue;
            corr += weight[block] * Math.Clamp(coefs[layout.CoefficientOf(c)], -ChipLimit, ChipLimit) * layout.Sign[c];
        }
        return corr;
    }

    /// <summary>Largest coefficient a chip counts with, in DCT units of 0–255 luma (the mark moves a chip by a few).</summary>
    public const float ChipLimit = 12f;

    /// <summary>Whether the embedder can move the detector's reading of a chip: not when the picture holds it beyond the limit.</summary>
    private static bool Movable(float coef) => Math.Abs(coef) < ChipLimit;

    /// <summary>How far along its chips this group must be moved (in z) for the detector to read it at <paramref name="margin"/>.</summary>
    public double Shortfall(double margin) => Math.Max(0, Target(margin) - HostZ);

    /// <summary>The z the detector should read in this group (none for a group left to the correction).</summary>
    public double Target(double margin) => LeftToCorrection ? double.NegativeInfinity : Scale * margin;

    /// <summary>
    /// Leaves up to <paramref name="most"/> of the code bits (not the pilot, the last group) to the error correction:
    /// those the picture opposes by more than twice the margin, most opposed first. Each costs at least nine
    /// ordinary bits' energy to fight; a flat graphic with hard black-on-white edges had bits that took most of the budget.
    /// </summary>
    public static ChipGroup[] LeaveCostliestToCorrection(ChipGroup[] groups, double margin, int most)
    {
        var result = (ChipGroup[])groups.Clone();
        foreach (int i in Enumerable.Range(0, groups.Length - 1).Where(i => groups[i].HostZ < -2 * margin).OrderBy(i => groups[i].HostZ).Take(most))
            result[i] = groups[i] with { LeftToCorrection = true };
        return result;
    }

    /// <summary>
    /// Adds the change that moves this group by <paramref name="z"/> along its weighted, signed chips to <paramref name="change"/>;
    /// chips the picture holds beyond the limit get none (the detector would not see it).
    /// </summary>
    public void Add(WatermarkLayout layout, float[] coefs, float[] weight, double z, float[] change)
    {
        float amplitude = (float)(Sign * z / Norm);
        if (amplitude == 0) return;
        for (int c = First; c < First + Count; c++)
        {
            int at = layout.CoefficientOf(c);
            if (Movable(coefs[at])) change[at] += weight[layout.BlockOf(c)] * amplitude * layout.Sign[c];
        }
    }

    /// <summary>This group's z as the detector reads it in <paramref name="coefs"/>, in this group's units (positive: the way it is meant).</summary>
    public double Read(WatermarkLayout layout, float[] coefs, float[] weight) => Sign * Correlate(layout, coefs, weight, First, Count) / Norm;

    /// <summary>Energy (sum of squared coefficient changes) the groups need to reach <paramref name="margin"/>.</summary>
    public static double Energy(ChipGroup[] groups, double margin)
    {
        double e = 0;
        foreach (var g in groups) { double s = g.Shortfall(margin); e += s * s; }
        return e;
    }

    /// <summary>The largest margin whose energy fits <paramref name="energy"/> (the energy grows with the margin, so bisect).</summary>
    public static double MarginFor(ChipGroup[] groups, double energy)
    {
        double lo = 0, hi = 1;
        while (Energy(groups, hi) < energy && hi < 1e9) hi *= 2;
        for (int i = 0; i < 60; i++)
        {
            double mid = 0.5 * (lo + hi);
            if (Energy(groups, mid) < energy) lo = mid; else hi = mid;
        }
        return lo;
    }
}
