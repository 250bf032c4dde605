using Atelier.Imaging;

namespace Atelier.TestSupport;

/// <summary>Benign images made by the tests themselves: seeded noise over a gradient, encoded for real.</summary>
public static class SyntheticImages
{
    public static RgbaImage Pattern(int width, int height, int seed)
    {
        var rng = new Random(seed);
        var pixels = new byte[width * height * 4];
        var (cx, cy, r) = (rng.Next(width), rng.Next(height), Math.Max(4, Math.Min(width, height) / 4));
        for (var y = 0; y < height; y++)
        for (var x = 0; x < width; x++)
        {
            var i = (y * width + x) * 4;
            var inside = (x - cx) * (x - cx) + (y - cy) * (y - cy) < r * r;
            pixels[i] = (byte)(inside ? 230 : x * 255 / width);
            pixels[i + 1] = (byte)(inside ? 40 : y * 255 / height);
            pixels[i + 2] = (byte)((seed * 37 + rng.Next(64)) & 255);
            pixels[i + 3] = 255;
        }
        return new RgbaImage(width, height, pixels);
    }

    public static byte[] Png(int width, int height, int seed) => ImageEncoder.EncodePng(Pattern(width, height, seed));

    public static byte[] Jpeg(int width, int height, int seed, int quality = 90) => ImageEncoder.EncodeJpeg(Pattern(width, height, seed), quality);
}
