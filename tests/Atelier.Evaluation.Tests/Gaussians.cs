using Atelier.Evaluation.Metrics;

namespace Atelier.Evaluation.Tests;

/// <summary>Seeded samples of Gaussians for the metric tests.</summary>
public static class Gaussians
{
    /// <summary>n samples of N(mean, scale² I) in d dimensions, or with a random correlated covariance when <paramref name="correlated"/>.</summary>
    public static FeatureSet Sample(int n, int d, int seed, double mean = 0, double scale = 1, bool correlated = false)
    {
        var rng = new Random(seed);
        // A fixed random mixing matrix per seed makes the covariance full, not diagonal.
        var mix = new double[d * d];
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++)
                mix[i * d + j] = correlated ? Normal(rng) / Math.Sqrt(d) : (i == j ? 1 : 0);
        var values = new double[n * d];
        var z = new double[d];
        for (int r = 0; r < n; r++)
        {
            for (int k = 0; k < d; k++) z[k] = Normal(rng);
            for (int i = 0; i < d; i++)
            {
                double s = 0;
                for (int j = 0; j < d; j++) s += mix[i * d + j] * z[j];
                values[r * d + i] = mean + scale * s;
            }
        }
        return new FeatureSet(n, d, values);
    }

    public static double Normal(Random rng)
    {
        // Box–Muller
        double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
