using Atelier.Evaluation.Metrics;

namespace Atelier.Evaluation.Tests;

/// <summary>
/// Precision, recall, density and coverage on manifolds built so the answers are known exactly.
/// Real: 10 groups of 6 points, each a regular simplex with edge 1 (e_i/√2 in dimensions 0-5), groups 100
/// apart along dimension 6: every real point's 3rd and 5th nearest neighbours are at exactly 1.
/// Generated: tight clumps of 4 points (±0.01 along dimensions 7 and 8, so their 3rd neighbour is at 0.02):
/// 4 clumps at the centres of real groups 0-3 (0.645 from each of that group's points, inside all 6 balls)
/// and 6 clumps far from everything.
/// </summary>
public class ManifoldMetricsTests
{
    private const int Dim = 9, Groups = 10, OnData = 4, Away = 6;

    [Fact]
    public void KnownAnswersOnSimplexGroupsAndClumps()
    {
        var (real, generated) = Manifolds();
        var r = ManifoldMetrics.Compute(real, generated);
        // 16 of 40 generated points are inside the real manifold.
        Assert.Equal(OnData / (double)(OnData + Away), r.Precision, 12);
        // Generated balls have radius 0.02: no real point is inside one.
        Assert.Equal(0, r.Recall, 12);
        // Each on-data point is in 6 real balls: 16·6 / (5·40).
        Assert.Equal(OnData * 4 * 6 / (5.0 * 4 * (OnData + Away)), r.Density, 12);
        // The 24 points of groups 0-3 have a generated point in their ball, of 60.
        Assert.Equal(OnData / (double)Groups, r.Coverage, 12);
        Assert.Equal(3, r.PrecisionRecallK);
        Assert.Equal(5, r.DensityCoverageK);
    }

    [Fact]
    public void RecallIsPrecisionWithTheRolesSwapped()
    {
        var (real, generated) = Manifolds();
        var swapped = ManifoldMetrics.Compute(generated, real);
        Assert.Equal(0, swapped.Precision, 12);
        Assert.Equal(OnData / (double)(OnData + Away), swapped.Recall, 12);
    }

    [Fact]
    public void ASetAgainstItselfIsFullyPreciseRecalledAndCovered()
    {
        var set = Gaussians.Sample(200, 6, seed: 4);
        var r = ManifoldMetrics.Compute(set, set);
        Assert.Equal(1, r.Precision);
        Assert.Equal(1, r.Recall);
        Assert.Equal(1, r.Coverage);
        // Each ball holds its own point and its 4 nearest (the 5th sits on the boundary, and inside is strict): 5N of 5N.
        Assert.Equal(1, r.Density, 12);
    }

    [Fact]
    public void KthNeighbourExcludesThePointItself()
    {
        var line = new FeatureSet(5, 1, [0, 1, 3, 6, 10]);
        var radii = ManifoldMetrics.KthNeighbourDistances(line, [1, 2]);
        Assert.Equal([1.0, 1, 2, 3, 4], radii[0]);
        Assert.Equal([3.0, 2, 3, 4, 7], radii[1]);
    }

    [Fact]
    public void RefusesTooFewSamples()
    {
        var e = Assert.Throws<EvaluationException>(() => ManifoldMetrics.Compute(Gaussians.Sample(5, 3, 1), Gaussians.Sample(50, 3, 2)));
        Assert.Equal("too-few-samples", e.Code);
    }

    private static (FeatureSet Real, FeatureSet Generated) Manifolds()
    {
        var real = new List<double[]>();
        for (int g = 0; g < Groups; g++)
            for (int i = 0; i < 6; i++)
            {
                var p = new double[Dim];
                p[i] = 1 / Math.Sqrt(2);
                p[6] = 100 * g;
                real.Add(p);
            }
        var generated = new List<double[]>();
        void Clump(double[] centre)
        {
            foreach (var (axis, sign) in new[] { (7, 1), (7, -1), (8, 1), (8, -1) })
            {
                var p = (double[])centre.Clone();
                p[axis] += sign * 0.01;
                generated.Add(p);
            }
        }
        for (int g = 0; g < OnData; g++)
        {
            var centre = new double[Dim];
            for (int i = 0; i < 6; i++) centre[i] = 1 / (6 * Math.Sqrt(2));
            centre[6] = 100 * g;
            Clump(centre);
        }
        for (int a = 0; a < Away; a++)
        {
            var centre = new double[Dim];
            centre[6] = 100 * (Groups + 1 + a);
            centre[0] = 50;
            Clump(centre);
        }
        return (Set(real), Set(generated));
    }

    private static FeatureSet Set(List<double[]> rows) => new(rows.Count, Dim, rows.SelectMany(r => r).ToArray());
}
