namespace Atelier.Provenance.Watermarking;

/// <summary>
/// Puts the code bits and the pilot into a picture at <see cref="Watermark.TargetPsnr"/> dB, each group pushed only as
/// far as the picture leaves it short of a common margin (<see cref="ChipGroup"/>), and closes the loop on what the
/// detector reads in the bytes written.
/// </summary>
internal static class InformedEmbedding
{
    /// <summary>Code bits that may be left to the error correction (of 29 it corrects) when the picture opposes them hard.</summary>
    private const int LeftToCorrection = 8;
    private static readonly int Side = WatermarkLayout.Side;

    /// <summary>Marks <paramref name="rgb"/> in place; <paramref name="coefs"/> and <paramref name="weight"/> are its unmarked frame's.</summary>
    public static void Mark(Span<byte> rgb, int width, int height, WatermarkLayout layout, float[] coefs, float[] weight, ChipGroup[] groups)
    {
        var (margin, amplitude) = FirstGuess(width, height, layout, coefs, weight, ref groups);
        var original = rgb.ToArray();
        double softening = 1, psnr = 0;
        (double Margin, double Psnr)? before = null;
        for (int round = 0; round < 6; round++)
        {
            // Resizing the change to the picture and back softens it but not the picture's own opposition to a
            // bit, and rounding and clipping take their share: top each group up to what the detector reads.
            for (int pass = 0; pass < (round == 0 ? 2 : 1); pass++)
            {
                Apply(original, rgb, Render(layout, coefs, weight, groups, amplitude, width, height));
                var read = ReadGroups(layout, groups, rgb, width, height);
                if (round == 0 && pass == 0) softening = Softening(groups, amplitude, read);
                for (int i = 0; i < groups.Length; i++)
                    amplitude[i] += Math.Max(0, groups[i].Target(margin) - read[i]) / softening;
            }
            Apply(original, rgb, Render(layout, coefs, weight, groups, amplitude, width, height));
            psnr = Psnr.Of(original, rgb);
            if (Math.Abs(psnr - Watermark.TargetPsnr) <= 0.25) return;
            // Next margin: as if PSNR followed the margin's square, then by the secant through the last two rounds.
            double next = margin * Math.Pow(10, (psnr - Watermark.TargetPsnr) / 20);
            if (before is { } b && Math.Abs(psnr - b.Psnr) > 1e-6)
                next = margin + (Watermark.TargetPsnr - psnr) * (margin - b.Margin) / (psnr - b.Psnr);
            next = Math.Clamp(next, margin * 0.5, margin * 2.0);
            before = (margin, psnr);
            Shift(groups, amplitude, next - margin, softening);
            margin = next;
        }
        for (int attempt = 0; attempt < 40 && psnr < Watermark.TargetPsnr - 0.3; attempt++)
        {
            if (attempt < 8)
            {
                Shift(groups, amplitude, -0.07 * margin, softening); // clipping costs more than the budget assumed: a little less
                margin *= 0.93;
            }
            else // a picture that fights nearly every bit: the budget is kept, and the correction has to do the rest
                for (int i = 0; i < amplitude.Length; i++) amplitude[i] *= 0.9;
            Apply(original, rgb, Render(layout, coefs, weight, groups, amplitude, width, height));
            psnr = Psnr.Of(original, rgb);
        }
    }

    /// <summary>
    /// The margin the PSNR budget buys in the frame, with the few bits the picture opposes hardest left to the
    /// correction, and with the energy lost to resizing the change to the picture measured on one rendering.
    /// </summary>
    private static (double Margin, double[] Amplitude) FirstGuess(int width, int height, WatermarkLayout layout, float[] coefs, float[] weight, ref ChipGroup[] groups)
    {
        double budget = 255.0 * 255.0 * Math.Pow(10, -Watermark.TargetPsnr / 10) - 1.0 / 12; // per pixel; rounding costs 1/12
        double framePixels = Side * Side;
        double margin = ChipGroup.MarginFor(groups, budget * framePixels);
        groups = ChipGroup.LeaveCostliestToCorrection(groups, margin, LeftToCorrection);
        margin = ChipGroup.MarginFor(groups, budget * framePixels);
        var delta = Render(layout, coefs, weight, groups, groups.Select(g => g.Shortfall(margin)).ToArray(), width, height);
        double resized = MeanSquare(delta) / Math.Max(ChipGroup.Energy(groups, margin) / framePixels, 1e-12);
        margin = ChipGroup.MarginFor(groups, budget * framePixels / Math.Max(resized, 1e-3));
        return (margin, groups.Select(g => g.Shortfall(margin)).ToArray());
    }

    /// <summary>Moves every group's target by <paramref name="dz"/> (a group already beyond it keeps what it has).</summary>
    private static void Shift(ChipGroup[] groups, double[] amplitude, double dz, double softening)
    {
        for (int i = 0; i < groups.Length; i++)
            if (!groups[i].LeftToCorrection) amplitude[i] = Math.Max(0, amplitude[i] + groups[i].Scale * dz / softening);
    }

    /// <summary>Each group's z as the detector reads it in these bytes (positive: the way it was meant).</summary>
    private static double[] ReadGroups(WatermarkLayout layout, ChipGroup[] groups, ReadOnlySpan<byte> rgb, int width, int height)
    {
        var (coefs, weight) = Watermark.Analyse(rgb, width, height);
        var read = new double[groups.Length];
        for (int i = 0; i < groups.Length; i++) read[i] = groups[i].Read(layout, coefs, weight);
        return read;
    }

    /// <summary>Share of the intended change the detector reads back (least squares over the groups), kept within [0.25, 1].</summary>
    private static double Softening(ChipGroup[] groups, double[] amplitude, double[] read)
    {
        double num = 0, den = 0;
        for (int i = 0; i < groups.Length; i++)
        {
            num += (read[i] - groups[i].HostZ) * amplitude[i];
            den += amplitude[i] * amplitude[i];
        }
        return den > 0 ? Math.Clamp(num / den, 0.25, 1.0) : 1.0;
    }

    /// <summary>The luma change, at the image's size, that moves each group by its amplitude (in z).</summary>
    private static float[] Render(WatermarkLayout layout, float[] coefs, float[] weight, ChipGroup[] groups, double[] amplitude, int width, int height)
    {
        var change = new float[WatermarkLayout.Blocks * 64];
        for (int i = 0; i < groups.Length; i++) groups[i].Add(layout, coefs, weight, amplitude[i], change);
        return Watermark.Inverse(change).Resize(width, height).Values;
    }

    private static double MeanSquare(float[] v)
    {
        double sum = 0;
        foreach (var x in v) sum += x * x;
        return sum / v.Length;
    }

    private static void Apply(byte[] original, Span<byte> rgb, float[] delta)
    {
        for (int i = 0, s = 0; i < delta.Length; i++, s += 3)
            for (int k = 0; k < 3; k++)
                rgb[s + k] = (byte)Math.Clamp((int)MathF.Round(original[s + k] + delta[i]), 0, 255);
    }
}
