using Atelier.Imaging;

namespace Atelier.Bench.Decode;

/// <summary>Generates the two synthetic corpora under bench/data (gitignored). Seeded, so reruns make the same files.</summary>
internal static class Corpus
{
    public const string SmallPng = "png-64";
    public const string LargeJpeg = "jpeg-8mp";

    public static void Generate(string root, int pngCount, int jpegCount)
    {
        var pngDir = Directory.CreateDirectory(Path.Combine(root, SmallPng)).FullName;
        for (int i = 0; i < pngCount; i++)
        {
            File.WriteAllBytes(Path.Combine(pngDir, $"emoji-{i:D3}.png"), ImageEncoder.EncodePng(EmojiLike(64, i)));
        }

        var jpegDir = Directory.CreateDirectory(Path.Combine(root, LargeJpeg)).FullName;
        for (int i = 0; i < jpegCount; i++)
        {
            File.WriteAllBytes(Path.Combine(jpegDir, $"photo-{i:D3}.jpg"), ImageEncoder.EncodeJpeg(PhotoLike(3264, 2448, i), 90));
        }
    }

    /// <summary>A round face on a transparent background: a coloured disc, two eyes and a mouth bar.</summary>
    private static RgbaImage EmojiLike(int size, int seed)
    {
        var rng = new Random(seed);
        var img = RgbaImage.Filled(size, size, 0, 0, 0, 0);
        byte r = (byte)rng.Next(128, 256), g = (byte)rng.Next(64, 256), b = (byte)rng.Next(0, 128);
        double c = (size - 1) / 2.0, radius = size * (0.38 + (rng.NextDouble() * 0.1));
        for (int y = 0; y < size; y++)
        {
            for (int x = 0; x < size; x++)
            {
                double d = Math.Sqrt(((x - c) * (x - c)) + ((y - c) * (y - c)));
                double coverage = Math.Clamp(radius - d + 0.5, 0, 1); // antialiased edge
                if (coverage <= 0)
                {
                    continue;
                }

                bool eye = Math.Abs(y - (c - (size * 0.1))) < size * 0.06 && Math.Abs(Math.Abs(x - c) - (size * 0.14)) < size * 0.05;
                bool mouth = Math.Abs(y - (c + (size * 0.16))) < size * 0.035 && Math.Abs(x - c) < size * 0.2;
                int i = ((y * size) + x) * 4;
                double shade = 1 - (0.3 * (y / (double)size));
                img.Pixels[i] = eye || mouth ? (byte)40 : (byte)(r * shade);
                img.Pixels[i + 1] = eye || mouth ? (byte)30 : (byte)(g * shade);
                img.Pixels[i + 2] = eye || mouth ? (byte)20 : (byte)(b * shade);
                img.Pixels[i + 3] = (byte)(coverage * 255);
            }
        }

        return img;
    }

    /// <summary>Gradients plus smooth blobs plus fine noise: compresses roughly like a busy photo (a few MB at q90).</summary>
    private static RgbaImage PhotoLike(int width, int height, int seed)
    {
        var rng = new Random(seed);
        var img = new RgbaImage(width, height, new byte[width * height * 4]);
        double fx = (rng.NextDouble() * 0.02) + 0.002, fy = (rng.NextDouble() * 0.02) + 0.002;
        var phase = new[] { rng.NextDouble() * 6, rng.NextDouble() * 6, rng.NextDouble() * 6 };
        var noise = new byte[width];
        for (int y = 0; y < height; y++)
        {
            rng.NextBytes(noise);
            int row = y * width * 4;
            for (int x = 0; x < width; x++)
            {
                int i = row + (x * 4);
                double gx = x / (double)width, gy = y / (double)height;
                double blob = Math.Sin((x * fx) + phase[0]) * Math.Cos((y * fy) + phase[1]);
                int n = (noise[x] >> 3) - 16;
                img.Pixels[i] = Clamp((gx * 180) + (blob * 50) + n + 20);
                img.Pixels[i + 1] = Clamp((gy * 160) + (Math.Sin((x + y) * fx * 0.7 + phase[2]) * 40) + n + 40);
                img.Pixels[i + 2] = Clamp(((1 - gx) * 120) + (blob * 70) + n + 60);
                img.Pixels[i + 3] = 255;
            }
        }

        return img;
    }

    private static byte Clamp(double v) => (byte)Math.Clamp((int)v, 0, 255);
}
