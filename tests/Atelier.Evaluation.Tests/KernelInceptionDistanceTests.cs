using Atelier.Evaluation.Metrics;

namespace Atelier.Evaluation.Tests;

public class KernelInceptionDistanceTests
{
    private const int Trials = 400, M = 30, D = 4;

    [Fact]
    public void IsUnbiasedForTwoSamplesOfOneGaussian()
    {
        // The true MMD² is 0; the unbiased estimator averages to it, the biased one (diagonal kept) stays above.
        var unbiased = new List<double>();
        var biased = new List<double>();
        for (int t = 0; t < Trials; t++)
        {
            var x = Gaussians.Sample(M, D, seed: 1000 + t);
            var y = Gaussians.Sample(M, D, seed: 5000 + t);
            unbiased.Add(KernelInceptionDistance.UnbiasedMmd2(x, y));
            biased.Add(BiasedMmd2(x, y));
        }
        var (mean, se) = MeanAndError(unbiased);
        Assert.True(Math.Abs(mean) < 4 * se, $"unbiased mean {mean} is more than 4 standard errors ({se}) from 0");
        var (biasedMean, biasedSe) = MeanAndError(biased);
        Assert.True(biasedMean > 4 * biasedSe, $"the biased estimate {biasedMean} ± {biasedSe} should sit clearly above 0, or this test cannot tell them apart");
    }

    [Fact]
    public void IsUnbiasedForGaussiansWithKnownMmd()
    {
        double p = 0, q = 0.5;
        double expected = Kernel(p, p) + Kernel(q, q) - 2 * Kernel(p, q);
        var values = new List<double>();
        for (int t = 0; t < Trials; t++)
            values.Add(KernelInceptionDistance.UnbiasedMmd2(Gaussians.Sample(M, D, seed: 9000 + t, mean: p), Gaussians.Sample(M, D, seed: 13000 + t, mean: q)));
        var (mean, se) = MeanAndError(values);
        Assert.True(expected > 10 * se, $"the known MMD² {expected} should be far from 0 at this precision ({se})");
        Assert.True(Math.Abs(mean - expected) < 4 * se, $"mean {mean} is more than 4 standard errors ({se}) from the exact {expected}");
    }

    [Fact]
    public void SameSeedSameNumbersAndTheSubsetsAreAsAsked()
    {
        var real = Gaussians.Sample(120, 8, 1);
        var generated = Gaussians.Sample(90, 8, 2, mean: 0.2);
        var a = KernelInceptionDistance.Compute(real, generated, subsets: 20, subsetSize: 50, seed: 7);
        var b = KernelInceptionDistance.Compute(real, generated, subsets: 20, subsetSize: 50, seed: 7);
        Assert.Equal(a.Mean, b.Mean);
        Assert.Equal(a.PerSubset, b.PerSubset);
        Assert.Equal(20, a.Subsets);
        Assert.Equal(50, a.SubsetSize);
        Assert.True(a.StandardDeviation > 0);
        // A subset larger than the smaller set shrinks to it.
        Assert.Equal(90, KernelInceptionDistance.Compute(real, generated, subsets: 2, subsetSize: 1000).SubsetSize);
        foreach (var (r, g) in KernelInceptionDistance.DrawSubsets(120, 90, 50, 5, 3))
        {
            Assert.Equal(50, r.Distinct().Count());
            Assert.Equal(50, g.Distinct().Count());
            Assert.All(g, i => Assert.InRange(i, 0, 89));
        }
    }

    /// <summary>E[(aᵀb/d + 1)³] for independent a ~ N(p·1, I), b ~ N(q·1, I) in D dimensions, from the cumulants of aᵀb.</summary>
    private static double Kernel(double p, double q)
    {
        double m1 = p * q, m2 = (1 + p * p) * (1 + q * q), m3 = (p * p * p + 3 * p) * (q * q * q + 3 * q);
        double c2 = m2 - m1 * m1, c3 = m3 - 3 * m1 * m2 + 2 * m1 * m1 * m1;
        double k1 = D * m1, k2 = D * c2, k3 = D * c3;
        double e1 = k1, e2 = k2 + k1 * k1, e3 = k3 + 3 * k1 * k2 + k1 * k1 * k1;
        return e3 / (D * D * D) + 3 * e2 / (D * D) + 3 * e1 / D + 1;
    }

    private static double BiasedMmd2(FeatureSet x, FeatureSet y)
    {
        double Mean(FeatureSet a, FeatureSet b) => Gram.Multiply(a, b).Average(v => Math.Pow(v / D + 1, 3));
        return Mean(x, x) + Mean(y, y) - 2 * Mean(x, y);
    }

    private static (double Mean, double Error) MeanAndError(List<double> values)
    {
        double mean = values.Average();
        double var = values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1);
        return (mean, Math.Sqrt(var / values.Count));
    }
}
