using System.Diagnostics;
using Atelier.Catalog;
using Atelier.Evaluation.Features;
using Atelier.Evaluation.Metrics;
using Atelier.Governance;
using Atelier.Governance.Access;
using Atelier.Governance.Lineage;
using Atelier.Governance.Policy;
using Atelier.Training.Runs;

namespace Atelier.Evaluation;

/// <param name="Count">Generated images (default: as many as the reference holds, at most <see cref="Sampler.MaxCount"/>).</param>
/// <param name="Against">The snapshot to score against (default: the run's own); e.g. held-out images, so that memorising the training set does not look like quality.</param>
public sealed record EvaluationRequest(string Run, string Checkpoint = "latest", int? Count = null, long Seed = 0, string? Against = null,
    FeatureNetwork? Features = null, string Device = "auto", ExtractorOptions? Extraction = null,
    int KidSubsets = KernelInceptionDistance.DefaultSubsets, int KidSubsetSize = KernelInceptionDistance.DefaultSubsetSize);

/// <summary>One figure with the number of samples behind it.</summary>
public sealed record Figure(double Value, int Generated, int Real);

public sealed record KidFigure(double Value, double StandardDeviation, int Subsets, int SubsetSize, int Generated, int Real);

public sealed record EvaluationTimings(double Generate, double Features, double Metrics, double Total);

public sealed record EvaluationResult(
    string Run, long CheckpointId, long CheckpointImages, string Snapshot, string SnapshotRoot, bool RunsOwnSnapshot, int Resolution,
    string Features, string FeatureModel, int FeatureDimension, string DistanceName,
    Figure FrechetDistance, KidFigure Kid, Figure Precision, Figure Recall, int PrecisionRecallK, Figure Density, Figure Coverage, int DensityCoverageK,
    bool ReferenceFromCache, long Seed, EvaluationTimings Seconds, PerClassFigures? PerClass = null);

/// <summary>
/// Scores a run's generator against a snapshot: draws N images from the checkpoint's generator average
/// (in memory, the sampler's checks), extracts features of them and of the snapshot's images (cached),
/// and computes the Fréchet distance, KID, precision/recall and density/coverage on those features.
/// </summary>
public static class Evaluator
{
    /// <summary>Precision/recall and density/coverage need more than k = 5 neighbours in the reference.</summary>
    public const int MinimumReal = ManifoldMetrics.DensityCoverageK + 1;

    public static EvaluationResult Run(Workspace workspace, EvaluationRequest request, CancellationToken cancellation = default)
    {
        var total = Stopwatch.StartNew();
        var catalog = workspace.Catalog;
        var run = catalog.GetRun(request.Run) ?? throw new EvaluationException("unknown-run", $"no run named '{request.Run}' (see `atelier runs list`)");
        var options = TrainingOptions.FromJson(run.Config);
        // Refusals first, before minutes of feature extraction: the role, the checkpoint, its taints (Sampler.Draw asks again).
        GovernanceSession.For(workspace).Actor.Require(Role.Reviewer, "evaluate models");
        Revocation.EnsureUsable(catalog, Sampler.PickCheckpoint(catalog, run, request.Checkpoint), run.Name);
        var snapshot = request.Against is { } name
            ? catalog.GetSnapshot(name) ?? throw new EvaluationException("unknown-dataset", $"--against: no dataset named '{name}' (see `atelier dataset list`)")
            : catalog.GetSnapshot(run.SnapshotId) ?? throw new EvaluationException("unknown-dataset", $"the snapshot run '{run.Name}' trained on is gone");
        if (snapshot.ImageCount < MinimumReal)
            throw new EvaluationException("too-few-samples", $"dataset '{snapshot.Name}' has {snapshot.ImageCount} images; scoring needs at least {MinimumReal} (density and coverage use 5 neighbours)");
        if (request.Count is { } n && (n < MinimumReal || n > Sampler.MaxCount))
            throw new EvaluationException("bad-count", $"--n {n} is outside {MinimumReal}..{Sampler.MaxCount}");
        PolicyGate.EnsureSnapshotUsable(GovernanceSession.For(workspace), snapshot, PolicyStage.Evaluation);

        var network = request.Features ?? FeatureNetwork.Default();
        using var extractor = FeatureExtractor.Open(network, request.Extraction);
        string key = network.CacheKey(extractor.Size, extractor.InputName, extractor.OutputName);

        var watch = Stopwatch.StartNew();
        var reference = ReferenceFeatures.Get(workspace, snapshot, options.Resolution, extractor, key, cancellation);
        double referenceSeconds = watch.Elapsed.TotalSeconds;
        int count = request.Count ?? Math.Min(reference.Features.Length, Sampler.MaxCount);

        watch.Restart();
        var drawn = Sampler.Draw(workspace, run.Name, request.Checkpoint, count, request.Seed, request.Device, cancellation);
        double generateSeconds = watch.Elapsed.TotalSeconds;
        watch.Restart();
        var generatedFeatures = extractor.Extract(drawn.Pixels.Select(p => new RgbImage(p, drawn.Resolution, drawn.Resolution)).ToList(), cancellation);
        double featureSeconds = referenceSeconds + watch.Elapsed.TotalSeconds;

        watch.Restart();
        var real = FeatureSet.FromRows(reference.Features);
        var generated = FeatureSet.FromRows(generatedFeatures);
        var fd = FrechetDistance.Compute(GaussianStatistics.Of(real), GaussianStatistics.Of(generated));
        var kid = KernelInceptionDistance.Compute(real, generated, request.KidSubsets, request.KidSubsetSize, seed: unchecked((int)request.Seed));
        var manifold = ManifoldMetrics.Compute(real, generated);
        var perClass = PerClassDistance.Compute(drawn, generatedFeatures, reference.ExportDirectory, options.Conditioning, reference.Features);
        double metricSeconds = watch.Elapsed.TotalSeconds;

        int g = generated.Count, r = real.Count;
        return new EvaluationResult(run.Name, drawn.Checkpoint.Id, drawn.Checkpoint.ImagesSeen, snapshot.Name, snapshot.RootHash, snapshot.Id == run.SnapshotId,
            options.Resolution, network.Name, network.ModelPath, extractor.Dimension, network.DistanceName,
            new Figure(fd, g, r), new KidFigure(kid.Mean, kid.StandardDeviation, kid.Subsets, kid.SubsetSize, g, r),
            new Figure(manifold.Precision, g, r), new Figure(manifold.Recall, g, r), manifold.PrecisionRecallK,
            new Figure(manifold.Density, g, r), new Figure(manifold.Coverage, g, r), manifold.DensityCoverageK,
            reference.FromCache, request.Seed, new EvaluationTimings(generateSeconds, featureSeconds, metricSeconds, total.Elapsed.TotalSeconds), perClass);
    }
}
