namespace Atelier.Imaging;

/// <summary>Cheap, size-independent quality signals for curation.</summary>
/// <param name="BlurVariance">Variance of the 3x3 Laplacian of luma; low means blurry or flat.</param>
/// <param name="MeanLuma">Mean luma, 0..255.</param>
/// <param name="DarkFraction">Fraction of pixels with luma below 16.</param>
/// <param name="BrightFraction">Fraction of pixels with luma above 239.</param>
/// <param name="Entropy">Shannon entropy of the 256-bin luma histogram, in bits (0..8).</param>
public sealed record ImageQuality(double BlurVariance, double MeanLuma, double DarkFraction, double BrightFraction, double Entropy);

/// <summary>
/// Computes <see cref="ImageQuality"/>. Every measure is taken on a working copy whose longer side
/// is at most <see cref="WorkingSide"/> px (shrunk with <see cref="ImageResizer.Thumbnail"/>), so
/// figures compare across source sizes and cost a few ms. Luma is BT.601
/// (0.299 R + 0.587 G + 0.114 B) after compositing over white. The Laplacian is
/// [0 1 0; 1 -4 1; 0 1 0] over interior pixels. Thread-safe.
/// </summary>
public static class QualityMeasures
{
    public const int WorkingSide = 512;

    public static ImageQuality Measure(RgbaImage img)
    {
        ArgumentNullException.ThrowIfNull(img);
        var work = Math.Max(img.Width, img.Height) > WorkingSide ? ImageResizer.Thumbnail(img, WorkingSide) : img;
        int w = work.Width, h = work.Height;
        var luma = Luma(work);

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
            // Integer BT.601 weights (x1000) after compositing over white.
            int a = p[o + 3], na = 255 - a;
            int r = (p[o] * a + 255 * na + 127) / 255;
            int g = (p[o + 1] * a + 255 * na + 127) / 255;
            int b = (p[o + 2] * a + 255 * na + 127) / 255;
            luma[i] = (byte)((299 * r + 587 * g + 114 * b + 500) / 1000);
        }

        return luma;
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
