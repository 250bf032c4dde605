namespace Atelier.Evaluation.Metrics;

/// <summary>Fidelity and diversity measured on k-nearest-neighbour manifolds, with the k each used.</summary>
public sealed record ManifoldResult(double Precision, double Recall, int PrecisionRecallK, double Density, double Coverage, int DensityCoverageK);

/// <summary>
/// Precision and recall (Kynkäänniemi et al. 2019, k = 3): the share of generated samples inside the
/// real manifold (the union of balls around each real sample reaching its k-th nearest real
/// neighbour), and of real samples inside the generated one. Density and coverage (Naeem et al.
/// 2020, k = 5): how many real balls hold each generated sample, over k, averaged; and the share of
/// real balls holding at least one generated sample. Distances are Euclidean; "inside" is strict
/// (distance below the radius), as in the authors' code (clovaai/generative-evaluation-prdc).
/// </summary>
public static class ManifoldMetrics
{
    public const int PrecisionRecallK = 3;
    public const int DensityCoverageK = 5;

    public static ManifoldResult Compute(FeatureSet real, FeatureSet generated, int prK = PrecisionRecallK, int dcK = DensityCoverageK)
    {
        if (real.Dimension != generated.Dimension) throw new EvaluationException("dimension-mismatch", $"features of {real.Dimension} and {generated.Dimension} dimensions cannot be compared");
        int kMax = Math.Max(prK, dcK);
        if (real.Count <= kMax || generated.Count <= prK)
            throw new EvaluationException("too-few-samples", $"precision/recall and density/coverage need more than {kMax} real and {prK} generated samples, got {real.Count} and {generated.Count}");
        var realRadii = KthNeighbourDistances(real, [prK, dcK]);
        var generatedRadii = KthNeighbourDistances(generated, [prK])[0];
        double[] realPr = realRadii[0], realDc = realRadii[1];

        int n = real.Count, m = generated.Count;
        var inRealManifold = new bool[m];
        var ballsHolding = new int[m];
        var realCovered = new bool[n];
        var realRecalled = new bool[n];
        ForEachDistanceBlock(real, generated, (i, distances) =>
        {
            for (int j = 0; j < m; j++)
            {
                double dist = distances[j];
                if (dist < realPr[i]) inRealManifold[j] = true;
                if (dist < realDc[i])
                {
                    Interlocked.Increment(ref ballsHolding[j]);
                    realCovered[i] = true;
                }
                if (dist < generatedRadii[j]) realRecalled[i] = true;
            }
        });
        return new ManifoldResult(
            Precision: inRealManifold.Count(x => x) / (double)m,
            Recall: realRecalled.Count(x => x) / (double)n,
            PrecisionRecallK: prK,
            Density: ballsHolding.Sum(x => (long)x) / ((double)dcK * m),
            Coverage: realCovered.Count(x => x) / (double)n,
            DensityCoverageK: dcK);
    }

    /// <summary>For each k asked, every sample's distance to its k-th nearest other sample of the same set.</summary>
    public static double[][] KthNeighbourDistances(FeatureSet set, int[] ks)
    {
        int kMax = ks.Max();
        var result = ks.Select(_ => new double[set.Count]).ToArray();
        ForEachDistanceBlock(set, set, (i, distances) =>
        {
            distances[i] = double.PositiveInfinity; // not its own neighbour
            // The kMax smallest, kept sorted: kMax is tiny, an insertion beats a sort.
            Span<double> best = stackalloc double[kMax];
            best.Fill(double.PositiveInfinity);
            foreach (var dist in distances)
            {
                if (dist >= best[kMax - 1]) continue;
                int p = kMax - 1;
                while (p > 0 && best[p - 1] > dist) { best[p] = best[p - 1]; p--; }
                best[p] = dist;
            }
            for (int q = 0; q < ks.Length; q++) result[q][i] = best[ks[q] - 1];
        });
        return result;
    }

    /// <summary>
    /// Calls <paramref name="row"/> with each row i of <paramref name="a"/> and its Euclidean distances to every
    /// row of <paramref name="b"/>, from |x|² + |y|² - 2xᵀy in blocks of rows (never the whole matrix).
    /// Rows of one block may be handled on different threads.
    /// </summary>
    private static void ForEachDistanceBlock(FeatureSet a, FeatureSet b, Action<int, double[]> row)
    {
        var normsA = Norms(a);
        var normsB = Norms(b);
        const int blockRows = 256;
        var dots = new double[(long)blockRows * b.Count];
        for (int start = 0; start < a.Count; start += blockRows)
        {
            int rows = Math.Min(blockRows, a.Count - start);
            Gram.Multiply(a.Values.AsSpan(start * a.Dimension, rows * a.Dimension), rows, b.Values, b.Count, a.Dimension, dots);
            Parallel.For(0, rows, () => new double[b.Count], (r, _, distances) =>
            {
                int i = start + r;
                for (int j = 0; j < b.Count; j++)
                    distances[j] = Math.Sqrt(Math.Max(normsA[i] + normsB[j] - 2 * dots[(long)r * b.Count + j], 0));
                row(i, distances);
                return distances;
            }, _ => { });
        }
    }

    private static double[] Norms(FeatureSet set)
    {
        var norms = new double[set.Count];
        for (int i = 0; i < set.Count; i++)
        {
            double s = 0;
            foreach (var v in set.Row(i)) s += v * v;
            norms[i] = s;
        }
        return norms;
    }
}
