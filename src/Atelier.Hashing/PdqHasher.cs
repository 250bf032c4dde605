using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Atelier.Hashing;

/// <summary>
/// Meta's PDQ perceptual hash. Follows the reference's float arithmetic and per-value operation
/// order (luma, two Jarosz box-blur passes, decimation to 64x64, 16x16 DCT, median threshold), so
/// luma buffers hash bit for bit like the C++ reference. Vectorisation only runs independent
/// rows/columns side by side; it never reorders the operations any one value goes through.
/// Thread-safe: each thread reuses its own scratch buffers.
/// </summary>
public static class PdqHasher
{
    /// <summary>Images narrower or shorter than this get the zero hash with quality 0, as in the reference.</summary>
    public const int MinDimension = 5;

    /// <summary>Hamming distance at or under which the reference calls two hashes a match.</summary>
    public const int MatchThreshold = 31;

    /// <summary>
    /// The reference's image hasher (<c>DOWNSAMPLE_DIMS</c> in pdq/cpp/io/pdqio.cpp) resizes an image with
    /// either side over this to exactly this many pixels square, by nearest neighbour, before hashing.
    /// The RGBA entry points do the same, so a hash of the full-size pixels is the one hash-sharing
    /// lists hold; the float-luma entry points hash what they are given, like the reference's library call.
    /// </summary>
    public const int ReferenceSide = 512;

    // The reference keeps these as float constants, so the luma multiply is float * float.
    private const float LumaR = 0.299f;
    private const float LumaG = 0.587f;
    private const float LumaB = 0.114f;

    [ThreadStatic]
    private static PdqWorkspace? t_workspace;

    private static PdqWorkspace Workspace => t_workspace ??= new PdqWorkspace();

    /// <summary>Hashes a row-major float luma buffer (values on the 0..255 scale).</summary>
    public static PdqResult Hash(ReadOnlySpan<float> luma, int rows, int cols)
    {
        CheckLuma(luma.Length, rows, cols);
        if (rows < MinDimension || cols < MinDimension)
        {
            return new PdqResult(PdqHash.Zero, 0);
        }

        PdqWorkspace ws = Workspace;
        int quality = ws.Transform(luma, rows, cols);
        return new PdqResult(ws.BitsOf(ws.Dct), quality);
    }

    /// <summary>Hashes unpremultiplied RGBA8 pixels (row-major, 4 bytes a pixel), alpha composited over white.</summary>
    public static PdqResult HashRgba(ReadOnlySpan<byte> rgba, int width, int height)
    {
        CheckRgba(rgba.Length, width, height);
        if (height < MinDimension || width < MinDimension)
        {
            return new PdqResult(PdqHash.Zero, 0);
        }

        PdqWorkspace ws = Workspace;
        Span<float> luma = ReferenceLuma(ws, rgba, width, height, out int rows, out int cols);
        return Hash(luma, rows, cols);
    }

    /// <summary>The eight dihedral hashes of a row-major float luma buffer.</summary>
    public static PdqDihedralResult HashDihedral(ReadOnlySpan<float> luma, int rows, int cols)
    {
        CheckLuma(luma.Length, rows, cols);
        if (rows < MinDimension || cols < MinDimension)
        {
            return default;
        }

        PdqWorkspace ws = Workspace;
        int quality = ws.Transform(luma, rows, cols);
        return ws.Dihedral(quality);
    }

    /// <summary>The eight dihedral hashes of unpremultiplied RGBA8 pixels, alpha composited over white.</summary>
    public static PdqDihedralResult HashRgbaDihedral(ReadOnlySpan<byte> rgba, int width, int height)
    {
        CheckRgba(rgba.Length, width, height);
        if (height < MinDimension || width < MinDimension)
        {
            return default;
        }

        PdqWorkspace ws = Workspace;
        Span<float> luma = ReferenceLuma(ws, rgba, width, height, out int rows, out int cols);
        return HashDihedral(luma, rows, cols);
    }

    /// <summary>
    /// Luma of the image the reference hashes: the pixels themselves up to <see cref="ReferenceSide"/> a side,
    /// else the <see cref="ReferenceSide"/>-square nearest-neighbour resize (CImg's: source index
    /// <c>floor(i * size / 512)</c> on each axis; a side under 512 is stretched the same way). Luma is a
    /// per-pixel function, so sampling before it gives the reference's values and reads only 512 x 512 pixels.
    /// </summary>
    private static Span<float> ReferenceLuma(PdqWorkspace ws, ReadOnlySpan<byte> rgba, int width, int height, out int rows, out int cols)
    {
        if (width <= ReferenceSide && height <= ReferenceSide)
        {
            Span<float> full = ws.LumaBuffer(width * height);
            FillLumaFromRgba(rgba, full);
            (rows, cols) = (height, width);
            return full;
        }

        const int side = ReferenceSide;
        Span<byte> sampled = ws.SampleBuffer(side * side * 4);
        Span<int> columns = stackalloc int[side];
        for (int x = 0; x < side; x++)
        {
            columns[x] = (int)((long)x * width / side);
        }

        ReadOnlySpan<uint> pixels = MemoryMarshal.Cast<byte, uint>(rgba);
        Span<uint> into = MemoryMarshal.Cast<byte, uint>(sampled);
        for (int y = 0; y < side; y++)
        {
            ReadOnlySpan<uint> row = pixels.Slice((int)((long)y * height / side) * width, width);
            Span<uint> dst = into.Slice(y * side, side);
            for (int x = 0; x < side; x++)
            {
                dst[x] = row[columns[x]];
            }
        }

        Span<float> luma = ws.LumaBuffer(side * side);
        FillLumaFromRgba(sampled, luma);
        (rows, cols) = (side, side);
        return luma;
    }

    /// <summary>
    /// Luma Y = 0.299R + 0.587G + 0.114B of unpremultiplied RGBA8, after compositing over white.
    /// Why white: a transparent pixel's RGB is whatever the encoder left there (often black or
    /// garbage), so hashing it raw would hash invisible data; white is how such images are shown on
    /// pages and flattened by most tools, and it is deterministic. Opaque pixels (alpha 255) are
    /// untouched, so opaque images hash exactly as in the RGB-only reference.
    /// </summary>
    public static void FillLumaFromRgba(ReadOnlySpan<byte> rgba, Span<float> luma)
    {
        if (rgba.Length != luma.Length * 4)
        {
            throw new ArgumentException($"pdq.buffer-size: {rgba.Length} RGBA bytes do not fill {luma.Length} luma values.", nameof(rgba));
        }

        int start = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            start = FillLumaVectorised(rgba, luma);
        }

        for (int p = start, o = start * 4; p < luma.Length; p++, o += 4)
        {
            int a = rgba[o + 3];
            float r, g, b;
            if (a == 255)
            {
                r = rgba[o];
                g = rgba[o + 1];
                b = rgba[o + 2];
            }
            else
            {
                int white = 255 * (255 - a);
                r = (rgba[o] * a + white) / 255f;
                g = (rgba[o + 1] * a + white) / 255f;
                b = (rgba[o + 2] * a + white) / 255f;
            }

            luma[p] = LumaR * r + LumaG * g + LumaB * b;
        }
    }

    /// <summary>Eight pixels at a time, with the same float operations as the scalar loop; returns pixels done.</summary>
    private static int FillLumaVectorised(ReadOnlySpan<byte> rgba, Span<float> luma)
    {
        ref byte src = ref MemoryMarshal.GetReference(rgba);
        ref float dst = ref MemoryMarshal.GetReference(luma);
        Vector256<uint> low = Vector256.Create(0xFFu);
        Vector256<uint> opaque = Vector256.Create(255u);
        Vector256<float> cr = Vector256.Create(LumaR), cg = Vector256.Create(LumaG), cb = Vector256.Create(LumaB);
        Vector256<float> scale = Vector256.Create(255f);
        int p = 0;
        for (; p <= luma.Length - 8; p += 8)
        {
            Vector256<uint> px = Vector256.LoadUnsafe(ref src, (nuint)(p * 4)).AsUInt32();
            Vector256<uint> r = px & low, g = (px >>> 8) & low, b = (px >>> 16) & low, a = px >>> 24;
            Vector256<float> rf, gf, bf;
            if (a == opaque)
            {
                rf = Vector256.ConvertToSingle(r.AsInt32());
                gf = Vector256.ConvertToSingle(g.AsInt32());
                bf = Vector256.ConvertToSingle(b.AsInt32());
            }
            else
            {
                Vector256<uint> white = (opaque - a) * opaque;
                rf = Vector256.ConvertToSingle(((r * a) + white).AsInt32()) / scale;
                gf = Vector256.ConvertToSingle(((g * a) + white).AsInt32()) / scale;
                bf = Vector256.ConvertToSingle(((b * a) + white).AsInt32()) / scale;
            }

            Vector256<float> y = (cr * rf) + (cg * gf);
            (y + (cb * bf)).StoreUnsafe(ref dst, (nuint)p);
        }

        return p;
    }

    private static void CheckLuma(int length, int rows, int cols)
    {
        if (rows <= 0 || cols <= 0 || (long)rows * cols != length)
        {
            throw new ArgumentException($"pdq.buffer-size: luma has {length} values, not rows {rows} x cols {cols}.");
        }
    }

    private static void CheckRgba(int length, int width, int height)
    {
        if (width <= 0 || height <= 0 || (long)width * height * 4 != length)
        {
            throw new ArgumentException($"pdq.buffer-size: RGBA has {length} bytes, not {width} x {height} x 4.");
        }
    }
}

/// <summary>Per-thread scratch buffers and the numeric stages of PDQ.</summary>
internal sealed class PdqWorkspace
{
    private const int Lanes = 8; // rows blurred side by side in the along-row passes
    private const int Side = 64;

    private static readonly float[] DctMatrix = BuildDctMatrix();      // 16 x 64
    private static readonly float[] DctMatrixT = Transpose(DctMatrix, 16, 64); // 64 x 16

    private float[] _luma = [];
    private byte[] _sample = [];
    private float[] _full1 = [];
    private float[] _full2 = [];
    private float[] _stripIn = [];
    private float[] _stripOut = [];
    private float[] _narrow1 = [];
    private float[] _narrow2 = [];
    private float[] _sum = [];
    private readonly float[] _image64 = new float[Side * Side];
    private readonly float[] _dct16x64 = new float[16 * Side];
    private readonly float[] _dct = new float[256];
    private readonly float[] _aux = new float[256];
    private readonly float[] _sorted = new float[256];
    private readonly int[] _sampleRows = new int[Side];
    private readonly int[] _sampleCols = new int[Side];

    public float[] Dct => _dct;

    public Span<float> LumaBuffer(int length)
    {
        Ensure(ref _luma, length);
        return _luma.AsSpan(0, length);
    }

    public Span<byte> SampleBuffer(int length)
    {
        if (_sample.Length < length) _sample = new byte[length];
        return _sample.AsSpan(0, length);
    }

    /// <summary>Blur, decimate, quality, DCT. Leaves the 16x16 DCT in <see cref="Dct"/>; returns quality.</summary>
    public int Transform(ReadOnlySpan<float> luma, int rows, int cols)
    {
        if (rows == Side && cols == Side)
        {
            // The reference skips the blur for input that is already 64x64.
            luma.CopyTo(_image64);
        }
        else
        {
            Downsample(luma, rows, cols);
        }

        int quality = Quality(_image64);
        Dct64To16();
        return quality;
    }

    /// <summary>
    /// Two passes of (box along rows, box along columns), then decimation to 64x64 at cell centres.
    /// Only the 64 sampled columns of the last along-row pass and the 64 sampled rows of the last
    /// along-column pass are ever read, so only those are finished; each sample still sees the
    /// same running sums as in the reference.
    /// </summary>
    private void Downsample(ReadOnlySpan<float> luma, int rows, int cols)
    {
        int n = rows * cols;
        Ensure(ref _full1, n);
        Ensure(ref _full2, n);
        Ensure(ref _stripIn, cols * Lanes);
        Ensure(ref _stripOut, cols * Lanes);
        Ensure(ref _narrow1, rows * Side);
        Ensure(ref _narrow2, rows * Side);
        Ensure(ref _sum, Math.Max(cols, Side));

        int windowAlongRows = WindowSize(cols);
        int windowAlongCols = WindowSize(rows);
        for (int k = 0; k < Side; k++)
        {
            _sampleRows[k] = (int)((k + 0.5) * rows / Side);
            _sampleCols[k] = (int)((k + 0.5) * cols / Side);
        }

        Span<float> full1 = _full1.AsSpan(0, n);
        Span<float> full2 = _full2.AsSpan(0, n);

        // Pass 1: rows of luma -> full2; columns full2 -> full1.
        for (int r0 = 0; r0 < rows; r0 += Lanes)
        {
            int lanes = Math.Min(Lanes, rows - r0);
            BoxRowStrip(luma, r0, lanes, cols, windowAlongRows);
            Span<float> strip = _stripOut.AsSpan(0, cols * lanes);
            int done = 0;
            if (lanes == Lanes && Avx.IsSupported)
            {
                for (; done <= cols - Lanes; done += Lanes)
                {
                    Transpose8x8(ref strip[done * Lanes], Lanes, ref full2[(r0 * cols) + done], cols);
                }
            }

            for (int r = 0; r < lanes; r++)
            {
                Span<float> dst = full2.Slice((r0 + r) * cols, cols);
                for (int k = done, s = (done * lanes) + r; k < cols; k++, s += lanes)
                {
                    dst[k] = strip[s];
                }
            }
        }

        BoxAlongSteps(full2, full1, rows, cols, windowAlongCols, _sum);

        // Pass 2: rows of full1, keeping only the sampled columns -> narrow1 (rows x 64).
        Span<float> narrow1 = _narrow1.AsSpan(0, rows * Side);
        for (int r0 = 0; r0 < rows; r0 += Lanes)
        {
            int lanes = Math.Min(Lanes, rows - r0);
            BoxRowStrip(full1, r0, lanes, cols, windowAlongRows);
            Span<float> strip = _stripOut.AsSpan(0, cols * lanes);
            for (int r = 0; r < lanes; r++)
            {
                Span<float> dst = narrow1.Slice((r0 + r) * Side, Side);
                for (int k = 0; k < Side; k++)
                {
                    dst[k] = strip[_sampleCols[k] * lanes + r];
                }
            }
        }

        // Columns of the sampled columns, then keep the sampled rows.
        Span<float> narrow2 = _narrow2.AsSpan(0, rows * Side);
        BoxAlongSteps(narrow1, narrow2, rows, Side, windowAlongCols, _sum);
        for (int k = 0; k < Side; k++)
        {
            narrow2.Slice(_sampleRows[k] * Side, Side).CopyTo(_image64.AsSpan(k * Side, Side));
        }
    }

    /// <summary>Box-filters rows r0..r0+lanes-1 along the row, via a column-major strip so the rows run side by side.</summary>
    private void BoxRowStrip(ReadOnlySpan<float> src, int r0, int lanes, int cols, int window)
    {
        Span<float> strip = _stripIn.AsSpan(0, cols * lanes);
        int done = 0;
        if (lanes == Lanes && Avx.IsSupported)
        {
            ref float source = ref MemoryMarshal.GetReference(src);
            for (; done <= cols - Lanes; done += Lanes)
            {
                Transpose8x8(ref Unsafe.Add(ref source, (r0 * cols) + done), cols, ref strip[done * Lanes], Lanes);
            }
        }

        for (int r = 0; r < lanes; r++)
        {
            ReadOnlySpan<float> row = src.Slice((r0 + r) * cols, cols);
            for (int k = done, s = (done * lanes) + r; k < cols; k++, s += lanes)
            {
                strip[s] = row[k];
            }
        }

        BoxAlongSteps(strip, _stripOut.AsSpan(0, cols * lanes), cols, lanes, window, _sum);
    }

    /// <summary>Transposes an 8x8 float block (rows <paramref name="srcStride"/> apart) into rows <paramref name="dstStride"/> apart.</summary>
    private static void Transpose8x8(ref float src, int srcStride, ref float dst, int dstStride)
    {
        Vector256<float> r0 = Vector256.LoadUnsafe(ref src);
        Vector256<float> r1 = Vector256.LoadUnsafe(ref src, (nuint)srcStride);
        Vector256<float> r2 = Vector256.LoadUnsafe(ref src, (nuint)(2 * srcStride));
        Vector256<float> r3 = Vector256.LoadUnsafe(ref src, (nuint)(3 * srcStride));
        Vector256<float> r4 = Vector256.LoadUnsafe(ref src, (nuint)(4 * srcStride));
        Vector256<float> r5 = Vector256.LoadUnsafe(ref src, (nuint)(5 * srcStride));
        Vector256<float> r6 = Vector256.LoadUnsafe(ref src, (nuint)(6 * srcStride));
        Vector256<float> r7 = Vector256.LoadUnsafe(ref src, (nuint)(7 * srcStride));

        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
        Vector256<float> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5);
        Vector256<float> t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);

        Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE);
        Vector256<float> u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44), u5 = Avx.Shuffle(t4, t6, 0xEE);
        Vector256<float> u6 = Avx.Shuffle(t5, t7, 0x44), u7 = Avx.Shuffle(t5, t7, 0xEE);

        Avx.Permute2x128(u0, u4, 0x20).StoreUnsafe(ref dst);
        Avx.Permute2x128(u1, u5, 0x20).StoreUnsafe(ref dst, (nuint)dstStride);
        Avx.Permute2x128(u2, u6, 0x20).StoreUnsafe(ref dst, (nuint)(2 * dstStride));
        Avx.Permute2x128(u3, u7, 0x20).StoreUnsafe(ref dst, (nuint)(3 * dstStride));
        Avx.Permute2x128(u0, u4, 0x31).StoreUnsafe(ref dst, (nuint)(4 * dstStride));
        Avx.Permute2x128(u1, u5, 0x31).StoreUnsafe(ref dst, (nuint)(5 * dstStride));
        Avx.Permute2x128(u2, u6, 0x31).StoreUnsafe(ref dst, (nuint)(6 * dstStride));
        Avx.Permute2x128(u3, u7, 0x31).StoreUnsafe(ref dst, (nuint)(7 * dstStride));
    }

    /// <summary>The reference's window: ceil(n / 128), i.e. half of one 64th, per pass.</summary>
    internal static int WindowSize(int dimension) => (dimension + 2 * Side - 1) / (2 * Side);

    /// <summary>
    /// Running-mean box filter along the step axis of a steps x width row-major matrix, each of the
    /// width lanes independently, with the reference's four phases (grow, grow+write, slide, shrink)
    /// and its exact per-lane float sequence: sum += in[right]; sum -= in[left]; out = sum / count.
    /// </summary>
    internal static void BoxAlongSteps(ReadOnlySpan<float> input, Span<float> output, int steps, int width, int window, Span<float> sumBuffer)
    {
        int half = (window + 2) / 2;
        int phase1 = half - 1;
        int phase2 = window - half + 1;
        int phase3 = steps - window;
        int phase4 = half - 1;

        Span<float> sum = sumBuffer[..width];
        sum.Clear();
        int right = 0, left = 0, outRow = 0, count = 0;

        for (int i = 0; i < phase1; i++, right++)
        {
            Add(sum, input.Slice(right * width, width));
            count++;
        }

        for (int i = 0; i < phase2; i++, right++, outRow++)
        {
            Add(sum, input.Slice(right * width, width));
            count++;
            Divide(output.Slice(outRow * width, width), sum, count);
        }

        for (int i = 0; i < phase3; i++, right++, left++, outRow++)
        {
            AddSubtract(sum, input.Slice(right * width, width), input.Slice(left * width, width));
            Divide(output.Slice(outRow * width, width), sum, count);
        }

        for (int i = 0; i < phase4; i++, left++, outRow++)
        {
            Subtract(sum, input.Slice(left * width, width));
            count--;
            Divide(output.Slice(outRow * width, width), sum, count);
        }
    }

    private static void Add(Span<float> sum, ReadOnlySpan<float> x)
    {
        ref float s = ref MemoryMarshal.GetReference(sum);
        ref float a = ref MemoryMarshal.GetReference(x);
        int i = 0;
        for (; i <= sum.Length - Vector256<float>.Count; i += Vector256<float>.Count)
        {
            (Vector256.LoadUnsafe(ref s, (nuint)i) + Vector256.LoadUnsafe(ref a, (nuint)i)).StoreUnsafe(ref s, (nuint)i);
        }

        for (; i < sum.Length; i++)
        {
            sum[i] += x[i];
        }
    }

    private static void Subtract(Span<float> sum, ReadOnlySpan<float> x)
    {
        ref float s = ref MemoryMarshal.GetReference(sum);
        ref float a = ref MemoryMarshal.GetReference(x);
        int i = 0;
        for (; i <= sum.Length - Vector256<float>.Count; i += Vector256<float>.Count)
        {
            (Vector256.LoadUnsafe(ref s, (nuint)i) - Vector256.LoadUnsafe(ref a, (nuint)i)).StoreUnsafe(ref s, (nuint)i);
        }

        for (; i < sum.Length; i++)
        {
            sum[i] -= x[i];
        }
    }

    private static void AddSubtract(Span<float> sum, ReadOnlySpan<float> add, ReadOnlySpan<float> sub)
    {
        ref float s = ref MemoryMarshal.GetReference(sum);
        ref float a = ref MemoryMarshal.GetReference(add);
        ref float b = ref MemoryMarshal.GetReference(sub);
        int i = 0;
        for (; i <= sum.Length - Vector256<float>.Count; i += Vector256<float>.Count)
        {
            Vector256<float> v = Vector256.LoadUnsafe(ref s, (nuint)i) + Vector256.LoadUnsafe(ref a, (nuint)i);
            (v - Vector256.LoadUnsafe(ref b, (nuint)i)).StoreUnsafe(ref s, (nuint)i);
        }

        for (; i < sum.Length; i++)
        {
            float v = sum[i] + add[i];
            sum[i] = v - sub[i];
        }
    }

    private static void Divide(Span<float> output, ReadOnlySpan<float> sum, int count)
    {
        float c = count;
        Vector256<float> cv = Vector256.Create(c);
        ref float o = ref MemoryMarshal.GetReference(output);
        ref float s = ref MemoryMarshal.GetReference(sum);
        int i = 0;
        for (; i <= sum.Length - Vector256<float>.Count; i += Vector256<float>.Count)
        {
            (Vector256.LoadUnsafe(ref s, (nuint)i) / cv).StoreUnsafe(ref o, (nuint)i);
        }

        for (; i < sum.Length; i++)
        {
            output[i] = sum[i] / c;
        }
    }

    /// <summary>Reference quality: summed quantised neighbour differences of the 64x64 image / 90, capped at 100.</summary>
    internal static int Quality(ReadOnlySpan<float> image64)
    {
        int gradientSum = 0;
        for (int i = 0; i < Side - 1; i++)
        {
            for (int j = 0; j < Side; j++)
            {
                float u = image64[i * Side + j];
                float v = image64[(i + 1) * Side + j];
                int d = (int)((u - v) * 100f / 255f);
                gradientSum += Math.Abs(d);
            }
        }

        for (int i = 0; i < Side; i++)
        {
            for (int j = 0; j < Side - 1; j++)
            {
                float u = image64[i * Side + j];
                float v = image64[i * Side + j + 1];
                int d = (int)((u - v) * 100f / 255f);
                gradientSum += Math.Abs(d);
            }
        }

        return Math.Min(100, gradientSum / 90);
    }

    /// <summary>
    /// Frequencies 1..16 of the 2D DCT: T = D A, then B = T D^T, each sum taken over k in order
    /// with a separate multiply and add, as the reference does.
    /// </summary>
    private void Dct64To16()
    {
        ref float a = ref MemoryMarshal.GetArrayDataReference(_image64);
        ref float t = ref MemoryMarshal.GetArrayDataReference(_dct16x64);
        for (int i = 0; i < 16; i++)
        {
            for (int j = 0; j < Side; j += Vector256<float>.Count)
            {
                Vector256<float> acc = Vector256<float>.Zero;
                for (int k = 0; k < Side; k++)
                {
                    Vector256<float> product = Vector256.Create(DctMatrix[i * Side + k]) * Vector256.LoadUnsafe(ref a, (nuint)(k * Side + j));
                    acc += product;
                }

                acc.StoreUnsafe(ref t, (nuint)(i * Side + j));
            }
        }

        ref float dt = ref MemoryMarshal.GetArrayDataReference(DctMatrixT);
        ref float b = ref MemoryMarshal.GetArrayDataReference(_dct);
        for (int i = 0; i < 16; i++)
        {
            Vector256<float> lo = Vector256<float>.Zero;
            Vector256<float> hi = Vector256<float>.Zero;
            for (int k = 0; k < Side; k++)
            {
                Vector256<float> tk = Vector256.Create(_dct16x64[i * Side + k]);
                Vector256<float> pLo = tk * Vector256.LoadUnsafe(ref dt, (nuint)(k * 16));
                Vector256<float> pHi = tk * Vector256.LoadUnsafe(ref dt, (nuint)(k * 16 + 8));
                lo += pLo;
                hi += pHi;
            }

            lo.StoreUnsafe(ref b, (nuint)(i * 16));
            hi.StoreUnsafe(ref b, (nuint)(i * 16 + 8));
        }
    }

    /// <summary>Bit i*16+j set when coefficient (i,j) is strictly above the median (the 128th smallest, as Torben's method gives).</summary>
    public PdqHash BitsOf(float[] coefficients)
    {
        coefficients.AsSpan().CopyTo(_sorted);
        Array.Sort(_sorted);
        float median = _sorted[127];
        Span<ulong> w = stackalloc ulong[4];
        for (int b = 0; b < 256; b++)
        {
            if (coefficients[b] > median)
            {
                w[b >> 6] |= 1UL << (b & 63);
            }
        }

        return new PdqHash(w[0], w[1], w[2], w[3]);
    }

    /// <summary>
    /// Hashes of the eight dihedral transforms, read off the one DCT: a flip negates the odd or even
    /// frequencies along its axis and a transpose swaps the axes.
    /// </summary>
    public PdqDihedralResult Dihedral(int quality)
    {
        PdqHash original = BitsOf(_dct);
        PdqHash rot90 = Transformed(transpose: true, (i, j) => (j & 1) == 0);
        PdqHash rot180 = Transformed(transpose: false, (i, j) => ((i + j) & 1) != 0);
        PdqHash rot270 = Transformed(transpose: true, (i, j) => (i & 1) == 0);
        PdqHash flipX = Transformed(transpose: false, (i, j) => (i & 1) == 0);
        PdqHash flipY = Transformed(transpose: false, (i, j) => (j & 1) == 0);
        PdqHash flipPlus1 = Transformed(transpose: true, (i, j) => false);
        PdqHash flipMinus1 = Transformed(transpose: true, (i, j) => ((i + j) & 1) != 0);
        return new PdqDihedralResult(original, rot90, rot180, rot270, flipX, flipY, flipPlus1, flipMinus1, quality);
    }

    /// <summary>Coefficient (i,j) goes to (j,i) when transposing, negated where <paramref name="negate"/>(i,j).</summary>
    private PdqHash Transformed(bool transpose, Func<int, int, bool> negate)
    {
        for (int i = 0; i < 16; i++)
        {
            for (int j = 0; j < 16; j++)
            {
                float v = _dct[i * 16 + j];
                int target = transpose ? j * 16 + i : i * 16 + j;
                _aux[target] = negate(i, j) ? -v : v;
            }
        }

        return BitsOf(_aux);
    }

    /// <summary>Rows 1..16 of the 64-point DCT-II basis, computed in double and stored as float like the reference.</summary>
    private static float[] BuildDctMatrix()
    {
        float scale = (float)Math.Sqrt(2.0 / Side);
        var m = new float[16 * Side];
        for (int i = 0; i < 16; i++)
        {
            for (int j = 0; j < Side; j++)
            {
                m[i * Side + j] = (float)(scale * Math.Cos(Math.PI / 2.0 / Side * (i + 1) * (2 * j + 1)));
            }
        }

        return m;
    }

    private static float[] Transpose(float[] m, int rows, int cols)
    {
        var t = new float[rows * cols];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < cols; j++)
            {
                t[j * rows + i] = m[i * cols + j];
            }
        }

        return t;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Ensure(ref float[] buffer, int length)
    {
        if (buffer.Length < length)
        {
            buffer = new float[length];
        }
    }
}
