namespace Atelier.Evaluation.Metrics;

/// <summary>Mean and covariance (unbiased, n - 1, as NumPy's <c>np.cov</c>) of a feature set: what a Fréchet distance compares.</summary>
public sealed record GaussianStatistics(int Count, int Dimension, double[] Mean, double[] Covariance)
{
    public static GaussianStatistics Of(FeatureSet features)
    {
        int n = features.Count, d = features.Dimension;
        if (n < 2) throw new EvaluationException("too-few-samples", $"a covariance needs at least 2 feature vectors, got {n}");
        var mean = new double[d];
        for (int i = 0; i < n; i++)
        {
            var row = features.Row(i);
            for (int k = 0; k < d; k++) mean[k] += row[k];
        }
        for (int k = 0; k < d; k++) mean[k] /= n;
        // Centred and transposed (d rows of n), so the covariance is one Gram product.
        var centred = new double[(long)d * n];
        for (int i = 0; i < n; i++)
        {
            var row = features.Row(i);
            for (int k = 0; k < d; k++) centred[(long)k * n + i] = row[k] - mean[k];
        }
        var cov = new double[d * d];
        Gram.Multiply(centred, d, centred, d, n, cov);
        for (int k = 0; k < cov.Length; k++) cov[k] /= n - 1;
        return new GaussianStatistics(n, d, mean, cov);
    }
}
