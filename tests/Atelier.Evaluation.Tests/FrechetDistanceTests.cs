using Atelier.Evaluation.Metrics;

namespace Atelier.Evaluation.Tests;

public class FrechetDistanceTests
{
    [Fact]
    public void ASetAgainstItselfIsZero()
    {
        var stats = GaussianStatistics.Of(Gaussians.Sample(500, 32, seed: 1, correlated: true));
        double trace = Enumerable.Range(0, 32).Sum(k => stats.Covariance[k * 32 + k]);
        double fd = FrechetDistance.Compute(stats, stats);
        Assert.True(Math.Abs(fd) <= 1e-9 * trace, $"FD of a set with itself is {fd} (trace {trace})");
    }

    [Fact]
    public void IsSymmetric()
    {
        var a = GaussianStatistics.Of(Gaussians.Sample(400, 24, seed: 2, correlated: true));
        var b = GaussianStatistics.Of(Gaussians.Sample(300, 24, seed: 3, mean: 0.3, scale: 1.5, correlated: true));
        double ab = FrechetDistance.Compute(a, b), ba = FrechetDistance.Compute(b, a);
        Assert.True(ab > 1, $"the two sets should be far apart, FD {ab}");
        Assert.True(Math.Abs(ab - ba) <= 1e-9 * ab, $"FD(a,b) = {ab:R}, FD(b,a) = {ba:R}");
    }

    [Fact]
    public void DiagonalGaussiansHaveTheClosedForm()
    {
        // With diagonal covariances FD = |μ1 - μ2|² + Σ (σ1 - σ2)².
        int d = 5;
        double[] mu1 = [0, 1, 2, 3, 4], mu2 = [1, 1, 0, 3, 4.5], var1 = [1, 4, 9, 0.25, 2], var2 = [4, 4, 1, 1, 8];
        var a = new GaussianStatistics(100, d, mu1, Diagonal(var1));
        var b = new GaussianStatistics(100, d, mu2, Diagonal(var2));
        double expected = 0;
        for (int k = 0; k < d; k++) expected += (mu1[k] - mu2[k]) * (mu1[k] - mu2[k]) + Math.Pow(Math.Sqrt(var1[k]) - Math.Sqrt(var2[k]), 2);
        Assert.Equal(expected, FrechetDistance.Compute(a, b), 10);
    }

    [Fact]
    public void CovarianceIsNumPysUnbiasedOne()
    {
        var set = new FeatureSet(3, 2, [1, 2, 3, 6, 5, 4]);
        var stats = GaussianStatistics.Of(set);
        Assert.Equal([3.0, 4.0], stats.Mean);
        // np.cov([[1,2],[3,6],[5,4]], rowvar=False) = [[4,2],[2,4]]
        Assert.Equal([4.0, 2.0, 2.0, 4.0], stats.Covariance);
    }

    [Fact]
    public void RefusesTooFewSamplesAndMismatchedDimensions()
    {
        Assert.Equal("too-few-samples", Assert.Throws<EvaluationException>(() => GaussianStatistics.Of(new FeatureSet(1, 3, [1, 2, 3]))).Code);
        var a = GaussianStatistics.Of(Gaussians.Sample(10, 3, 1));
        var b = GaussianStatistics.Of(Gaussians.Sample(10, 4, 1));
        Assert.Equal("dimension-mismatch", Assert.Throws<EvaluationException>(() => FrechetDistance.Compute(a, b)).Code);
    }

    private static double[] Diagonal(double[] values)
    {
        var m = new double[values.Length * values.Length];
        for (int k = 0; k < values.Length; k++) m[k * values.Length + k] = values[k];
        return m;
    }
}
