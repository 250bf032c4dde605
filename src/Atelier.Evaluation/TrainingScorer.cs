using Atelier.Catalog;
using Atelier.Evaluation.Features;
using Atelier.Evaluation.Metrics;
using Atelier.Governance;
using Atelier.Governance.Policy;
using Atelier.Training.Data;
using Atelier.Training.Runs;
using static TorchSharp.torch;

namespace Atelier.Evaluation;

/// <summary>
/// Scores a training run's G_ema with the Fréchet distance on a feature network's features (the built-in:
/// FD-ResNet18) against the run's snapshot, for <c>atelier train --eval-every</c>. The snapshot's features come
/// from the same cache as <c>atelier eval</c>'s, and image i is drawn from the latent of sample i of seed
/// <see cref="Seed"/>, so a score logged at a checkpoint is what <c>atelier eval --checkpoint C --n N --seed 0</c>
/// reports for it.
/// </summary>
public sealed class TrainingScorer : IGeneratorScorer, IDisposable
{
    public const long Seed = 0;

    private readonly Workspace _workspace;
    private readonly SnapshotRecord _snapshot;
    private readonly FeatureNetwork _network;
    private readonly int _requested;
    private FeatureExtractor? _extractor;
    private GaussianStatistics? _real;

    /// <param name="samples">Generated images per evaluation; 0: as many as the snapshot holds, at most <see cref="TrainingOptions.DefaultEvalSamples"/>.</param>
    public TrainingScorer(Workspace workspace, string dataset, int samples = 0, FeatureNetwork? network = null)
    {
        _workspace = workspace;
        _snapshot = workspace.Catalog.GetSnapshot(dataset) ?? throw new EvaluationException("unknown-dataset", $"no dataset named '{dataset}' (see `atelier dataset list`)");
        _network = network ?? FeatureNetwork.Default();
        _requested = samples;
        Key = $"score/fd_{_network.Name.ToLowerInvariant()}";
    }

    public string Key { get; }
    public string Name => _network.DistanceName;
    public int Generated { get; private set; }
    public int Real { get; private set; }
    /// <summary>True when the snapshot's features came from the cache.</summary>
    public bool ReferenceFromCache { get; private set; }

    public void Prepare(LabelSpace labels, int resolution, CancellationToken cancellation)
    {
        if (labels.Mode == ConditioningMode.MultiLabel)
            throw new EvaluationException("multi-label-run", "--eval-every: this run is conditioned on tags (multi-label); scoring it needs label sets to draw from, which is not supported yet");
        if (_snapshot.ImageCount < Evaluator.MinimumReal)
            throw new EvaluationException("too-few-samples", $"--eval-every: dataset '{_snapshot.Name}' has {_snapshot.ImageCount} images; scoring needs at least {Evaluator.MinimumReal}");
        if (_requested != 0 && _requested < Evaluator.MinimumReal)
            throw new EvaluationException("bad-count", $"--eval-samples {_requested} is outside {Evaluator.MinimumReal}..{Sampler.MaxCount}");
        PolicyGate.EnsureSnapshotUsable(GovernanceSession.For(_workspace), _snapshot, PolicyStage.Evaluation);
        _extractor ??= FeatureExtractor.Open(_network);
        string key = _network.CacheKey(_extractor.Size, _extractor.InputName, _extractor.OutputName);
        var reference = ReferenceFeatures.Get(_workspace, _snapshot, resolution, _extractor, key, cancellation);
        ReferenceFromCache = reference.FromCache;
        _real = GaussianStatistics.Of(FeatureSet.FromRows(reference.Features));
        Real = reference.Features.Length;
        Generated = _requested > 0 ? _requested : Math.Min(Real, TrainingOptions.DefaultEvalSamples);
    }

    public double Score(Training.Networks.Generator generator, LabelSpace labels, int resolution, Device device, CancellationToken cancellation)
    {
        if (_extractor is null || _real is null) throw new InvalidOperationException("Prepare first");
        var pixels = Sampler.Draw(generator, labels, resolution, Generated, Seed, device, cancellation);
        var features = _extractor.Extract(pixels.Select(p => new RgbImage(p, resolution, resolution)).ToList(), cancellation);
        return FrechetDistance.Compute(_real, GaussianStatistics.Of(FeatureSet.FromRows(features)));
    }

    public void Dispose() => _extractor?.Dispose();
}
