namespace Atelier.Evaluation.Metrics;

/// <summary>KID: the mean over subsets of the unbiased MMD², with the spread of the subsets (population standard deviation, as torch-fidelity).</summary>
public sealed record KidResult(double Mean, double StandardDeviation, int Subsets, int SubsetSize, IReadOnlyList<double> PerSubset);

/// <summary>
/// Kernel Inception Distance (Bińkowski et al. 2018): the unbiased estimate of the squared maximum mean
/// discrepancy under the cubic polynomial kernel k(x, y) = (xᵀy / d + 1)³, averaged over random subsets
/// of equal size drawn without replacement from each set (torch-fidelity's and clean-fid's defaults:
/// 100 subsets of at most 1,000). The subsets come from a seeded generator: same seed, same numbers.
/// </summary>
public static class KernelInceptionDistance
{
    public const int DefaultSubsets = 100;
    public const int DefaultSubsetSize = 1000;

    public static KidResult Compute(FeatureSet real, FeatureSet generated, int subsets = DefaultSubsets, int subsetSize = DefaultSubsetSize, int seed = 0)
    {
        int m = Math.Min(subsetSize, Math.Min(real.Count, generated.Count));
        var draws = DrawSubsets(real.Count, generated.Count, m, subsets, seed);
        return Compute(real, generated, draws);
    }

    /// <summary>The index sets of each subset: (real rows, generated rows), each <paramref name="size"/> long.</summary>
    public static IReadOnlyList<(int[] Real, int[] Generated)> DrawSubsets(int realCount, int generatedCount, int size, int subsets, int seed)
    {
        if (size < 2) throw new EvaluationException("too-few-samples", $"KID needs at least 2 samples in each set, got {Math.Min(realCount, generatedCount)}");
        ArgumentOutOfRangeException.ThrowIfLessThan(subsets, 1);
        var random = new Random(seed);
        var result = new List<(int[], int[])>(subsets);
        for (int s = 0; s < subsets; s++) result.Add((Choose(random, realCount, size), Choose(random, generatedCount, size)));
        return result;
    }

    public static KidResult Compute(FeatureSet real, FeatureSet generated, IReadOnlyList<(int[] Real, int[] Generated)> draws)
    {
        if (real.Dimension != generated.Dimension) throw new EvaluationException("dimension-mismatch", $"features of {real.Dimension} and {generated.Dimension} dimensions cannot be compared");
        var values = draws.Select(d => UnbiasedMmd2(real.Select(d.Real), generated.Select(d.Generated))).ToList();
        double mean = values.Average();
        double std = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / values.Count);
        return new KidResult(mean, std, values.Count, draws[0].Real.Length, values);
    }

    /// <summary>Unbiased MMD² of two equal-sized sets: the within-set kernel means leave out the diagonal.</summary>
    public static double UnbiasedMmd2(FeatureSet x, FeatureSet y)
    {
        int m = x.Count, n = y.Count, d = x.Dimension;
        if (y.Dimension != d) throw new EvaluationException("dimension-mismatch", $"features of {d} and {y.Dimension} dimensions cannot be compared");
        double kxx = SumOffDiagonal(Gram.MultiplyUpper(x), d, m) / ((double)m * (m - 1));
        double kyy = SumOffDiagonal(Gram.MultiplyUpper(y), d, n) / ((double)n * (n - 1));
        double kxy = SumAll(Gram.Multiply(x, y), d) / ((double)m * n);
        return kxx + kyy - 2 * kxy;
    }

    private static double Kernel(double dot, int d)
    {
        double k = dot / d + 1;
        return k * k * k;
    }

    private static double SumAll(double[] dots, int d)
    {
        double sum = 0;
        foreach (var dot in dots) sum += Kernel(dot, d);
        return sum;
    }

    /// <summary>Σ over i ≠ j of a symmetric kernel matrix from its upper triangle: twice the sum above the diagonal.</summary>
    private static double SumOffDiagonal(double[] upper, int d, int n)
    {
        double sum = 0;
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++) sum += Kernel(upper[(long)i * n + j], d);
        return 2 * sum;
    }

    /// <summary><paramref name="size"/> distinct indices of 0..n-1 (a partial Fisher-Yates shuffle).</summary>
    private static int[] Choose(Random random, int n, int size)
    {
        var pool = Enumerable.Range(0, n).ToArray();
        for (int i = 0; i < size; i++)
        {
            int j = random.Next(i, n);
            (pool[i], pool[j]) = (pool[j], pool[i]);
        }
        return pool[..size];
    }
}
