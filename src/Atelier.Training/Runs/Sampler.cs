using System.Text.Json;
using Atelier.Catalog;
using Atelier.Governance;
using Atelier.Governance.Access;
using Atelier.Governance.Audit;
using Atelier.Governance.Lineage;
using Atelier.Training.Checkpoints;
using Atelier.Training.Data;
using Atelier.Training.Reporting;
using TorchSharp;
using static TorchSharp.torch;

namespace Atelier.Training.Runs;

/// <summary>What to draw for <c>atelier sample</c>: <paramref name="Count"/> images of seed <paramref name="Seed"/> from a run's checkpoint.</summary>
public sealed record SampleRequest(string Run, string Checkpoint, int Count, long Seed, IReadOnlyList<string> Tags, string Device = "auto");

/// <summary>Candidate sample <see cref="Index"/> of its seed, in memory: uint8 HWC RGB, the run's resolution square.</summary>
public sealed record SampleCandidate(int Index, byte[] Pixels, IReadOnlyList<string> Labels);

/// <summary>Candidates drawn for sampling, not yet written or recorded: nothing has left the model.</summary>
public sealed record SampleCandidates(RunRecord Run, CheckpointRecord Checkpoint, int Resolution, long Seed, IReadOnlyList<string> Tags, IReadOnlyList<SampleCandidate> Candidates);

/// <summary>A candidate written to <see cref="Path"/> (file bytes hashed to <see cref="Sha256"/>), in <see cref="Format"/> (png or jpeg), carrying <see cref="MarkPayload"/> (16 hex digits) when marked.</summary>
public sealed record WrittenSample(int Index, string Path, string Sha256, IReadOnlyList<string> Labels, string Format, string? MarkPayload);

/// <summary>
/// A candidate kept back because it came too close to a training image: <see cref="Reason"/> names the measures, and each
/// distance comes with the training image it was measured to (null: that measure was not taken).
/// </summary>
public sealed record WithheldSample(int Index, string Reason, int? PdqDistance, long? PdqImageId, double? FeatureDistance, long? FeatureImageId,
    double? PixelDistance, long? PixelImageId);

/// <summary>What one sampling recorded: the written samples with their catalog ids, and the withheld candidates.</summary>
public sealed record RecordedSamples(IReadOnlyList<(long Id, WrittenSample Sample)> Written, IReadOnlyList<(long Id, WithheldSample Candidate)> Withheld);

/// <summary>Generated images in memory: uint8 HWC RGB, <see cref="Resolution"/> square.</summary>
/// <param name="Classes">Class runs: the class (an index into <paramref name="Labels"/>) each image was drawn for; empty otherwise.</param>
public sealed record DrawnImages(RunRecord Run, CheckpointRecord Checkpoint, int Resolution, IReadOnlyList<byte[]> Pixels, LabelSpace Labels, IReadOnlyList<int> Classes);

/// <summary>
/// The one path by which images leave a trained model, in two calls around whatever checks and marks them:
/// <see cref="DrawSamples"/> picks the checkpoint and generates from G_ema in memory (nothing written);
/// <see cref="Record"/> records the samples that were written (run, checkpoint, seed, index, labels, format, mark)
/// and the candidates withheld, with their audit entries. Sample i of seed S is the same image whatever N is, so a
/// sample can be regenerated from its record.
/// </summary>
public static class Sampler
{
    public const int MaxCount = 10_000;

    public static SampleCandidates DrawSamples(Workspace workspace, SampleRequest request, CancellationToken cancellation = default)
    {
        if (request.Count is < 1 or > MaxCount) throw new TrainingException("bad-count", $"--n {request.Count} is outside 1..{MaxCount}");
        var (_, run, record, _, device) = OpenCheckpoint(workspace, request.Run, request.Checkpoint, request.Device, "sample from models");
        var content = CheckpointFile.Load(Path.Combine(new RunFolder(workspace, run.Name).Checkpoints, record.FileName));
        var (generator, options, labels) = TrainingSession.LoadGenerator(content, device);
        using var _ = generator;
        var labelOf = LabelsFor(labels, request.Tags);

        var candidates = new List<SampleCandidate>(request.Count);
        using var noGrad = no_grad();
        for (int i = 0; i < request.Count; i++)
        {
            cancellation.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            // One at a time, each from its own latent: sample i is the same image whatever N is.
            var z = Latent(request.Seed, i, generator.Spec.LatentDim).to(device);
            var (vector, names) = labelOf(i);
            var image = generator.call(z, tensor(vector, [1, labels.Dim]).to(device));
            candidates.Add(new SampleCandidate(i, SampleGrid.ToBytes(image), names));
        }
        return new SampleCandidates(run, record, options.Resolution, request.Seed, request.Tags, candidates);
    }

    /// <summary>
    /// Records the written samples and the withheld candidates of one draw, and their audit entries, in one transaction.
    /// The checkpoint's taints are asked again under the write lock: a consent revoked while the images were being made
    /// reaches them too, and then the written files are deleted and nothing is recorded.
    /// </summary>
    public static RecordedSamples Record(Workspace workspace, SampleCandidates drawn, IReadOnlyList<WrittenSample> written, IReadOnlyList<WithheldSample> withheld,
        object? checks = null)
    {
        var catalog = workspace.Catalog;
        var governance = GovernanceSession.For(workspace);
        var (run, record) = (drawn.Run, drawn.Checkpoint);
        using var tx = catalog.BeginTransaction();
        try { Revocation.EnsureUsable(catalog, record, run.Name); }
        catch (AtelierException)
        {
            foreach (var g in written) File.Delete(g.Path);
            throw;
        }
        var samples = written.Select(g => (catalog.AddSample(run.Id, record.Id, drawn.Seed, g.Index,
            g.Labels.Count == 0 ? null : JsonSerializer.Serialize(g.Labels), g.Sha256, Path.GetFullPath(g.Path), g.MarkPayload, g.Format).Id, g)).ToList();
        var kept = withheld.Select(w => (catalog.AddWithheldSample(run.Id, record.Id, drawn.Seed, w.Index, w.Reason,
            w.PdqDistance, w.PdqImageId, w.FeatureDistance, w.FeatureImageId, w.PixelDistance, w.PixelImageId).Id, w)).ToList();
        if (samples.Count > 0)
            governance.Record(AuditAction.Sampling, new
                {
                    run = run.Name, checkpoint = record.Id, checkpointSha256 = record.Sha256, drawn.Seed, count = drawn.Candidates.Count, tags = drawn.Tags,
                    written = samples.Count, withheld = kept.Count, formats = samples.Select(s => s.g.Format).Distinct().ToList(),
                },
                [GovernanceSession.Ref("run", run.Id), GovernanceSession.Ref("checkpoint", record.Id), .. samples.Select(s => GovernanceSession.Ref("sample", s.Id))]);
        if (kept.Count > 0)
            governance.Record(AuditAction.SamplesWithheld, new
                {
                    run = run.Name, checkpoint = record.Id, checkpointSha256 = record.Sha256, drawn.Seed, withheld = kept.Select(k => new { k.w.Index, k.w.Reason }).ToList(), checks,
                },
                [GovernanceSession.Ref("run", run.Id), GovernanceSession.Ref("checkpoint", record.Id), .. kept.Select(k => GovernanceSession.Ref("withheld-sample", k.Id))]);
        tx.Commit();
        return new RecordedSamples(samples, kept);
    }

    /// <summary>
    /// Images of a run's generator average kept in memory, for measuring it (nothing is written or
    /// recorded: no image leaves). The same checks as <see cref="DrawSamples"/>; image i is made from the
    /// latent of sample i of <paramref name="seed"/>, drawn in batches. Class runs cycle through the classes.
    /// </summary>
    public static DrawnImages Draw(Workspace workspace, string runName, string checkpoint, int count, long seed, string device = "auto",
        CancellationToken cancellation = default)
    {
        if (count is < 1 or > MaxCount) throw new TrainingException("bad-count", $"--n {count} is outside 1..{MaxCount}");
        var (_, run, record, _, dev) = OpenCheckpoint(workspace, runName, checkpoint, device, "evaluate models");
        var content = CheckpointFile.Load(Path.Combine(new RunFolder(workspace, run.Name).Checkpoints, record.FileName));
        var (generator, options, labels) = TrainingSession.LoadGenerator(content, dev);
        using var _g = generator;
        if (labels.Mode == ConditioningMode.MultiLabel)
            throw new TrainingException("multi-label-run", $"run '{run.Name}' is conditioned on tags (multi-label): measuring it needs label sets to draw from, which is not supported yet");
        var pixels = Draw(generator, labels, options.Resolution, count, seed, dev, cancellation);
        var labelOf = LabelsFor(labels, []);
        var classes = labels.Mode == ConditioningMode.Category ? Enumerable.Range(0, count).Select(i => Array.IndexOf(labelOf(i).Vector, 1f)).ToList() : [];
        return new DrawnImages(run, record, options.Resolution, pixels, labels, classes);
    }

    /// <summary>
    /// <paramref name="count"/> images of a generator in memory (uint8 HWC RGB), image i from the latent of sample i of
    /// <paramref name="seed"/>; class runs cycle through the classes. The generator should be in eval mode. Training's
    /// evaluation draws its G_ema through this too, so its scores are what <c>atelier eval</c> gives the checkpoint.
    /// </summary>
    public static IReadOnlyList<byte[]> Draw(Networks.Generator generator, LabelSpace labels, int resolution, int count, long seed, Device device,
        CancellationToken cancellation = default)
    {
        if (labels.Mode == ConditioningMode.MultiLabel)
            throw new TrainingException("multi-label-run", "this run is conditioned on tags (multi-label): measuring it needs label sets to draw from, which is not supported yet");
        var labelOf = LabelsFor(labels, []);
        const int batch = 64;
        var pixels = new List<byte[]>(count);
        using var noGrad = no_grad();
        for (int start = 0; start < count; start += batch)
        {
            cancellation.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            int n = Math.Min(batch, count - start);
            var z = cat(Enumerable.Range(start, n).Select(i => Latent(seed, i, generator.Spec.LatentDim)).ToList(), 0).to(device);
            var y = tensor(Enumerable.Range(start, n).SelectMany(i => labelOf(i).Vector).ToArray(), [n, labels.Dim]).to(device);
            var bytes = SampleGrid.ToBytes(generator.call(z, y));
            int size = resolution * resolution * 3;
            for (int k = 0; k < n; k++) pixels.Add(bytes.AsSpan(k * size, size).ToArray());
        }
        return pixels;
    }

    /// <summary>The latent of sample <paramref name="index"/> of <paramref name="seed"/>: its own generator per (seed, index), so reproducible one by one.</summary>
    private static Tensor Latent(long seed, int index, int latentDim)
    {
        using var rng = new torch.Generator(unchecked((ulong)(seed * 1_000_003 + index)), CPU);
        return randn([1, latentDim], generator: rng);
    }

    /// <summary>The checks every use of a model passes: the role, a checkpoint on disk, and no taint.</summary>
    private static (Catalog.Catalog Catalog, RunRecord Run, CheckpointRecord Record, GovernanceSession Governance, Device Device) OpenCheckpoint(
        Workspace workspace, string runName, string checkpoint, string device, string purpose)
    {
        TorchRuntime.EnsureLoadable();
        var catalog = workspace.Catalog;
        var run = catalog.GetRun(runName) ?? throw new TrainingException("unknown-run", $"no run named '{runName}' (see `atelier runs list`)");
        var record = PickCheckpoint(catalog, run, checkpoint);
        var governance = GovernanceSession.For(workspace);
        governance.Actor.Require(Role.Reviewer, purpose);
        Revocation.EnsureUsable(catalog, record, run.Name);
        return (catalog, run, record, governance, Trainer.SelectDevice(device));
    }

    public static CheckpointRecord PickCheckpoint(Catalog.Catalog catalog, RunRecord run, string which)
    {
        var live = catalog.ListCheckpoints(run.Id).Where(c => !c.Deleted).ToList();
        if (live.Count == 0) throw new TrainingException("no-checkpoint", $"run '{run.Name}' has no checkpoint yet");
        return which switch
        {
            "latest" => live[^1],
            "best" => live.Where(c => c.Score is not null).MinBy(c => c.Score) ?? live[^1],
            _ when long.TryParse(which, out var id) => live.FirstOrDefault(c => c.Id == id)
                ?? throw new TrainingException("unknown-checkpoint", $"run '{run.Name}' has no checkpoint {id} on disk (ids: {string.Join(", ", live.Select(c => c.Id))})"),
            _ => throw new TrainingException("unknown-checkpoint", $"--checkpoint '{which}' must be latest, best or a checkpoint id"),
        };
    }

    /// <summary>
    /// The label vector of each sample. Class runs take the one class named in --tags, or cycle through
    /// the classes; multi-label runs need --tags; an unconditional run refuses tags (they would be ignored).
    /// </summary>
    private static Func<int, (float[] Vector, IReadOnlyList<string> Names)> LabelsFor(LabelSpace space, IReadOnlyList<string> tags)
    {
        if (space.Mode == ConditioningMode.None)
        {
            if (tags.Count > 0) throw new TrainingException("unconditional-run", "this run was trained without conditioning: --tags would be ignored");
            return _ => ([], []);
        }
        var indices = new List<int>();
        foreach (var tag in tags)
        {
            int index = space.Labels.IndexOf(tag);
            if (index < 0 && space.Category is { } c) index = space.Labels.IndexOf($"{c}:{tag}");
            if (index < 0) throw new TrainingException("unknown-label", $"'{tag}' is not one of the run's {space.Dim} labels (e.g. {string.Join(", ", space.Labels.Take(5))})");
            indices.Add(index);
        }
        if (space.Mode == ConditioningMode.Category && indices.Count > 1)
            throw new TrainingException("one-class", $"this run is conditioned on one '{space.Category}' class per image: give one tag, not {indices.Count}");
        if (space.Mode == ConditioningMode.MultiLabel && indices.Count == 0)
            throw new TrainingException("tags-required", "this run is conditioned on tags: say which with --tags");
        return i =>
        {
            var chosen = indices.Count > 0 ? indices : [i % space.Dim];
            var vector = new float[space.Dim];
            foreach (var k in chosen) vector[k] = 1;
            return (vector, chosen.Select(k => space.Labels[k]).ToList());
        };
    }
}
