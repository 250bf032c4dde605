namespace Atelier.Provenance.Watermarking;

/// <summary>
/// What <see cref="Watermark.Detect"/> found. <paramref name="CorrectedBits"/>: code bits the BCH decoder
/// flipped (0..29); <paramref name="Confidence"/>: share of the 248 read bits that agreed with the decoded
/// codeword (0 when nothing was found); <paramref name="Reason"/>: one line for a person.
/// </summary>
public sealed record WatermarkDetection(bool Found, ulong Payload, int CorrectedBits, double Confidence, string Reason)
{
    internal static WatermarkDetection None(string reason) => new(false, 0, 0, 0, reason);
}

/// <summary>Peak signal-to-noise ratio between two interleaved 8-bit buffers of the same size.</summary>
public static class Psnr
{
    public static double Of(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        if (a.Length != b.Length || a.Length == 0) throw new ArgumentException("PSNR needs two non-empty buffers of the same size");
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            int d = a[i] - b[i];
            sum += d * d;
        }
        return sum == 0 ? double.PositiveInfinity : 10 * Math.Log10(255.0 * 255.0 * a.Length / sum);
    }
}
