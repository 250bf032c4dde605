using MathNet.Numerics.LinearAlgebra;

namespace Atelier.Evaluation.Metrics;

/// <summary>
/// The Fréchet distance between two Gaussians: |μ₁ - μ₂|² + tr Σ₁ + tr Σ₂ - 2 tr (Σ₁Σ₂)^½ (Dowson and
/// Landau 1982; FID when the features are Inception-v3's pool3). tr (Σ₁Σ₂)^½ is taken as the sum of
/// the square roots of the eigenvalues of the symmetric Σ₁^½ Σ₂ Σ₁^½, which has the same eigenvalues
/// as Σ₁Σ₂ and, unlike a general matrix square root, stays real; eigenvalues that rounding makes
/// slightly negative count as 0. Eigen-decompositions: MathNet.Numerics (docs/decisions/0009).
/// </summary>
public static class FrechetDistance
{
    public static double Compute(GaussianStatistics a, GaussianStatistics b)
    {
        if (a.Dimension != b.Dimension) throw new EvaluationException("dimension-mismatch", $"features of {a.Dimension} and {b.Dimension} dimensions cannot be compared");
        int d = a.Dimension;
        double meanTerm = 0;
        for (int k = 0; k < d; k++) meanTerm += (a.Mean[k] - b.Mean[k]) * (a.Mean[k] - b.Mean[k]);
        double traceA = 0, traceB = 0;
        for (int k = 0; k < d; k++)
        {
            traceA += a.Covariance[k * d + k];
            traceB += b.Covariance[k * d + k];
        }
        var sqrtA = SymmetricSqrt(a.Covariance, d);
        // Σ₁^½ Σ₂ Σ₁^½ as two Gram products (all three matrices are symmetric, so A·B = A·Bᵀ).
        var left = new double[d * d];
        Gram.Multiply(sqrtA, d, b.Covariance, d, d, left);
        var middle = new double[d * d];
        Gram.Multiply(left, d, sqrtA, d, d, middle);
        Symmetrize(middle, d);
        double traceSqrt = Eigenvalues(middle, d).Sum(v => Math.Sqrt(Math.Max(v, 0)));
        return meanTerm + traceA + traceB - 2 * traceSqrt;
    }

    private static double[] SymmetricSqrt(double[] matrix, int d)
    {
        var evd = Matrix<double>.Build.DenseOfRowMajor(d, d, matrix).Evd(Symmetricity.Symmetric);
        var v = evd.EigenVectors;
        var roots = evd.EigenValues.Select(e => Math.Sqrt(Math.Max(e.Real, 0))).ToArray();
        // V diag(√λ) Vᵀ
        var scaled = v.Clone();
        for (int j = 0; j < d; j++) scaled.SetColumn(j, v.Column(j) * roots[j]);
        var result = new double[d * d];
        Gram.Multiply(scaled.ToRowMajorArray(), d, v.ToRowMajorArray(), d, d, result);
        Symmetrize(result, d);
        return result;
    }

    private static IEnumerable<double> Eigenvalues(double[] symmetric, int d) =>
        Matrix<double>.Build.DenseOfRowMajor(d, d, symmetric).Evd(Symmetricity.Symmetric).EigenValues.Select(e => e.Real);

    private static void Symmetrize(double[] m, int d)
    {
        for (int i = 0; i < d; i++)
            for (int j = i + 1; j < d; j++)
            {
                double mean = (m[i * d + j] + m[j * d + i]) / 2;
                m[i * d + j] = mean;
                m[j * d + i] = mean;
            }
    }
}
