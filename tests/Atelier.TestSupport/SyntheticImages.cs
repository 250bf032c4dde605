using Atelier.Imaging;

namespace Atelier.TestSupport;

/// <summary>Benign images made by the tests themselves: seeded noise over a gradient, encoded for real.</summary>
public static class SyntheticImages
{
    /// <summary>A gradient with a dozen seeded discs and bars: enough structure for PDQ quality well above 50.</summary>
    public static RgbaImage Pattern(int width, int height, int seed)
    {
        var rng = new Random(seed);
        var pixels = new byte[width * height * 4];
        for (var y = 0; y < height; y++)
        for (var x = 0; x < width; x++)
        {
            var i = (y * width + x) * 4;
            (pixels[i], pixels[i + 1], pixels[i + 2], pixels[i + 3]) = ((byte)(x * 255 / width), (byte)(y * 255 / height), (byte)(seed * 37), 255);
        }
        for (var s = 0; s < 12; s++)
        {
            var (cx, cy) = (rng.Next(width), rng.Next(height));
            var r = Math.Max(2, rng.Next(Math.Min(width, height) / 12, Math.Min(width, height) / 4));
            var (cr, cg, cb) = ((byte)rng.Next(256), (byte)rng.Next(256), (byte)rng.Next(256));
            var disc = rng.Next(2) == 0;
            for (var y = Math.Max(0, cy - r); y < Math.Min(height, cy + r); y++)
            for (var x = Math.Max(0, cx - r); x < Math.Min(width, cx + r); x++)
            {
                if (disc && (x - cx) * (x - cx) + (y - cy) * (y - cy) > r * r) continue;
                if (!disc && Math.Abs(y - cy) > r / 3) continue;
                var i = (y * width + x) * 4;
                (pixels[i], pixels[i + 1], pixels[i + 2]) = (cr, cg, cb);
            }
        }
        return new RgbaImage(width, height, pixels);
    }

    public static byte[] Png(int width, int height, int seed) => ImageEncoder.EncodePng(Pattern(width, height, seed));

    public static byte[] Jpeg(int width, int height, int seed, int quality = 90) => ImageEncoder.EncodeJpeg(Pattern(width, height, seed), quality);
}
