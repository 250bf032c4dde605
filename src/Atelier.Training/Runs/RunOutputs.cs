using Atelier.Catalog;
using Atelier.Training.Checkpoints;
using Atelier.Training.Data;
using Atelier.Training.Reporting;
using static TorchSharp.torch;

namespace Atelier.Training.Runs;

/// <summary>
/// What a run leaves at each snapshot: the sample grid from fixed latents, its pixel Fréchet score, and
/// checkpoints recorded in the catalog with their taints.
/// </summary>
internal sealed class RunOutputs : IDisposable
{
    private readonly Catalog.Catalog _catalog;
    private readonly RunRecord _run;
    private readonly RunFolder _folder;
    private readonly Tensor _gridZ;
    private readonly Tensor _gridLabels;
    private readonly Tensor _realMean;
    private readonly Tensor _realCovariance;

    public RunOutputs(Catalog.Catalog catalog, RunRecord run, RunFolder folder, TrainingSession session, TrainingSet data)
    {
        _catalog = catalog;
        _run = run;
        _folder = folder;
        Checkpoints = new CheckpointStore(folder.Checkpoints, session.Options.KeepCheckpoints);
        (_gridZ, _gridLabels) = GridInputs(session, data, session.Options.Seed);
        (_realMean, _realCovariance) = RealStatistics(data);
    }

    public CheckpointStore Checkpoints { get; }

    /// <summary>Fixed latents (from the run's seed, apart from the training RNG) and labels taken from the data in order.</summary>
    private static (Tensor Z, Tensor Labels) GridInputs(TrainingSession s, TrainingSet data, ulong seed)
    {
        int n = s.Options.GridSize;
        using var generator = new TorchSharp.torch.Generator(seed ^ 0x5EED, CPU);
        var z = randn([n, s.Spec.LatentDim], generator: generator).to(s.Device);
        var labels = new float[n * s.Labels.Dim];
        for (int i = 0; i < n; i++) data.CopyLabels(i % data.Count, labels.AsSpan(i * s.Labels.Dim, s.Labels.Dim));
        return (z.DetachFromDisposeScope(), tensor(labels, [n, s.Labels.Dim]).to(s.Device).DetachFromDisposeScope());
    }

    private static (Tensor Mean, Tensor Covariance) RealStatistics(TrainingSet data)
    {
        using var scope = NewDisposeScope();
        int n = Math.Min(data.Count, 1024), r = data.Resolution;
        var pixels = new float[n * 3 * r * r];
        using (var stream = new BatchStream(data, n, 0, 0, mirror: false, prefetch: 1))
        {
            var batch = stream.Next();
            batch.Images.AsSpan(0, pixels.Length).CopyTo(pixels);
        }
        var stats = PixelFrechet.Statistics(tensor(pixels, [n, 3, r, r]));
        return (scope.MoveToOuter(stats.Mean), scope.MoveToOuter(stats.Covariance));
    }

    /// <summary>Writes the sample grid from G_ema and returns the pixel Fréchet score of those samples.</summary>
    public double Snapshot(TrainingSession s, out string gridPath)
    {
        using var scope = NewDisposeScope();
        if (s.Options.EmaKimg <= 0) s.Average.Update(0); // no average kept: G_ema is a copy of G
        using var noGrad = no_grad();
        s.GEma.eval();
        var images = s.GEma.call(_gridZ, _gridLabels).cpu();
        s.GEma.train();
        gridPath = Path.Combine(_folder.Grids, RunFolder.GridFileName(s.Images));
        var png = SampleGrid.EncodePng(images, (int)Math.Ceiling(Math.Sqrt(images.shape[0])));
        // Each written whole under its final name: a viewer (the report, the studio) reading meanwhile gets the old grid or the new one.
        AtomicFile.WriteAllBytes(gridPath, png, flushToDisk: false);
        AtomicFile.WriteAllBytes(Path.Combine(_folder.Root, Workspace.RunFiles.LatestGrid), png, flushToDisk: false);
        var stats = PixelFrechet.Statistics(images);
        return PixelFrechet.Distance(stats, (_realMean.cpu(), _realCovariance.cpu()));
    }

    /// <param name="score">What "best" is chosen by (lower is better); null: this checkpoint is never the best.</param>
    public SavedCheckpoint Save(TrainingSession s, double? score)
    {
        var saved = Checkpoints.Save(s.Images, s.ToCheckpoint(Trainer.Software, score), score);
        // One transaction: a consent revoked by another process at the same moment either taints this
        // checkpoint as one of the run's, or is inherited by it; never neither.
        using var tx = _catalog.BeginTransaction();
        var checkpoint = _catalog.AddCheckpoint(_run.Id, saved.ImagesSeen, saved.Sha256, Path.GetFileName(saved.Path), saved.Score);
        // A consent withdrawn while the run trains reaches the checkpoints it writes afterwards too.
        _catalog.InheritRunTaints(_run.Id, checkpoint.Id);
        // The store pruned what it no longer keeps: their records stay, marked, for lineage.
        foreach (var record in _catalog.ListCheckpoints(_run.Id))
            if (!record.Deleted && !File.Exists(Path.Combine(Checkpoints.Directory, record.FileName)))
                _catalog.MarkCheckpointDeleted(record.Id);
        tx.Commit();
        return saved;
    }

    public void Dispose()
    {
        _gridZ.Dispose();
        _gridLabels.Dispose();
        _realMean.Dispose();
        _realCovariance.Dispose();
    }
}
