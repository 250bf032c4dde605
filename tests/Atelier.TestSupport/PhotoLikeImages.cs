namespace Atelier.TestSupport;

/// <summary>
/// Procedural stand-ins for photographs (the repository holds no photos): a soft three-colour gradient,
/// fractal value-noise texture, a few soft-edged shapes with their own texture, and fine sensor-like grain.
/// Interleaved RGB bytes; the same seed gives the same bytes.
/// </summary>
public static class PhotoLikeImages
{
    public static byte[] Rgb(int width, int height, int seed)
    {
        var rng = new Random(seed);
        var corner = new float[4][];
        for (int i = 0; i < 4; i++) corner[i] = [rng.Next(30, 226), rng.Next(30, 226), rng.Next(30, 226)];
        float textureAmp = 6 + 30 * (float)rng.NextDouble();
        float cell = 8 + 56 * (float)rng.NextDouble();
        int noiseSeed = rng.Next();
        var shapes = new (float X, float Y, float R, float Soft, float[] Colour, float Amp, bool Disc)[rng.Next(3, 9)];
        for (int s = 0; s < shapes.Length; s++)
            shapes[s] = ((float)rng.NextDouble() * width, (float)rng.NextDouble() * height,
                (0.05f + 0.3f * (float)rng.NextDouble()) * Math.Min(width, height), 0.5f + 4 * (float)rng.NextDouble(),
                [rng.Next(256), rng.Next(256), rng.Next(256)], 2 + 25 * (float)rng.NextDouble(), rng.Next(2) == 0);
        float grain = 1 + 3 * (float)rng.NextDouble();
        var rgb = new byte[width * height * 3];
        var grainRng = new Random(seed ^ 0x5eed);
        Span<float> c = stackalloc float[3];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                float u = (float)x / width, v = (float)y / height;
                float tex = textureAmp * Fbm(x / cell, y / cell, noiseSeed);
                for (int k = 0; k < 3; k++)
                    c[k] = (1 - u) * (1 - v) * corner[0][k] + u * (1 - v) * corner[1][k] + (1 - u) * v * corner[2][k] + u * v * corner[3][k] + tex;
                foreach (var sh in shapes)
                {
                    float d = sh.Disc
                        ? MathF.Sqrt((x - sh.X) * (x - sh.X) + (y - sh.Y) * (y - sh.Y)) - sh.R
                        : MathF.Max(MathF.Abs(x - sh.X) - sh.R, MathF.Abs(y - sh.Y) - sh.R / 2);
                    float a = Math.Clamp(0.5f - d / sh.Soft, 0, 1);
                    if (a <= 0) continue;
                    float stex = sh.Amp * Fbm(x / (cell / 2), y / (cell / 2), noiseSeed + 7);
                    for (int k = 0; k < 3; k++) c[k] = (1 - a) * c[k] + a * (sh.Colour[k] + stex);
                }
                float g = grain * (float)(grainRng.NextDouble() + grainRng.NextDouble() - 1);
                int o = (y * width + x) * 3;
                for (int k = 0; k < 3; k++) rgb[o + k] = (byte)Math.Clamp((int)MathF.Round(c[k] + g), 0, 255);
            }
        return rgb;
    }

    /// <summary>Four octaves of smoothly interpolated lattice noise, roughly in [-1, 1].</summary>
    private static float Fbm(float x, float y, int seed)
    {
        float sum = 0, amp = 0.5f;
        for (int o = 0; o < 4; o++, x *= 2, y *= 2, amp *= 0.5f) sum += amp * Value(x, y, seed + o * 1013);
        return sum * 1.9f;
    }

    private static float Value(float x, float y, int seed)
    {
        int x0 = (int)MathF.Floor(x), y0 = (int)MathF.Floor(y);
        float fx = x - x0, fy = y - y0;
        fx = fx * fx * (3 - 2 * fx);
        fy = fy * fy * (3 - 2 * fy);
        float a = Lattice(x0, y0, seed), b = Lattice(x0 + 1, y0, seed), c = Lattice(x0, y0 + 1, seed), d = Lattice(x0 + 1, y0 + 1, seed);
        return (a + (b - a) * fx) * (1 - fy) + (c + (d - c) * fx) * fy;
    }

    private static float Lattice(int x, int y, int seed)
    {
        uint h = (uint)(x * 374761393 + y * 668265263 + seed * 1442695041);
        h = (h ^ (h >> 13)) * 1274126177;
        h ^= h >> 16;
        return h / (float)uint.MaxValue * 2 - 1;
    }
}
