namespace Atelier.Imaging;

/// <summary>Cheap, size-independent quality signals for curation.</summary>
/// <param name="BlurVariance">Variance of the 3x3 Laplacian of luma; low means blurry or flat.</param>
/// <param name="MeanLuma">Mean luma, 0..255.</param>
/// <param name="DarkFraction">Fraction of pixels with luma below 16.</param>
/// <param name="BrightFraction">Fraction of pixels with luma above 239.</param>
/// <param name="Entropy">Shannon entropy of the 256-bin luma histogram, in bits (0..8).</param>
public sealed record ImageQuality(double BlurVariance, double MeanLuma, double DarkFraction, double BrightFraction, double Entropy);

/// <summary>
/// Computes <see cref="ImageQuality"/>. Every measure is taken on a luma plane whose longer side is
/// at most <see cref="WorkingSide"/> px (averaged over n x n boxes, n the smallest whole factor that
/// gets there: between half and all of <see cref="WorkingSide"/>), so figures roughly compare across
/// source sizes and cost a millisecond or two. Luma is BT.601
/// (0.299 R + 0.587 G + 0.114 B) after compositing over white. The Laplacian is
/// [0 1 0; 1 -4 1; 0 1 0] over interior pixels. Thread-safe.
/// </summary>
public static class QualityMeasures
{
    public const int WorkingSide = 512;

    public static ImageQuality Measure(RgbaImage img)
    {
        ArgumentNullException.ThrowIfNull(img);
        int w = img.Width, h = img.Height;
        var luma = Luma(img);
        var factor = (Math.Max(w, h) + WorkingSide - 1) / WorkingSide;
        if (factor > 1) (luma, w, h) = BoxReduce(luma, w, h, factor);

        var histogram = new long[256];
        long sum = 0, dark = 0, bright = 0;
        foreach (byte y in luma)
        {
            histogram[y]++;
            sum += y;
            dark += y < 16 ? 1 : 0;
            bright += y > 239 ? 1 : 0;
        }

        double n = luma.Length;
        double entropy = 0;
        foreach (long count in histogram)
        {
            if (count > 0)
            {
                double p = count / n;
                entropy -= p * Math.Log2(p);
            }
        }

        return new ImageQuality(LaplacianVariance(luma, w, h), sum / n, dark / n, bright / n, entropy);
    }

    private static byte[] Luma(RgbaImage img)
    {
        var p = img.Pixels;
        var luma = new byte[img.Width * img.Height];
        for (int i = 0, o = 0; i < luma.Length; i++, o += 4)
        {
            int a = p[o + 3];
            int r = p[o], g = p[o + 1], b = p[o + 2];
            if (a != 255)
            {
                // Composite over white; opaque pixels (nearly all of most images) skip the divisions.
                int na = 255 - a;
                r = (r * a + 255 * na + 127) / 255;
                g = (g * a + 255 * na + 127) / 255;
                b = (b * a + 255 * na + 127) / 255;
            }
            // Integer BT.601 weights (x1000).
            luma[i] = (byte)((299 * r + 587 * g + 114 * b + 500) / 1000);
        }

        return luma;
    }

    /// <summary>Averages <paramref name="n"/> x <paramref name="n"/> boxes (a partial last row/column of boxes is dropped).</summary>
    private static (byte[] Luma, int Width, int Height) BoxReduce(byte[] luma, int w, int h, int n)
    {
        int ow = Math.Max(1, w / n), oh = Math.Max(1, h / n);
        var sums = new int[ow];
        var reduced = new byte[ow * oh];
        int area = Math.Min(n, w) * Math.Min(n, h), half = area / 2;
        for (int oy = 0; oy < oh; oy++)
        {
            Array.Clear(sums);
            for (int y = oy * n, yEnd = Math.Min(h, y + n); y < yEnd; y++)
            {
                int row = y * w;
                for (int ox = 0, x = 0; ox < ow; ox++)
                    for (int xEnd = Math.Min(w, x + n); x < xEnd; x++) sums[ox] += luma[row + x];
            }
            for (int ox = 0; ox < ow; ox++) reduced[oy * ow + ox] = (byte)((sums[ox] + half) / area);
        }
        return (reduced, ow, oh);
    }

    private static double LaplacianVariance(byte[] luma, int w, int h)
    {
        if (w < 3 || h < 3)
        {
            return 0;
        }

        long sum = 0, sumSquares = 0;
        for (int y = 1; y < h - 1; y++)
        {
            int row = y * w;
            for (int x = 1; x < w - 1; x++)
            {
                int i = row + x;
                long v = luma[i - w] + luma[i + w] + luma[i - 1] + luma[i + 1] - (4 * luma[i]);
                sum += v;
                sumSquares += v * v;
            }
        }

        double count = (double)(w - 2) * (h - 2);
        double mean = sum / count;
        return (sumSquares / count) - (mean * mean);
    }
}
