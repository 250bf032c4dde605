using Atelier.Imaging;

namespace Atelier.Governance.Tests;

/// <summary>
/// Benign synthetic pictures for the recall tests. Like photographs, most of their energy is at low
/// spatial frequencies (wave amplitude falls as 1/frequency, from half a cycle to eight cycles across
/// the picture), with random shapes and a little grain on top; every seed gives a different,
/// textured picture (PDQ quality well above 50) rather than a variation of one layout.
/// </summary>
internal static class BlocklistImages
{
    public static RgbaImage Textured(int seed, int width = 256, int height = 256)
    {
        var rng = new Random(seed);
        var waves = Enumerable.Range(0, 6 + rng.Next(4)).Select(_ => new Wave(rng)).ToArray();
        var (red, green, blue) = (new float[width * height], new float[width * height], new float[width * height]);
        // sin(a + b) = sin a cos b + cos a sin b: per-column and per-row tables keep this O(pixels) per wave.
        var (sinX, cosX, sinY, cosY) = (new double[width], new double[width], new double[height], new double[height]);
        foreach (var w in waves)
        {
            for (var x = 0; x < width; x++) (sinX[x], cosX[x]) = Math.SinCos(2 * Math.PI * w.Fx * x / width);
            for (var y = 0; y < height; y++) (sinY[y], cosY[y]) = Math.SinCos(2 * Math.PI * w.Fy * y / height + w.Phase);
            for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
            {
                var v = (float)((sinX[x] * cosY[y] + cosX[x] * sinY[y]) * w.Amplitude);
                var i = y * width + x;
                red[i] += v * w.R;
                green[i] += v * w.G;
                blue[i] += v * w.B;
            }
        }
        var pixels = new byte[width * height * 4];
        for (var i = 0; i < width * height; i++)
            (pixels[4 * i], pixels[4 * i + 1], pixels[4 * i + 2], pixels[4 * i + 3]) =
                (Clamp(128 + red[i]), Clamp(128 + green[i]), Clamp(128 + blue[i]), 255);
        var image = new RgbaImage(width, height, pixels);
        var shapes = 8 + rng.Next(10);
        for (var s = 0; s < shapes; s++) Shape(image, rng);
        for (var i = 0; i < pixels.Length; i += 4)
        {
            var grain = rng.Next(-4, 5);
            for (var c = 0; c < 3; c++) pixels[i + c] = Clamp(pixels[i + c] + grain);
        }
        return image;
    }

    private static void Shape(RgbaImage image, Random rng)
    {
        var (w, h) = (image.Width, image.Height);
        var (cx, cy) = (rng.Next(w), rng.Next(h));
        var (rx, ry) = (rng.Next(w / 12, w / 3), rng.Next(h / 12, h / 3));
        var (cr, cg, cb) = ((byte)rng.Next(256), (byte)rng.Next(256), (byte)rng.Next(256));
        var ellipse = rng.Next(2) == 0;
        for (var y = Math.Max(0, cy - ry); y < Math.Min(h, cy + ry); y++)
        for (var x = Math.Max(0, cx - rx); x < Math.Min(w, cx + rx); x++)
        {
            var (dx, dy) = ((x - cx) / (double)rx, (y - cy) / (double)ry);
            if (ellipse && dx * dx + dy * dy > 1) continue;
            var i = (y * w + x) * 4;
            (image.Pixels[i], image.Pixels[i + 1], image.Pixels[i + 2]) = (cr, cg, cb);
        }
    }

    private static byte Clamp(double v) => (byte)Math.Clamp((int)Math.Round(v), 0, 255);

    private sealed class Wave
    {
        public Wave(Random rng)
        {
            var frequency = 0.5 + rng.NextDouble() * 7.5;
            var angle = rng.NextDouble() * 2 * Math.PI;
            (Fx, Fy) = (frequency * Math.Cos(angle), frequency * Math.Sin(angle));
            Phase = rng.NextDouble() * 2 * Math.PI;
            Amplitude = 80 / frequency;
            (R, G, B) = (rng.NextSingle() * 2 - 1, rng.NextSingle() * 2 - 1, rng.NextSingle() * 2 - 1);
        }

        public double Fx { get; }
        public double Fy { get; }
        public double Phase { get; }
        public double Amplitude { get; }
        public float R { get; }
        public float G { get; }
        public float B { get; }
    }
}
