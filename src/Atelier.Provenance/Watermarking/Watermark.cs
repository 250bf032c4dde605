using System.Numerics;

namespace Atelier.Provenance.Watermarking;

/// <summary>
/// The invisible watermark (docs/decisions/0014-watermark-scheme.md, 0016-watermark-informed-embedding.md): 64 payload
/// bits, BCH(248,64) correcting 29 errors, spread over 8x8 block-DCT coefficients of luma normalised to a 256x256 frame
/// (so resizing does not move it), strength shaped by block activity (less in flat areas), embedded informed and
/// closed-loop at <see cref="TargetPsnr"/> dB (<see cref="InformedEmbedding"/>), read with a limited correlator
/// (<see cref="ChipGroup.Correlate"/>), and found again after a crop (a keyed pilot) or a small rotation (a search).
/// </summary>
public static class Watermark
{
    public const int PayloadBits = 64;
    /// <summary>PSNR the embedder aims at (the image's own rounding and clipping keep it within a few tenths).</summary>
    public const double TargetPsnr = 43.0;
    /// <summary>Smallest side, in pixels, the mark is embedded in or looked for.</summary>
    public const int MinimumSide = 64;
    /// <summary>
    /// Smallest side at which the mark measured robust on a small generator's output (emoji shrunk to 32 px, upscaled,
    /// marked; 100 each, bench --small-samples, docs/BENCHMARKS.md): at 64 px none was found even untouched, at 256 px all
    /// survived JPEG 50 but only 24 of 100 a resize to 0.75 then JPEG 75; at 320 px all 100 survived every one of those.
    /// Sampling upscales smaller outputs to this before marking.
    /// </summary>
    public const int RobustSide = 320;
    /// <summary>Codeword hypotheses decoded at most per image: the uncropped frame, it turned by each small rotation, and the best sync candidates, each at its whole-pixel and its sub-pixel offset.</summary>
    public static int MaxHypotheses => 1 + Rotations.Length + 2 * SyncCandidates;
    /// <summary>
    /// Chance that an image without this key's mark is reported found, if its 248 read bits are fair
    /// coins: hypotheses x 2^64 x V(248, 29) / 2^248 (V = Hamming ball volume).
    /// </summary>
    public static double FalsePositiveBound => MaxHypotheses * BallShare(WatermarkLayout.Code.Length, WatermarkLayout.Code.DataBits, WatermarkLayout.Code.CorrectableErrors);

    private const int SyncCandidates = 5;
    /// <summary>Small rotations tried on the uncropped frame, nearest first; a turn of 1 degree moves the frame's corners by 3 pixels, which the block DCT does not forgive.</summary>
    private static readonly double[] Rotations = [.. Enumerable.Range(1, 8).SelectMany(k => new[] { 0.25 * k, -0.25 * k })];
    private const float MaskReference = 6f, MaskFloor = 0.35f, MaskCeiling = 2.0f;
    private static readonly int Side = WatermarkLayout.Side;

    public static void Embed(Span<byte> rgb, int width, int height, ulong payload, WatermarkKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        CheckBuffer(rgb.Length, width, height);
        if (width < MinimumSide || height < MinimumSide)
            throw new ArgumentException($"a {width}x{height} image is too small to watermark (at least {MinimumSide} px a side)");
        var layout = WatermarkLayout.For(key);
        var (coefs, weight) = Analyse(rgb, width, height);

        var word = WatermarkLayout.Code.Encode(PayloadToBits(payload));
        var groups = new ChipGroup[word.Length + 1];
        for (int bit = 0; bit < word.Length; bit++)
            groups[bit] = ChipGroup.Measure(layout, coefs, weight, bit * WatermarkLayout.ChipsPerBit, WatermarkLayout.ChipsPerBit, word[bit] ^ layout.Mask[bit] ? 1f : -1f);
        groups[^1] = ChipGroup.Measure(layout, coefs, weight, layout.DataChips, WatermarkLayout.Chips - layout.DataChips, 1f);

        InformedEmbedding.Mark(rgb, width, height, layout, coefs, weight, groups);
    }

    public static WatermarkDetection Detect(ReadOnlySpan<byte> rgb, int width, int height, WatermarkKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        CheckBuffer(rgb.Length, width, height);
        if (width < MinimumSide || height < MinimumSide)
            return WatermarkDetection.None($"a {width}x{height} image is too small to carry the mark (at least {MinimumSide} px a side)");
        var layout = WatermarkLayout.For(key);
        WatermarkDetection? first = null;
        foreach (var (frame, valid, note) in Hypotheses(layout, LumaPlane.FromRgb(rgb, width, height)))
        {
            var found = Decode(layout, frame, valid);
            if (found.Found) return note is null ? found : found with { Reason = $"{found.Reason}, {note}" };
            first ??= found;
        }
        return first!;
    }

    /// <summary>
    /// For measurement: <see cref="Detect"/>'s answer, and the best share of the 248 code bits read right
    /// over the placements it tried, when <paramref name="payload"/> is what was embedded.
    /// </summary>
    internal static (WatermarkDetection Detection, double BitAccuracy) DetectMeasured(ReadOnlySpan<byte> rgb, int width, int height, WatermarkKey key, ulong payload)
    {
        CheckBuffer(rgb.Length, width, height);
        if (width < MinimumSide || height < MinimumSide) return (Detect(rgb, width, height, key), 0);
        var layout = WatermarkLayout.For(key);
        var expected = WatermarkLayout.Code.Encode(PayloadToBits(payload));
        double best = 0;
        WatermarkDetection? first = null;
        foreach (var (frame, valid, note) in Hypotheses(layout, LumaPlane.FromRgb(rgb, width, height)))
        {
            var word = ReadWord(layout, frame, valid);
            int same = 0;
            for (int i = 0; i < word.Length; i++) if (word[i] == expected[i]) same++;
            best = Math.Max(best, (double)same / word.Length);
            var found = Decode(layout, frame, valid);
            if (found.Found) return (found, best);
            first ??= found;
        }
        return (first!, best);
    }

    /// <summary>
    /// Placements of the picture in the frame, most likely first: the whole frame (not cropped), then, in
    /// case it was cropped, the best few of 14 scales (99% down to 86% of the frame's side, aspect kept)
    /// each at the offset where phase correlation with the pilot peaks.
    /// </summary>
    internal static IEnumerable<(float[] Frame, bool[]? Valid, string? Note)> Hypotheses(WatermarkLayout layout, LumaPlane luma)
    {
        var whole = luma.Resize(Side, Side);
        yield return (whole.Values, null, null);
        foreach (double degrees in Rotations)
            yield return (whole.Rotated(degrees, luma.Width, luma.Height).Values, null, $"after turning it back {degrees:+0.##;-0.##} degrees");
        var candidates = new List<(double Score, int Size, int X, int Y, double SubX, double SubY)>();
        for (int percent = 99; percent >= 86; percent--)
        {
            int size = (int)Math.Round(Side * percent / 100.0);
            var patch = luma.Resize(size, size);
            var (score, x, y, subX, subY) = Locate(layout, patch);
            candidates.Add((score, size, x, y, subX, subY));
        }
        foreach (var best in candidates.OrderByDescending(k => k.Score).Take(SyncCandidates))
        foreach (var cand in new[] { (best.Size, X: (double)best.X, Y: (double)best.Y), (best.Size, X: best.SubX, Y: best.SubY) })
        {
            if (cand.X == best.SubX && cand.Y == best.SubY && Math.Abs(best.SubX - best.X) + Math.Abs(best.SubY - best.Y) < 0.15) continue;
            var canvas = luma.PlaceInto(Side, cand.Size, cand.X, cand.Y).Values;
            var valid = new bool[WatermarkLayout.Blocks];
            for (int by = 0; by < WatermarkLayout.BlocksPerSide; by++)
                for (int bx = 0; bx < WatermarkLayout.BlocksPerSide; bx++)
                    valid[by * WatermarkLayout.BlocksPerSide + bx] = bx * 8 >= cand.X - 0.01 && bx * 8 + 8 <= cand.X + cand.Size + 0.01
                        && by * 8 >= cand.Y - 0.01 && by * 8 + 8 <= cand.Y + cand.Size + 0.01;
            yield return (canvas, valid, $"after re-aligning a crop ({100.0 * cand.Size / Side:0}% of the frame's side)");
        }
    }

    /// <summary>The 248 code bits as read (mask removed), before correction.</summary>
    internal static bool[] ReadWord(WatermarkLayout layout, float[] frame, bool[]? valid)
    {
        var coefs = Transform(frame, valid);
        var weight = Masking(coefs);
        var word = new bool[WatermarkLayout.Code.Length];
        for (int bit = 0; bit < word.Length; bit++)
        {
            double corr = ChipGroup.Correlate(layout, coefs, weight, bit * WatermarkLayout.ChipsPerBit, WatermarkLayout.ChipsPerBit, valid);
            word[bit] = (corr > 0) ^ layout.Mask[bit];
        }
        return word;
    }

    /// <summary>Correlates the bits' chips, reads the codeword, corrects it.</summary>
    private static WatermarkDetection Decode(WatermarkLayout layout, float[] frame, bool[]? valid)
    {
        var code = WatermarkLayout.Code;
        var word = ReadWord(layout, frame, valid);
        int corrected = code.Decode(word);
        if (corrected < 0)
            return WatermarkDetection.None($"no watermark for this key: the read bits are more than {code.CorrectableErrors} of {code.Length} away from any codeword");
        ulong payload = 0;
        var bits = code.Data(word);
        for (int i = 0; i < bits.Length; i++) if (bits[i]) payload |= 1UL << i;
        return new WatermarkDetection(true, payload, corrected, 1.0 - (double)corrected / code.Length,
            $"watermark found: {code.Length - corrected} of {code.Length} code bits read right, {corrected} corrected");
    }

    /// <summary>The uncropped frame's block-DCT coefficients of these bytes and the block weights they give.</summary>
    internal static (float[] Coefs, float[] Weight) Analyse(ReadOnlySpan<byte> rgb, int width, int height)
    {
        var coefs = Transform(LumaPlane.FromRgb(rgb, width, height).Resize(Side, Side).Values, null);
        return (coefs, Masking(coefs));
    }

    /// <summary>Weight per block from its AC activity: textured blocks hide more, flat ones get a floor.</summary>
    private static float[] Masking(float[] coefs)
    {
        var weight = new float[WatermarkLayout.Blocks];
        for (int b = 0; b < weight.Length; b++)
        {
            double energy = 0;
            for (int k = 1; k < 64; k++) energy += coefs[b * 64 + k] * coefs[b * 64 + k];
            float activity = (float)Math.Sqrt(energy / 63);
            weight[b] = Math.Clamp(MathF.Sqrt(activity / MaskReference), MaskFloor, MaskCeiling);
        }
        return weight;
    }

    private static float[] Transform(float[] frame, bool[]? valid)
    {
        var coefs = new float[WatermarkLayout.Blocks * 64];
        for (int b = 0; b < WatermarkLayout.Blocks; b++)
            if (valid is null || valid[b])
                BlockDct.Forward(frame, Side, b % WatermarkLayout.BlocksPerSide, b / WatermarkLayout.BlocksPerSide, coefs.AsSpan(b * 64, 64));
        return coefs;
    }

    internal static LumaPlane Inverse(float[] coefs)
    {
        var plane = new LumaPlane(Side, Side);
        for (int b = 0; b < WatermarkLayout.Blocks; b++)
            BlockDct.InverseAdd(coefs.AsSpan(b * 64, 64), plane.Values, Side, b % WatermarkLayout.BlocksPerSide, b / WatermarkLayout.BlocksPerSide);
        return plane;
    }

    /// <summary>Offset of <paramref name="patch"/> in the frame where the pilot correlates best, and how far that peak stands out (in standard deviations).</summary>
    internal static (double Score, int X, int Y, double SubX, double SubY) Locate(WatermarkLayout layout, LumaPlane patch)
    {
        int size = patch.Width;
        double mean = patch.Values.Average();
        var spectrum = new Complex[Side * Side];
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
                spectrum[y * Side + x] = patch.Values[y * size + x] - mean;
        Fft2D.Forward(spectrum, Side);
        for (int i = 0; i < spectrum.Length; i++)
        {
            // Phase only (whitened) on the picture's side: the picture's own low frequencies would swamp the peak.
            var p = spectrum[i];
            double mag = p.Magnitude;
            spectrum[i] = mag < 1e-9 ? Complex.Zero : Complex.Conjugate(p) / mag * layout.PilotSpectrum[i];
        }
        Fft2D.Inverse(spectrum, Side);
        int range = Side - size;
        double best = double.NegativeInfinity, sum = 0, sumSq = 0;
        int bestX = 0, bestY = 0, n = 0;
        for (int y = 0; y <= range; y++)
            for (int x = 0; x <= range; x++)
            {
                double v = spectrum[y * Side + x].Real;
                sum += v;
                sumSq += v * v;
                n++;
                if (v > best) (best, bestX, bestY) = (v, x, y);
            }
        double m = sum / n, sd = Math.Sqrt(Math.Max(sumSq / n - m * m, 1e-30));
        // Parabola through the peak and its neighbours: the offset to a fraction of a pixel.
        double At(int x, int y) => x < 0 || y < 0 || x > range || y > range ? best : spectrum[y * Side + x].Real;
        double Vertex(double left, double right) { double den = left - 2 * best + right; return den < 0 ? Math.Clamp(0.5 * (left - right) / den, -0.5, 0.5) : 0; }
        return ((best - m) / sd, bestX, bestY, bestX + Vertex(At(bestX - 1, bestY), At(bestX + 1, bestY)), bestY + Vertex(At(bestX, bestY - 1), At(bestX, bestY + 1)));
    }

    private static bool[] PayloadToBits(ulong payload)
    {
        var bits = new bool[PayloadBits];
        for (int i = 0; i < PayloadBits; i++) bits[i] = ((payload >> i) & 1) != 0;
        return bits;
    }

    private static void CheckBuffer(int length, int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if (length != (long)width * height * 3) throw new ArgumentException($"{length} bytes are not a {width}x{height} RGB image");
    }

    /// <summary>2^(k-n) x sum_{i<=t} C(n, i), in doubles (log space for the binomials).</summary>
    private static double BallShare(int n, int k, int t)
    {
        double sum = 0;
        for (int i = 0; i <= t; i++) sum += Math.Exp(LogChoose(n, i) + (k - n) * Math.Log(2));
        return sum;
    }

    private static double LogChoose(int n, int k)
    {
        double r = 0;
        for (int i = 1; i <= k; i++) r += Math.Log(n - k + i) - Math.Log(i);
        return r;
    }
}
