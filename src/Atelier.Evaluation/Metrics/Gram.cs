using System.Runtime.Intrinsics;

namespace Atelier.Evaluation.Metrics;

/// <summary>
/// Dot products of every row of A with every row of B (A·Bᵀ), the one costly kernel of the metrics
/// (KID's kernel matrices, the k-NN distances, covariances). Four rows of A against four of B at a
/// time, so each loaded vector feeds four fused multiply-adds; rows split across cores. MathNet's
/// managed multiply was 5-8x slower here (docs/decisions/0009). Fused multiply-add is exactly
/// rounded by definition, so results are the same on every CPU, with or without FMA hardware.
/// </summary>
public static class Gram
{
    /// <summary>result[i*bRows + j] = Σ_k a[i*d+k]·b[j*d+k].</summary>
    public static void Multiply(ReadOnlySpan<double> a, int aRows, ReadOnlySpan<double> b, int bRows, int d, Span<double> result) =>
        Multiply(a, aRows, b, bRows, d, result, upperOnly: false);

    /// <summary>
    /// A·Aᵀ where only entries with j ≥ i are asked for (the matrix is symmetric): about half the work.
    /// Entries below the diagonal are left as they were or filled, whichever is cheaper; read only j ≥ i.
    /// </summary>
    public static double[] MultiplyUpper(FeatureSet a)
    {
        var result = new double[(long)a.Count * a.Count];
        Multiply(a.Values, a.Count, a.Values, a.Count, a.Dimension, result, upperOnly: true);
        return result;
    }

    private static void Multiply(ReadOnlySpan<double> a, int aRows, ReadOnlySpan<double> b, int bRows, int d, Span<double> result, bool upperOnly)
    {
        if (a.Length < (long)aRows * d || b.Length < (long)bRows * d || result.Length < (long)aRows * bRows)
            throw new ArgumentException("spans too short for the given sizes");
        unsafe
        {
            fixed (double* pa = a, pb = b, pr = result)
            {
                var (A, B, R) = ((nint)pa, (nint)pb, (nint)pr);
                int blocks = (aRows + 3) / 4;
                Parallel.For(0, blocks, blk => RowBlock((double*)A, (double*)B, (double*)R, blk * 4, Math.Min(4, aRows - blk * 4), bRows, d, upperOnly ? blk * 4 : 0));
            }
        }
    }

    public static double[] Multiply(FeatureSet a, FeatureSet b)
    {
        if (a.Dimension != b.Dimension) throw new ArgumentException($"dimensions differ: {a.Dimension} and {b.Dimension}");
        var result = new double[(long)a.Count * b.Count];
        Multiply(a.Values, a.Count, b.Values, b.Count, a.Dimension, result);
        return result;
    }

    /// <param name="firstColumn">0, or (upper triangle only) the block's first row, a multiple of 4.</param>
    private static unsafe void RowBlock(double* a, double* b, double* r, int i0, int rows, int bRows, int d, int firstColumn)
    {
        int j = firstColumn;
        if (rows == 4)
            for (; j + 4 <= bRows; j += 4) Block4x4(a + (long)i0 * d, b + (long)j * d, d, r, bRows, i0, j);
        for (int i = i0; i < i0 + rows; i++)
            for (int jj = rows == 4 ? j : firstColumn; jj < bRows; jj++)
                r[(long)i * bRows + jj] = Dot(a + (long)i * d, b + (long)jj * d, d);
    }

    private static unsafe void Block4x4(double* a, double* b, int d, double* r, int bRows, int i0, int j0)
    {
        Vector256<double> c00 = default, c01 = default, c02 = default, c03 = default,
            c10 = default, c11 = default, c12 = default, c13 = default,
            c20 = default, c21 = default, c22 = default, c23 = default,
            c30 = default, c31 = default, c32 = default, c33 = default;
        double* a0 = a, a1 = a + d, a2 = a + 2 * d, a3 = a + 3 * d, b0 = b, b1 = b + d, b2 = b + 2 * d, b3 = b + 3 * d;
        int k = 0;
        for (; k + 4 <= d; k += 4)
        {
            var x0 = Vector256.Load(a0 + k); var x1 = Vector256.Load(a1 + k); var x2 = Vector256.Load(a2 + k); var x3 = Vector256.Load(a3 + k);
            var y = Vector256.Load(b0 + k);
            c00 = Vector256.FusedMultiplyAdd(x0, y, c00); c10 = Vector256.FusedMultiplyAdd(x1, y, c10); c20 = Vector256.FusedMultiplyAdd(x2, y, c20); c30 = Vector256.FusedMultiplyAdd(x3, y, c30);
            y = Vector256.Load(b1 + k);
            c01 = Vector256.FusedMultiplyAdd(x0, y, c01); c11 = Vector256.FusedMultiplyAdd(x1, y, c11); c21 = Vector256.FusedMultiplyAdd(x2, y, c21); c31 = Vector256.FusedMultiplyAdd(x3, y, c31);
            y = Vector256.Load(b2 + k);
            c02 = Vector256.FusedMultiplyAdd(x0, y, c02); c12 = Vector256.FusedMultiplyAdd(x1, y, c12); c22 = Vector256.FusedMultiplyAdd(x2, y, c22); c32 = Vector256.FusedMultiplyAdd(x3, y, c32);
            y = Vector256.Load(b3 + k);
            c03 = Vector256.FusedMultiplyAdd(x0, y, c03); c13 = Vector256.FusedMultiplyAdd(x1, y, c13); c23 = Vector256.FusedMultiplyAdd(x2, y, c23); c33 = Vector256.FusedMultiplyAdd(x3, y, c33);
        }
        Span<double> s = [Vector256.Sum(c00), Vector256.Sum(c01), Vector256.Sum(c02), Vector256.Sum(c03),
            Vector256.Sum(c10), Vector256.Sum(c11), Vector256.Sum(c12), Vector256.Sum(c13),
            Vector256.Sum(c20), Vector256.Sum(c21), Vector256.Sum(c22), Vector256.Sum(c23),
            Vector256.Sum(c30), Vector256.Sum(c31), Vector256.Sum(c32), Vector256.Sum(c33)];
        double*[] rowsA = [a0, a1, a2, a3], rowsB = [b0, b1, b2, b3];
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++)
            {
                double t = s[i * 4 + j];
                for (int kk = k; kk < d; kk++) t = Math.FusedMultiplyAdd(rowsA[i][kk], rowsB[j][kk], t);
                r[(long)(i0 + i) * bRows + j0 + j] = t;
            }
    }

    private static unsafe double Dot(double* x, double* y, int d)
    {
        var acc = Vector256<double>.Zero;
        int k = 0;
        for (; k + 4 <= d; k += 4) acc = Vector256.FusedMultiplyAdd(Vector256.Load(x + k), Vector256.Load(y + k), acc);
        double t = Vector256.Sum(acc);
        for (; k < d; k++) t = Math.FusedMultiplyAdd(x[k], y[k], t);
        return t;
    }
}
