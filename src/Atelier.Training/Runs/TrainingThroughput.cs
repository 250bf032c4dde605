using System.Diagnostics;
using Atelier.Catalog;
using Atelier.Datasets;
using Atelier.Governance;
using Atelier.Governance.Access;
using Atelier.Governance.Policy;
using Atelier.Training.Augmentation;
using Atelier.Training.Checkpoints;
using Atelier.Training.Data;
using Atelier.Training.Losses;
using Atelier.Training.Networks;
using Atelier.Training.Reporting;
using static TorchSharp.torch;

namespace Atelier.Training.Runs;

/// <summary>
/// What to time: a model at a resolution with its default training options (batch from the model unless given), on
/// <paramref name="Data"/> (a snapshot's training export, <see cref="TrainingThroughput.SnapshotData"/>) or, where none is
/// given, on synthetic noise images.
/// </summary>
public sealed record ThroughputRequest(ModelKind Model, int Resolution, int? Batch = null, string Device = "auto",
    int WarmupSteps = 3, int StepsPerRepeat = 16, int Repeats = 5, ulong Seed = 1, ThroughputData? Data = null)
{
    public static readonly int[] Resolutions = [32, 64, 128, 256];
}

/// <summary>A snapshot's training export to time on, as a run on that snapshot would read it.</summary>
public sealed record ThroughputData(string Snapshot, int Images, int Resolution, string ExportDirectory)
{
    public string Describe() => $"snapshot '{Snapshot}' ({Images} images)";
}

/// <summary>
/// Timed training of one model and resolution. <see cref="SecondsPerKimg"/> holds one value per repeat (each
/// <see cref="ThroughputRequest.StepsPerRepeat"/> steps); <see cref="StartupSeconds"/> is building the networks and
/// optimizers and the first steps' extra time over a steady one; <see cref="SnapshotSeconds"/> is one checkpoint plus one
/// sample grid, what the trainer adds every --snapshot-kimg.
/// </summary>
/// <param name="Data">The snapshot the steps trained on; null: synthetic noise images.</param>
public sealed record ThroughputMeasurement(ModelKind Model, int Resolution, int Batch, string Device, int StepsPerRepeat,
    IReadOnlyList<double> SecondsPerKimg, double TimedSeconds, long TimedImages, double StartupSeconds, double SnapshotSeconds,
    long PeakRssBytes, bool PeakRssIsOwn, ThroughputData? Data)
{
    public double MedianSecondsPerKimg => Median(SecondsPerKimg);

    public static double Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0) return double.NaN;
        var s = values.Order().ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }
}

/// <summary>Brackets the timed steps, so a caller can meter exactly them (the CLI passes an energy meter from a later stage).</summary>
public interface IThroughputObserver
{
    void TimedStepsStarting();
    void TimedStepsFinished();
}

/// <summary>
/// Times the trainer's own training step (<see cref="Trainer"/>'s Step: the same networks, losses, augmentation,
/// schedule and average) without recording a run: on a snapshot's own training export, or on a small synthetic one.
/// How fast a step goes depends on what the images show, not only on their size: on this project's 2-core Zen 5 machine
/// DCGAN at 32 px trained 1.3× slower on noise than on the emoji sample (docs/BENCHMARKS.md, "Cost planner"), so a
/// calibration on the data to be trained predicts best. Warm-up steps are left out; the timed steps come in repeats, so
/// that the median and the spread can be kept.
/// </summary>
public static class TrainingThroughput
{
    /// <summary>
    /// The training export of <paramref name="snapshot"/> at <paramref name="resolution"/>, built if needed, after the checks a
    /// run on it passes (role, policy): timing steps on a snapshot is training on it.
    /// </summary>
    public static ThroughputData SnapshotData(Workspace workspace, string snapshot, int resolution, CancellationToken cancellation)
    {
        var governance = GovernanceSession.For(workspace);
        governance.Actor.Require(Role.Reviewer, "train models");
        var record = workspace.Catalog.GetSnapshot(snapshot)
            ?? throw new TrainingException("unknown-dataset", $"no dataset named '{snapshot}' (see `atelier dataset list`)");
        if (record.ImageCount == 0) throw new TrainingException("empty-dataset", $"dataset '{record.Name}' has no images");
        PolicyGate.EnsureSnapshotUsable(governance, record, PolicyStage.TrainingStart);
        return new ThroughputData(record.Name, record.ImageCount, resolution, TrainingExports.Prepare(workspace, record, resolution, cancellation));
    }

    /// <param name="scratchDirectory">A private folder for the synthetic export and the timed checkpoint; deleted afterwards.</param>
    public static ThroughputMeasurement Measure(ThroughputRequest request, string scratchDirectory, IThroughputObserver? observer, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!ThroughputRequest.Resolutions.Contains(request.Resolution))
            throw new TrainingException("bad-resolution", $"resolution {request.Resolution} is not one of 32, 64, 128, 256");
        if (request.Batch is < 1 or > 4096) throw new TrainingException("bad-batch", $"batch {request.Batch} is outside 1..4096");
        if (request.WarmupSteps < 1 || request.StepsPerRepeat < 1 || request.Repeats < 1)
            throw new TrainingException("bad-calibration", "warm-up steps, steps per repeat and repeats must each be at least 1");
        TorchRuntime.EnsureLoadable();
        var device = Trainer.SelectDevice(request.Device);
        var defaults = TrainingOptions.Defaults(request.Model, "calibration", "calibration");
        var batch = request.Batch ?? defaults.Batch;
        var options = TrainingSchedule.Fix(defaults with
        {
            Resolution = request.Resolution,
            Batch = batch,
            Seed = request.Seed,
            Device = request.Device,
            // A length the timed steps stay well inside, so the schedules are where a real run's first part is.
            Kimg = Math.Max(10, (request.WarmupSteps + (double)request.StepsPerRepeat * request.Repeats) * batch / 1000 * 10),
        });
        var folder = Path.Combine(scratchDirectory, $"{request.Model.ToString().ToLowerInvariant()}-{request.Resolution}");
        Directory.CreateDirectory(folder);
        try
        {
            if (request.Data is { } given && given.Resolution != request.Resolution)
                throw new TrainingException("bad-calibration", $"the export of '{given.Snapshot}' is at {given.Resolution} px, not {request.Resolution}");
            var export = request.Data?.ExportDirectory ?? WriteSyntheticExport(Path.Combine(folder, "export"), request.Resolution, Math.Max(2 * batch, 64));
            var ownPeak = ResetPeakRss();
            var startup = Stopwatch.StartNew();
            using var data = TrainingSet.Open(export, ConditioningRequest.None, request.Resolution);
            using var session = TrainingSession.Create(options, data.Labels, data.SnapshotRoot, device);
            var loss = GanLosses.For(options.Model, new LossSettings(options.R1Gamma, options.R2Gamma, options.RegularizationInterval));
            var augment = new DiffAugment(options.AugmentPolicy);
            using var stream = new BatchStream(data, batch, options.Seed, 0, options.Mirror);
            var warmup = new List<double>();
            for (int i = 0; i < request.WarmupSteps; i++)
            {
                cancellation.ThrowIfCancellationRequested();
                var step = Stopwatch.StartNew();
                Trainer.Step(session, stream, loss, augment);
                Synchronize(device);
                warmup.Add(step.Elapsed.TotalSeconds);
            }
            var beforeTimed = startup.Elapsed.TotalSeconds;

            var perKimg = new List<double>();
            var stepSeconds = new List<double>();
            observer?.TimedStepsStarting();
            var timed = Stopwatch.StartNew();
            long timedImages = 0;
            try
            {
                for (int r = 0; r < request.Repeats; r++)
                {
                    var repeat = Stopwatch.StartNew();
                    long images = session.Images;
                    for (int i = 0; i < request.StepsPerRepeat; i++)
                    {
                        cancellation.ThrowIfCancellationRequested();
                        var step = Stopwatch.StartNew();
                        foreach (var (k, v) in Trainer.Step(session, stream, loss, augment))
                            if (!double.IsFinite(v)) throw new TrainingException("non-finite-loss", $"{k} became {v} while timing {request.Model} at {request.Resolution} px");
                        Synchronize(device);
                        stepSeconds.Add(step.Elapsed.TotalSeconds);
                    }
                    timedImages += session.Images - images;
                    perKimg.Add(repeat.Elapsed.TotalSeconds / ((session.Images - images) / 1000.0));
                }
            }
            finally
            {
                timed.Stop();
                observer?.TimedStepsFinished();
            }
            // Start-up: everything before the timed steps beyond what the warm-up steps would take at the steady speed.
            var steadyStep = ThroughputMeasurement.Median(stepSeconds);
            var startupSeconds = Math.Max(0, beforeTimed - warmup.Count * steadyStep);
            var snapshot = TimeSnapshot(session, Path.Combine(folder, "checkpoints"));
            return new ThroughputMeasurement(request.Model, request.Resolution, batch, device.type.ToString().ToLowerInvariant(), request.StepsPerRepeat,
                perKimg, timed.Elapsed.TotalSeconds, timedImages, startupSeconds, snapshot, Trainer.PeakRss(), ownPeak, request.Data);
        }
        finally
        {
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>One checkpoint written as the trainer writes it, and one sample grid from G_ema encoded as PNG.</summary>
    private static double TimeSnapshot(TrainingSession session, string directory)
    {
        Directory.CreateDirectory(directory);
        var clock = Stopwatch.StartNew();
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            using var generator = new TorchSharp.torch.Generator(session.Options.Seed ^ 0x5EED, CPU);
            var z = randn([session.Options.GridSize, session.Spec.LatentDim], generator: generator).to(session.Device);
            var labels = zeros([session.Options.GridSize, session.Labels.Dim]).to(session.Device);
            session.GEma.eval();
            var images = session.GEma.call(z, labels).cpu();
            session.GEma.train();
            var png = SampleGrid.EncodePng(images, (int)Math.Ceiling(Math.Sqrt(images.shape[0])));
            File.WriteAllBytes(Path.Combine(directory, "grid.png"), png);
        }
        new CheckpointStore(directory, 1).Save(session.Images, session.ToCheckpoint(Trainer.Software, 0), 0);
        return clock.Elapsed.TotalSeconds;
    }

    private static string WriteSyntheticExport(string directory, int resolution, int count)
    {
        using var writer = new ShardWriter(new ExportOptions
        {
            OutputDirectory = directory,
            Resolution = resolution,
            SnapshotName = "calibration",
            SnapshotRoot = new string('0', 64),
        });
        var rgb = new byte[resolution * resolution * 3];
        var random = new Random(1);
        for (int i = 0; i < count; i++)
        {
            random.NextBytes(rgb);
            writer.Add(i, new ExportLabel(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(rgb)), [], "general"), rgb);
        }
        writer.Complete();
        return directory;
    }

    // CUDA runs asynchronously: without waiting, the clock would stop before the GPU finished the step.
    private static void Synchronize(Device device)
    {
        if (device.type == TorchSharp.DeviceType.CUDA) cuda.synchronize(device);
    }

    /// <summary>
    /// Resets the kernel's peak-RSS mark (Linux: "5" into clear_refs), so each measurement's peak is its own; false where
    /// it cannot be reset (the peak then covers the whole process so far).
    /// </summary>
    private static bool ResetPeakRss()
    {
        try { File.WriteAllText("/proc/self/clear_refs", "5"); return true; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }
}
