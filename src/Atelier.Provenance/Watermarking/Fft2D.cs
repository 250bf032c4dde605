using System.Numerics;

namespace Atelier.Provenance.Watermarking;

/// <summary>
/// In-place 2D FFT of a power-of-two square, rows then columns, radix-2 with precomputed twiddles.
/// Math.NET's managed provider has no 2D transform, and calling its 1D one 512 times per frame made the
/// crop search 3x slower (measured in bench/Atelier.Bench.Watermark); the tests check this one against it.
/// </summary>
internal static class Fft2D
{
    public static void Forward(Complex[] data, int side) => Run(data, side, inverse: false);

    /// <summary>Inverse without the 1/N scale (the callers only compare values).</summary>
    public static void Inverse(Complex[] data, int side) => Run(data, side, inverse: true);

    private static void Run(Complex[] data, int side, bool inverse)
    {
        if (side < 2 || (side & (side - 1)) != 0 || data.Length != side * side) throw new ArgumentException("a power-of-two square");
        var twiddle = new Complex[side / 2];
        for (int k = 0; k < side / 2; k++) twiddle[k] = Complex.FromPolarCoordinates(1, (inverse ? 2 : -2) * Math.PI * k / side);
        var line = new Complex[side];
        for (int pass = 0; pass < 2; pass++)
            for (int i = 0; i < side; i++)
            {
                for (int j = 0; j < side; j++) line[j] = pass == 0 ? data[i * side + j] : data[j * side + i];
                Transform(line, twiddle);
                for (int j = 0; j < side; j++)
                    if (pass == 0) data[i * side + j] = line[j];
                    else data[j * side + i] = line[j];
            }
    }

    internal static void Transform(Complex[] a, Complex[] twiddle)
    {
        int n = a.Length;
        for (int i = 1, j = 0; i < n; i++)
        {
            int bit = n >> 1;
            for (; (j & bit) != 0; bit >>= 1) j ^= bit;
            j ^= bit;
            if (i < j) (a[i], a[j]) = (a[j], a[i]);
        }
        for (int len = 2; len <= n; len <<= 1)
        {
            int half = len / 2, step = n / len;
            for (int i = 0; i < n; i += len)
                for (int k = 0; k < half; k++)
                {
                    var t = a[i + k + half] * twiddle[k * step];
                    a[i + k + half] = a[i + k] - t;
                    a[i + k] += t;
                }
        }
    }
}
