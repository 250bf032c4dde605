namespace Atelier.Provenance.Watermarking;

/// <summary>
/// A single-channel float image. The watermark works on luma in floating point: Imaging's
/// <c>ImageResizer</c> resamples RGBA bytes, and rounding the faint mark to bytes at every resize would
/// cost it a sizeable share of its energy, hence this separate float resampler.
/// </summary>
internal sealed class LumaPlane
{
    public int Width { get; }
    public int Height { get; }
    public float[] Values { get; }

    public LumaPlane(int width, int height, float[]? values = null)
    {
        Width = width;
        Height = height;
        Values = values ?? new float[checked(width * height)];
    }

    /// <summary>Rec. 601 luma of interleaved RGB bytes.</summary>
    public static LumaPlane FromRgb(ReadOnlySpan<byte> rgb, int width, int height)
    {
        var plane = new LumaPlane(width, height);
        var v = plane.Values;
        for (int i = 0, s = 0; i < v.Length; i++, s += 3)
            v[i] = 0.299f * rgb[s] + 0.587f * rgb[s + 1] + 0.114f * rgb[s + 2];
        return plane;
    }

    /// <summary>
    /// Separable resampling with a triangle filter widened by the scale factor when shrinking (area-like,
    /// antialiased) and plain bilinear when enlarging.
    /// </summary>
    public LumaPlane Resize(int width, int height)
    {
        if (width == Width && height == Height) return new LumaPlane(width, height, (float[])Values.Clone());
        var cols = Taps.Compute(Width, width);
        var rows = Taps.Compute(Height, height);
        var between = new float[Height * width];
        for (int y = 0; y < Height; y++)
            for (int x = 0; x < width; x++)
                between[y * width + x] = cols.Apply(x, Values, y * Width, 1);
        var result = new LumaPlane(width, height);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                result.Values[y * width + x] = rows.Apply(y, between, x, width);
        return result;
    }

    /// <summary>
    /// Resamples into a <paramref name="side"/> x <paramref name="side"/> canvas where this plane, scaled to
    /// <paramref name="size"/> x <paramref name="size"/>, starts at the fractional offset (<paramref name="x"/>,
    /// <paramref name="y"/>); canvas pixels outside it are 0. Sub-pixel placement matters: the mark's DCT
    /// chips lose much of their correlation at half a pixel of misregistration.
    /// </summary>
    public LumaPlane PlaceInto(int side, double size, double x, double y)
    {
        var cols = Taps.Compute(Width, side, Width / size, x);
        var rows = Taps.Compute(Height, side, Height / size, y);
        var between = new float[Height * side];
        for (int r = 0; r < Height; r++)
            for (int c = 0; c < side; c++)
                between[r * side + c] = cols.Apply(c, Values, r * Width, 1);
        var result = new LumaPlane(side, side);
        for (int r = 0; r < side; r++)
            for (int c = 0; c < side; c++)
                result.Values[r * side + c] = rows.Apply(r, between, c, side);
        return result;
    }

    /// <summary>
    /// This frame, made from a <paramref name="imageWidth"/> x <paramref name="imageHeight"/> picture, as it would be had the
    /// picture been turned by <paramref name="degrees"/> about its centre before framing (bilinear, edges clamped): the
    /// rotation is applied in the picture's own proportions, so a non-square picture's frame is not sheared.
    /// </summary>
    public LumaPlane Rotated(double degrees, int imageWidth, int imageHeight)
    {
        double a = degrees * Math.PI / 180, cos = Math.Cos(a), sin = Math.Sin(a);
        double sx = (double)imageWidth / Width, sy = (double)imageHeight / Height;
        double cx = imageWidth / 2.0, cy = imageHeight / 2.0;
        var result = new LumaPlane(Width, Height);
        for (int v = 0; v < Height; v++)
            for (int u = 0; u < Width; u++)
            {
                double x = (u + 0.5) * sx - cx, y = (v + 0.5) * sy - cy;
                double fu = (cx + cos * x - sin * y) / sx - 0.5, fv = (cy + sin * x + cos * y) / sy - 0.5;
                result.Values[v * Width + u] = Bilinear(fu, fv);
            }
        return result;
    }

    private float Bilinear(double x, double y)
    {
        x = Math.Clamp(x, 0, Width - 1);
        y = Math.Clamp(y, 0, Height - 1);
        int x0 = Math.Min((int)x, Width - 2), y0 = Math.Min((int)y, Height - 2);
        float fx = (float)(x - x0), fy = (float)(y - y0);
        int i = y0 * Width + x0;
        float top = Values[i] + (Values[i + 1] - Values[i]) * fx;
        float bottom = Values[i + Width] + (Values[i + Width + 1] - Values[i + Width]) * fx;
        return top + (bottom - top) * fy;
    }

    private sealed class Taps
    {
        private readonly int[] _start;
        private readonly int[] _count;
        private readonly float[] _weights;
        private readonly int _stride;

        private Taps(int[] start, int[] count, float[] weights, int stride)
        {
            _start = start;
            _count = count;
            _weights = weights;
            _stride = stride;
        }

        public static Taps Compute(int srcSize, int dstSize) => Compute(srcSize, dstSize, (double)srcSize / dstSize, 0);

        /// <summary>Output i samples the source around (i + 0.5 - shift) * scale - 0.5; outside the source it is 0.</summary>
        public static Taps Compute(int srcSize, int dstSize, double scale, double shift)
        {
            double support = Math.Max(scale, 1.0);
            int stride = (int)Math.Ceiling(support) * 2 + 2;
            var start = new int[dstSize];
            var count = new int[dstSize];
            var weights = new float[dstSize * stride];
            for (int i = 0; i < dstSize; i++)
            {
                double center = (i + 0.5 - shift) * scale - 0.5;
                if (center < -0.5 || center > srcSize - 0.5) continue; // outside: no taps, output 0
                int first = Math.Max(0, (int)Math.Floor(center - support) + 1);
                int last = Math.Min(srcSize - 1, (int)Math.Ceiling(center + support) - 1);
                if (last < first) first = last = Math.Clamp((int)Math.Round(center), 0, srcSize - 1);
                int n = Math.Min(last - first + 1, stride);
                double sum = 0;
                for (int j = 0; j < n; j++) sum += Math.Max(0, 1 - Math.Abs(first + j - center) / support);
                for (int j = 0; j < n; j++)
                    weights[i * stride + j] = sum > 0 ? (float)(Math.Max(0, 1 - Math.Abs(first + j - center) / support) / sum) : 1f / n;
                start[i] = first;
                count[i] = n;
            }
            return new Taps(start, count, weights, stride);
        }

        public float Apply(int index, float[] source, int offset, int step)
        {
            int n = _count[index], w = index * _stride, s = offset + _start[index] * step;
            float acc = 0;
            for (int j = 0; j < n; j++, s += step) acc += source[s] * _weights[w + j];
            return acc;
        }
    }
}

/// <summary>The orthonormal 8x8 DCT-II and its inverse.</summary>
internal static class BlockDct
{
    public const int N = 8;
    private static readonly float[] Basis = MakeBasis(); // Basis[u * 8 + x]

    private static float[] MakeBasis()
    {
        var c = new float[N * N];
        for (int u = 0; u < N; u++)
            for (int x = 0; x < N; x++)
                c[u * N + x] = (float)((u == 0 ? Math.Sqrt(1.0 / N) : Math.Sqrt(2.0 / N)) * Math.Cos((2 * x + 1) * u * Math.PI / (2 * N)));
        return c;
    }

    /// <summary>Coefficients (row-major u*8+v) of the block at (bx, by) of a plane of width <paramref name="stride"/>.</summary>
    public static void Forward(float[] plane, int stride, int bx, int by, Span<float> coef)
    {
        Span<float> tmp = stackalloc float[N * N];
        int origin = by * N * stride + bx * N;
        for (int y = 0; y < N; y++)
            for (int v = 0; v < N; v++)
            {
                float acc = 0;
                for (int x = 0; x < N; x++) acc += Basis[v * N + x] * plane[origin + y * stride + x];
                tmp[y * N + v] = acc;
            }
        for (int u = 0; u < N; u++)
            for (int v = 0; v < N; v++)
            {
                float acc = 0;
                for (int y = 0; y < N; y++) acc += Basis[u * N + y] * tmp[y * N + v];
                coef[u * N + v] = acc;
            }
    }

    /// <summary>Adds the inverse transform of <paramref name="coef"/> into the block at (bx, by).</summary>
    public static void InverseAdd(ReadOnlySpan<float> coef, float[] plane, int stride, int bx, int by)
    {
        Span<float> tmp = stackalloc float[N * N];
        for (int y = 0; y < N; y++)
            for (int v = 0; v < N; v++)
            {
                float acc = 0;
                for (int u = 0; u < N; u++) acc += Basis[u * N + y] * coef[u * N + v];
                tmp[y * N + v] = acc;
            }
        int origin = by * N * stride + bx * N;
        for (int y = 0; y < N; y++)
            for (int x = 0; x < N; x++)
            {
                float acc = 0;
                for (int v = 0; v < N; v++) acc += Basis[v * N + x] * tmp[y * N + v];
                plane[origin + y * stride + x] += acc;
            }
    }
}
