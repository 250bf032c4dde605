using SkiaSharp;

namespace Atelier.Imaging.Tests;

/// <summary>Synthesises test images in memory and loads committed fixtures.</summary>
internal static class TestImages
{
    public static byte[] Fixture(string name) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", name));

    /// <summary>Quadrants: top-left red, top-right green, bottom-left blue, bottom-right white.</summary>
    public static RgbaImage Quadrants(int width, int height, byte alpha = 255)
    {
        var img = RgbaImage.Filled(width, height, 0, 0, 0, alpha);
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                var (r, g, b) = (x < width / 2, y < height / 2) switch
                {
                    (true, true) => (255, 0, 0),
                    (false, true) => (0, 255, 0),
                    (true, false) => (0, 0, 255),
                    _ => (255, 255, 255),
                };
                int i = (y * width + x) * 4;
                img.Pixels[i] = (byte)r;
                img.Pixels[i + 1] = (byte)g;
                img.Pixels[i + 2] = (byte)b;
            }
        }

        return img;
    }

    public static RgbaImage Checkerboard(int size, int cell)
    {
        var img = RgbaImage.Filled(size, size, 0, 0, 0);
        for (int y = 0; y < size; y++)
        {
            for (int x = 0; x < size; x++)
            {
                byte v = ((x / cell) + (y / cell)) % 2 == 0 ? (byte)255 : (byte)0;
                int i = (y * size + x) * 4;
                img.Pixels[i] = img.Pixels[i + 1] = img.Pixels[i + 2] = v;
            }
        }

        return img;
    }

    public static RgbaImage Noise(int width, int height, int seed)
    {
        var rng = new Random(seed);
        var img = RgbaImage.Filled(width, height, 0, 0, 0);
        for (int i = 0; i < img.Pixels.Length; i += 4)
        {
            img.Pixels[i] = (byte)rng.Next(256);
            img.Pixels[i + 1] = (byte)rng.Next(256);
            img.Pixels[i + 2] = (byte)rng.Next(256);
        }

        return img;
    }

    public static byte[] Encode(RgbaImage img, SKEncodedImageFormat format, int quality = 95, SKColorSpace? colorSpace = null)
    {
        var info = new SKImageInfo(img.Width, img.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul, colorSpace);
        using var bitmap = new SKBitmap(info);
        System.Runtime.InteropServices.Marshal.Copy(img.Pixels, 0, bitmap.GetPixels(), img.Pixels.Length);
        using var data = bitmap.Encode(format, quality);
        return data.ToArray();
    }

    public static void AssertColor((byte R, byte G, byte B, byte A) actual, int r, int g, int b, int tolerance = 40)
    {
        Assert.True(
            Math.Abs(actual.R - r) <= tolerance && Math.Abs(actual.G - g) <= tolerance && Math.Abs(actual.B - b) <= tolerance,
            $"Expected about ({r},{g},{b}), got ({actual.R},{actual.G},{actual.B},{actual.A}).");
    }
}
