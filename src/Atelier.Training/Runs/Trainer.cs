using System.Reflection;
using Atelier.Catalog;
using Atelier.Governance.Access;
using Atelier.Governance;
using Atelier.Governance.Audit;
using Atelier.Governance.Policy;
using Atelier.Training.Augmentation;
using Atelier.Training.Checkpoints;
using Atelier.Training.Data;
using Atelier.Training.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace Atelier.Training.Runs;

/// <summary>
/// The one entry point of training: opens (or resumes) a run on a dataset snapshot and trains it to
/// its length, writing metrics, sample grids, the loss plot and checkpoints, and recording the run and
/// its checkpoints in the catalog.
/// </summary>
public static class Trainer
{
    /// <summary>Starts a new run.</summary>
    /// <param name="hooks">The scorer <c>--eval-every</c> needs and the spend probe budgets need (from later stages; the CLI passes them).</param>
    public static TrainingResult Start(Workspace workspace, TrainingOptions options, IProgress<TrainingTick>? progress, CancellationToken cancellation, TrainingHooks? hooks = null) =>
        Start(workspace, options, progress, cancellation, afterStep: null, hooks);

    /// <param name="afterStep">Called after every step with the images seen so far (tests stop runs between ticks with it).</param>
    internal static TrainingResult Start(Workspace workspace, TrainingOptions options, IProgress<TrainingTick>? progress, CancellationToken cancellation, Action<long>? afterStep,
        TrainingHooks? hooks = null)
    {
        hooks ??= TrainingHooks.None;
        TorchRuntime.EnsureLoadable();
        var governance = GovernanceSession.For(workspace);
        governance.Actor.Require(Role.Reviewer, "train models");
        var snapshot = workspace.Catalog.GetSnapshot(options.Dataset)
            ?? throw new TrainingException("unknown-dataset", $"no dataset named '{options.Dataset}' (see `atelier dataset list`)");
        if (options.Resolution is not (32 or 64 or 128 or 256))
            throw new TrainingException("bad-resolution", $"--resolution {options.Resolution} is not one of 32, 64, 128, 256");
        if (options.Batch is < 1 or > 4096) throw new TrainingException("bad-batch", $"--batch {options.Batch} is outside 1..4096");
        if (options.Kimg <= 0) throw new TrainingException("bad-length", $"--kimg {options.Kimg} must be positive");
        CheckLimits(options, hooks);
        if (options.FreezeD != 0 && options.InitFrom is null)
            throw new TrainingException("freeze-needs-init-from", "--freeze-d keeps D's first blocks as an earlier run left them: it needs --init-from RUN (fresh blocks kept frozen would learn nothing)");
        options = TrainingSchedule.Fix(options);
        if (workspace.Catalog.GetRun(options.Name) is not null)
            throw new TrainingException("run-exists", $"a run named '{options.Name}' already exists (continue it with --resume {options.Name}, or choose another --name)");
        var folder = new RunFolder(workspace, options.Name);
        var conditioning = ConditioningRequest.Parse(options.Conditioning);
        if (snapshot.ImageCount == 0) throw new TrainingException("empty-dataset", $"dataset '{snapshot.Name}' has no images");
        PolicyGate.EnsureSnapshotUsable(governance, snapshot, PolicyStage.TrainingStart);

        // Refusals about the data come before anything is recorded, so a refused run leaves no trace.
        var exportDir = TrainingExports.Prepare(workspace, snapshot, options.Resolution, cancellation);
        var data = TrainingSet.Open(exportDir, conditioning, options.Resolution);
        try
        {
            hooks.Scorer?.Prepare(data.Labels, options.Resolution, cancellation);
            var device = SelectDevice(options.Device);
            var session = RunInitialisation.CreateSession(workspace, governance, options, data, device);
            options = session.Options;
            // The name is claimed in the catalog before anything is written under it: of two runs started
            // with one name at once, the second is refused here and never touches the first one's folder.
            var run = workspace.Catalog.AddRun(options.Name, snapshot, options.Model.ToString().ToLowerInvariant(), options.ToJson(), Software, options.InitFrom?.CheckpointId);
            IDisposable? trainLock = null;
            try
            {
                folder.Create();
                trainLock = folder.LockForTraining();
                AtomicFile.WriteAllBytes(folder.Config, System.Text.Encoding.UTF8.GetBytes(options.ToJson()));
                governance.Record(AuditAction.TrainingStart, new { run = run.Name, dataset = snapshot.Name, root = snapshot.RootHash, model = run.Model, resumed = false, initFrom = InitAudit(options) },
                    [GovernanceSession.Ref("run", run.Id), GovernanceSession.Ref("snapshot", snapshot.Id), .. InitRefs(options)]);
            }
            catch (Exception e)
            {
                trainLock?.Dispose();
                MarkFailed(workspace.Catalog, run.Id, 0, e);
                throw;
            }
            using (trainLock)
                return Train(workspace, run, folder, data, session, hooks, progress, cancellation, afterStep);
        }
        finally
        {
            data.Dispose();
        }
    }

    /// <summary>Continues a run from its latest checkpoint, exactly where it stopped.</summary>
    /// <param name="limits">A new early-stop patience or budgets (a run stopped by a budget continues under a larger one).</param>
    public static TrainingResult Resume(Workspace workspace, string runName, double? kimg, IProgress<TrainingTick>? progress, CancellationToken cancellation,
        TrainingHooks? hooks = null, RunLimitChanges? limits = null) =>
        Resume(workspace, runName, kimg, progress, cancellation, afterStep: null, hooks, limits);

    internal static TrainingResult Resume(Workspace workspace, string runName, double? kimg, IProgress<TrainingTick>? progress, CancellationToken cancellation, Action<long>? afterStep,
        TrainingHooks? hooks = null, RunLimitChanges? limits = null)
    {
        hooks ??= TrainingHooks.None;
        limits ??= new RunLimitChanges();
        TorchRuntime.EnsureLoadable();
        var governance = GovernanceSession.For(workspace);
        governance.Actor.Require(Role.Reviewer, "train models");
        var run = workspace.Catalog.GetRun(runName)
            ?? throw new TrainingException("unknown-run", $"no run named '{runName}' (see `atelier runs list`)");
        var folder = new RunFolder(workspace, runName);
        var stored = limits.ApplyTo(TrainingOptions.FromJson(run.Config));
        if (kimg is { } length && !(length > 0)) throw new TrainingException("bad-length", $"--kimg {length} must be positive");
        CheckLimits(stored, hooks);
        var snapshot = workspace.Catalog.GetSnapshot(stored.Dataset)
            ?? throw new TrainingException("unknown-dataset", $"run '{runName}' trained on dataset '{stored.Dataset}', which no longer exists");
        // One process trains a run at a time: a second resume would write the same checkpoints.
        using var trainLock = folder.LockForTraining();
        PolicyGate.EnsureSnapshotUsable(governance, snapshot, PolicyStage.TrainingResume);
        // A run initialised from a model that was tainted since is tainted though its own snapshot is not.
        if (workspace.Catalog.TaintsOf(TaintKind.Run, run.Id) is [var taint, ..])
            throw new AtelierException("tainted", $"run {runName} is tainted and cannot be trained further: {taint.Cause} (see `atelier lineage run:{runName}`)");
        var exportDir = TrainingExports.Prepare(workspace, snapshot, stored.Resolution, cancellation);
        var data = TrainingSet.Open(exportDir, ConditioningRequest.Parse(stored.Conditioning), stored.Resolution);
        try
        {
            hooks.Scorer?.Prepare(data.Labels, stored.Resolution, cancellation);
            var device = SelectDevice(stored.Device);
            var latest = new CheckpointStore(folder.Checkpoints, stored.KeepCheckpoints).Latest();
            TrainingSession session;
            if (latest is null)
            {
                // Nothing written yet: start over as Start did (an --init-from run from the very checkpoint it was pinned to).
                session = RunInitialisation.CreateSession(workspace, governance, kimg is { } k ? stored with { Kimg = k } : stored, data, device);
            }
            else
            {
                session = TrainingSession.Restore(CheckpointFile.Load(latest.Path), device, kimg, limits.ApplyTo);
                CheckLimits(session.Options, hooks);
                if (session.SnapshotRoot != data.SnapshotRoot)
                    throw new TrainingException("snapshot-mismatch", $"checkpoint {Path.GetFileName(latest.Path)} was trained on snapshot {session.SnapshotRoot[..12]}, the export holds {data.SnapshotRoot[..12]}");
            }
            // A run that stopped at its budget goes on only under a larger one: said now, not after a tick of training.
            if (session.Options.HasBudget && new StopRules(session.Options, null, session.Images, []).BudgetReached(hooks.Spend!()) is { } spent)
            {
                session.Dispose();
                throw new TrainingException("budget-reached", $"run '{runName}' has already spent its budget ({spent["budget reached: ".Length..]}): resume it with a larger one");
            }
            folder.Create();
            governance.Record(AuditAction.TrainingStart, new { run = run.Name, dataset = snapshot.Name, root = snapshot.RootHash, model = run.Model, resumed = true, initFrom = InitAudit(stored) },
                [GovernanceSession.Ref("run", run.Id), GovernanceSession.Ref("snapshot", snapshot.Id), .. InitRefs(stored)]);
            return Train(workspace, run, folder, data, session, hooks, progress, cancellation, afterStep);
        }
        finally
        {
            data.Dispose();
        }
    }

    private static object? InitAudit(TrainingOptions o) =>
        o.InitFrom is { } i ? new { run = i.Run, checkpoint = i.CheckpointId, checkpointSha256 = i.Sha256, imagesSeen = i.ImagesSeen } : null;

    private static AuditRef[] InitRefs(TrainingOptions o) => o.InitFrom?.CheckpointId is { } id ? [GovernanceSession.Ref("checkpoint", id)] : [];

    public static string Software { get; } =
        $"atelier {typeof(Trainer).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown"}; " +
        $"TorchSharp {typeof(torch).Assembly.GetName().Version}";

    public static Device SelectDevice(string requested) => requested switch
    {
        "cpu" => CPU,
        "cuda" => cuda.is_available() ? CUDA : throw new TrainingException("no-cuda", "--device cuda: no CUDA device is usable (the CPU build of libtorch is installed; see the README for the CUDA package)"),
        "auto" => cuda.is_available() ? CUDA : CPU,
        _ => throw new TrainingException("bad-device", $"--device '{requested}' must be auto, cpu or cuda"),
    };

    /// <summary>The caller lends what the options ask for: a scorer for evaluations, a spend probe for budgets.</summary>
    private static void CheckLimits(TrainingOptions options, TrainingHooks hooks)
    {
        options.ValidateLimits();
        if (options.EvalEveryKimg > 0 && hooks.Scorer is null)
            throw new TrainingException("no-scorer", "--eval-every needs a scorer (the CLI lends the built-in FD-ResNet18)");
        if (options.HasBudget && hooks.Spend is null)
            throw new TrainingException("no-spend-probe", "a budget needs the run's spend (the CLI lends its energy meter)");
    }

    private static TrainingResult Train(Workspace workspace, RunRecord run, RunFolder folder, TrainingSet data, TrainingSession session, TrainingHooks hooks,
        IProgress<TrainingTick>? progress, CancellationToken cancellation, Action<long>? afterStep)
    {
        using var _ = session;
        using var loop = new TrainingLoop(workspace, run, folder, data, session, hooks, progress, cancellation, afterStep);
        return loop.Run();
    }

    /// <summary>One iteration as in the PyTorch DCGAN example: one G forward, a D step on real and detached fake, a G step through D.</summary>
    internal static Dictionary<string, double> Step(TrainingSession s, BatchStream stream, IGanLoss loss, DiffAugment augment)
    {
        using var scope = NewDisposeScope();
        var batch = stream.Next();
        var options = s.Options;
        int r = options.Resolution;
        var real = tensor(batch.Images, [batch.Size, 3, r, r]).to(s.Device);
        var labels = tensor(batch.Labels, [batch.Size, s.Labels.Dim]).to(s.Device);
        stream.Return(batch);
        var z = randn([batch.Size, s.Spec.LatentDim], generator: s.Random).to(s.Device);
        var fake = s.G.call(z, labels);
        double p = s.AugmentP;
        var realSeen = p > 0 ? augment.Apply(real, p, s.Random) : real;

        var schedule = s.ApplySchedule();
        s.OptimizerD.zero_grad();
        bool regularize = options.RegularizationInterval > 0 && s.Steps % options.RegularizationInterval == 0;
        var dTerms = loss.DiscriminatorLoss(s.D, realSeen, p > 0 ? augment.Apply(fake.detach(), p, s.Random) : fake.detach(), labels, regularize, schedule.GammaScale);
        dTerms.Total.backward();
        s.OptimizerD.step();
        if (dTerms.RealLogits is { } logits) s.Adaptive?.Observe(logits);

        s.OptimizerG.zero_grad();
        var gTerms = loss.GeneratorLoss(s.D, realSeen.detach(), p > 0 ? augment.Apply(fake, p, s.Random) : fake, labels);
        gTerms.Total.backward();
        s.OptimizerG.step();

        s.Steps++;
        s.Images += batch.Size;
        if (options.EmaKimg > 0)
            s.Average.Update(GeneratorAverage.Beta(options.Batch, options.EmaKimg, s.Images, options.EmaRampup));
        s.Adaptive?.Step(batch.Size);

        var parts = new Dictionary<string, double>();
        if (options.Schedule != TrainingSchedule.Constant)
        {
            parts[ScheduleParts.LearningRateG] = schedule.LearningRateG;
            parts[ScheduleParts.Beta2] = schedule.Beta2;
            parts[ScheduleParts.GammaScale] = schedule.GammaScale;
        }
        foreach (var (k, v) in dTerms.Parts) parts[k] = v;
        foreach (var (k, v) in gTerms.Parts) parts.TryAdd(k, v);
        return parts;
    }

    /// <summary>Records why a run stopped; a catalog too busy to take even that leaves it "running" and the original failure is what the user sees.</summary>
    internal static void MarkFailed(Catalog.Catalog catalog, long runId, long imagesSeen, Exception cause)
    {
        try { catalog.UpdateRun(runId, RunStatus.Failed, imagesSeen, cause.Message); }
        catch (Exception e) when (CatalogErrors.Describe(e) is not null) { }
    }

    /// <summary>Peak resident memory of this process (VmHWM), or the current working set where /proc is absent.</summary>
    public static long PeakRss()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    return long.Parse(line[6..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException) { }
        return Environment.WorkingSet;
    }
}
