using System.Security.Cryptography;
using Atelier.Catalog;
using Atelier.Governance;
using Atelier.Governance.Policy;
using Atelier.Training.Checkpoints;
using Atelier.Training.Data;
using Atelier.Training.Networks;

namespace Atelier.Training.Runs;

/// <summary>
/// Where a run's first weights come from (<c>--init-from RUN[:CHECKPOINT]</c>; CHECKPOINT is latest, best or an id).
/// Once the run starts, <see cref="CheckpointId"/> and <see cref="Sha256"/> pin exactly which file it was.
/// </summary>
public sealed record InitSource(string Run, string Checkpoint = "latest")
{
    public long? CheckpointId { get; init; }
    public string? Sha256 { get; init; }
    public long? ImagesSeen { get; init; }

    /// <summary>RUN or RUN:CHECKPOINT (run names hold no ':').</summary>
    public static InitSource Parse(string text)
    {
        var colon = text.LastIndexOf(':');
        var (run, checkpoint) = colon < 0 ? (text.Trim(), "latest") : (text[..colon].Trim(), text[(colon + 1)..].Trim());
        if (run.Length == 0 || checkpoint.Length == 0)
            throw new TrainingException("bad-init-from", $"--init-from '{text}' must be RUN or RUN:CHECKPOINT (CHECKPOINT: latest, best or a checkpoint id)");
        return new InitSource(run, checkpoint);
    }

    public override string ToString() => $"{Run}:{Checkpoint}";
}

/// <summary>
/// Transfer from an earlier run: G, D and G_ema start from one of its checkpoints; everything else (both Adam states,
/// the counters, the augmentation probability, the random numbers) starts fresh from the new run's own options and
/// seed, as StyleGAN2-ADA's --resume keeps only the networks. Refused with the reason when the checkpoint is unknown,
/// gone, damaged, tainted, built (at any step back) on a snapshot the policy no longer allows, or of another architecture.
/// </summary>
internal static class RunInitialisation
{
    /// <summary>The session a run starts with: fresh, or with the source checkpoint's networks (the resolved source is in its options).</summary>
    public static TrainingSession CreateSession(Workspace workspace, GovernanceSession governance, TrainingOptions options, TrainingSet data, TorchSharp.torch.Device device)
    {
        if (options.InitFrom is not { } request) return TrainingSession.Create(options, data.Labels, data.SnapshotRoot, device);
        var (source, content) = Open(workspace, governance, request, options, data.Labels);
        var session = TrainingSession.Create(options with { InitFrom = source }, data.Labels, data.SnapshotRoot, device);
        try { session.LoadNetworks(content); }
        catch { session.Dispose(); throw; }
        return session;
    }

    public static (InitSource Source, CheckpointContent Content) Open(Workspace workspace, GovernanceSession governance, InitSource request, TrainingOptions options, LabelSpace labels)
    {
        var catalog = workspace.Catalog;
        var what = $"--init-from {request}";
        var run = catalog.GetRun(request.Run) ?? throw new TrainingException("unknown-run", $"{what}: no run named '{request.Run}' (see `atelier runs list`)");
        CheckpointRecord record;
        if (request.CheckpointId is { } pinned)
        {
            // A resumed run that had written no checkpoint yet starts again from exactly the checkpoint it was given.
            record = catalog.GetCheckpoint(pinned) is { RunId: var owner, Deleted: false } found && owner == run.Id ? found
                : throw new TrainingException("checkpoint-missing", $"{what}: checkpoint {pinned} of run {run.Name} is no longer on disk");
        }
        else
        {
            try { record = Sampler.PickCheckpoint(catalog, run, request.Checkpoint); }
            catch (TrainingException e) { throw new TrainingException(e.Code, $"{what}: {e.Message}"); }
        }
        if (catalog.TaintsOf(TaintKind.Checkpoint, record.Id) is [var taint, ..])
            throw new AtelierException("tainted", $"{what}: checkpoint {record.Id} of run {run.Name} is tainted and cannot initialise a run: {taint.Cause}");
        // The source's weights hold its images: each snapshot they were trained on, back through its own --init-from, must still pass.
        foreach (var ancestor in Ancestors(catalog, run))
        {
            try { PolicyGate.EnsureSnapshotUsable(governance, catalog.GetSnapshot(ancestor.SnapshotId)!, PolicyStage.TrainingStart); }
            catch (PolicyRefusedException e) { throw new PolicyRefusedException($"{what}: run {ancestor.Name} was trained on {e.Message}", e.Report); }
        }

        var path = Path.Combine(new RunFolder(workspace, run.Name).Checkpoints, record.FileName);
        CheckpointContent content;
        string sha;
        try
        {
            content = CheckpointFile.Load(path);
            using var stream = File.OpenRead(path);
            sha = Convert.ToHexStringLower(SHA256.HashData(stream));
        }
        catch (TrainingException e) { throw new TrainingException(e.Code, $"{what}: {e.Message}"); }
        catch (IOException e) { throw new TrainingException("checkpoint-read", $"{what}: cannot read {path}: {e.Message.ReplaceLineEndings(" ")}"); }
        if (sha != (request.Sha256 ?? record.Sha256))
            throw new TrainingException("checkpoint-changed", $"{what}: {path} is not the checkpoint {record.Id} the catalog recorded (SHA-256 {sha[..12]}, recorded {record.Sha256[..12]})");

        var (sourceOptions, sourceLabels) = TrainingSession.ReadArchitecture(content);
        var differences = Differences(NetworkSpec.Default(sourceOptions.Model, sourceOptions.Resolution, sourceLabels.Dim),
            NetworkSpec.Default(options.Model, options.Resolution, labels.Dim), sourceLabels, labels);
        if (differences.Count > 0)
            throw new TrainingException("init-mismatch", $"{what}: the architectures do not fit: {string.Join("; ", differences)} (run {run.Name} against this run); " +
                                                         "train with the same --model, --resolution and conditioning, or from scratch");
        return (request with { Checkpoint = record.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), CheckpointId = record.Id, Sha256 = sha, ImagesSeen = record.ImagesSeen }, content);
    }

    /// <summary>The run and the runs its weights came from, nearest first.</summary>
    private static IEnumerable<RunRecord> Ancestors(Catalog.Catalog catalog, RunRecord run)
    {
        var seen = new HashSet<long>();
        for (RunRecord? r = run; r is not null && seen.Add(r.Id);)
        {
            yield return r;
            r = r.InitCheckpointId is { } id && catalog.GetCheckpoint(id) is { } c ? catalog.GetRun(c.RunId) : null;
        }
    }

    private static List<string> Differences(NetworkSpec source, NetworkSpec target, LabelSpace sourceLabels, LabelSpace labels)
    {
        var list = new List<string>();
        if (source.Kind != target.Kind) list.Add($"model {Name(source.Kind)} against {Name(target.Kind)}");
        if (source.Resolution != target.Resolution) list.Add($"resolution {source.Resolution} against {target.Resolution}");
        if (source.LatentDim != target.LatentDim) list.Add($"latent dimension {source.LatentDim} against {target.LatentDim}");
        if (source.LabelDim != target.LabelDim) list.Add($"label dimension {source.LabelDim} ({Describe(sourceLabels)}) against {target.LabelDim} ({Describe(labels)})");
        if (source.Width != target.Width) list.Add($"width {source.Width} against {target.Width}");
        return list;
    }

    private static string Name(ModelKind kind) => kind.ToString().ToLowerInvariant();

    private static string Describe(LabelSpace labels) => labels.Mode switch
    {
        ConditioningMode.None => "unconditional",
        ConditioningMode.Category => $"classes of '{labels.Category}'",
        _ => "multi-label",
    };
}
