using System.Text.Json;
using System.Text.Json.Nodes;
using Atelier.Catalog;
using Atelier.Governance;
using Atelier.Governance.Access;
using Atelier.Governance.Audit;
using Atelier.Governance.Lineage;
using Atelier.Training.Checkpoints;
using TorchSharp;
using TorchSharp.PyBridge;

namespace Atelier.Training.Runs;

public enum ModelFormat { PyTorch, Safetensors }

public sealed record ModelExportResult(string Path, string DescriptorPath, string Sha256, long CheckpointId, long CheckpointImages);

/// <summary>
/// Hands a run's generator average to Python users: a PyTorch state_dict (.pt, torch.load) or a
/// safetensors file, and beside it a JSON descriptor saying which network, size, latent and labels.
/// </summary>
public static class ModelExport
{
    public static ModelExportResult Run(Workspace workspace, string runName, string checkpoint, ModelFormat format, string outputPath)
    {
        TorchRuntime.EnsureLoadable();
        var run = workspace.Catalog.GetRun(runName) ?? throw new TrainingException("unknown-run", $"no run named '{runName}' (see `atelier runs list`)");
        var record = Sampler.PickCheckpoint(workspace.Catalog, run, checkpoint);
        var governance = GovernanceSession.For(workspace);
        governance.Actor.Require(Role.Reviewer, "export models");
        // A tainted generator must not leave the workspace by another door than sampling.
        Revocation.EnsureUsable(workspace.Catalog, record, run.Name);
        string source = Path.Combine(new RunFolder(workspace, run.Name).Checkpoints, record.FileName);
        var (generator, options, labels) = TrainingSession.LoadGenerator(CheckpointFile.Load(source), torch.CPU);
        using var _ = generator;
        string path = Path.GetFullPath(outputPath);
        string sha256;
        using (var weights = new MemoryStream())
        {
            if (format == ModelFormat.PyTorch) generator.save_py(weights, leaveOpen: true);
            else generator.save_safetensors(weights, leaveOpen: true);
            var bytes = weights.GetBuffer().AsSpan(0, (int)weights.Length);
            AtomicFile.WriteAllBytes(path, bytes);
            // Of the bytes written here: another export to the same path may replace the file right after.
            sha256 = BlobStore.Sha256Hex(bytes);
        }
        var descriptor = new JsonObject
        {
            ["format"] = "atelier.generator/1",
            ["weights"] = Path.GetFileName(path),
            ["weightsFormat"] = format == ModelFormat.PyTorch ? "pytorch-state-dict" : "safetensors",
            ["network"] = JsonSerializer.SerializeToNode(generator.Spec, TrainingOptions.Json),
            ["input"] = "z ~ N(0, I) of shape [B, latentDim]; labels float [B, labelDim] (one-hot or multi-hot, empty when labelDim is 0)",
            ["output"] = "images [B, 3, resolution, resolution] in [-1, 1]",
            ["labels"] = JsonSerializer.SerializeToNode(labels, TrainingOptions.Json),
            ["run"] = run.Name,
            ["snapshotRoot"] = run.SnapshotRoot,
            ["checkpointSha256"] = record.Sha256,
            ["checkpointImages"] = record.ImagesSeen,
            ["software"] = Trainer.Software,
        };
        string descriptorPath = Path.ChangeExtension(path, ".json");
        AtomicFile.WriteAllBytes(descriptorPath, System.Text.Encoding.UTF8.GetBytes(descriptor.ToJsonString(new JsonSerializerOptions { WriteIndented = true })));
        governance.Record(AuditAction.ModelExport, new { run = run.Name, checkpoint = record.Id, checkpointSha256 = record.Sha256, format = format.ToString(), path },
            GovernanceSession.Ref("run", run.Id), GovernanceSession.Ref("checkpoint", record.Id));
        return new ModelExportResult(path, descriptorPath, sha256, record.Id, record.ImagesSeen);
    }
}
