using Atelier.Catalog;
using Atelier.Datasets;
using Atelier.Governance;
using Atelier.Training.Checkpoints;
using Atelier.Training.Data;
using Atelier.Training.Networks;
using Atelier.Training.Runs;
using static TorchSharp.torch;

namespace Atelier.Training.Tests;

/// <summary><c>--init-from</c>: a run whose G, D and G_ema start from an earlier run's checkpoint, and nothing else.</summary>
public class InitFromTests
{
    static InitFromTests() => TorchRuntime.EnsureLoadable();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static TrainingOptions Dcgan(string name, double kimg = 0.064, string dataset = "tiny") => TrainingOptions.Defaults(ModelKind.Dcgan, dataset, name) with
    {
        Resolution = 32, Kimg = kimg, Batch = 16, SnapshotKimg = 0.032, TickKimg = 0.016, GridSize = 4, Device = "cpu",
    };

    private static TrainingOptions Modern(string name, string dataset = "tiny") => TrainingOptions.Defaults(ModelKind.Modern, dataset, name) with
    {
        Resolution = 32, Kimg = 0.032, Batch = 8, SnapshotKimg = 0.016, TickKimg = 0.016, GridSize = 4, Device = "cpu", EmaKimg = 0.01,
    };

    private static CheckpointContent Latest(TinyDataset data, string run) =>
        CheckpointFile.Load(Path.Combine(data.RunDirectory(run), "checkpoints", Sampler.PickCheckpoint(data.Ws.Catalog, data.Ws.Catalog.GetRun(run)!, "latest").FileName));

    private static TrainingSet Open(TinyDataset data, TrainingOptions options) =>
        TrainingSet.Open(TrainingExports.Prepare(data.Ws, data.Ws.Catalog.GetSnapshot(options.Dataset)!, options.Resolution, Token),
            ConditioningRequest.Parse(options.Conditioning), options.Resolution);

    [Fact]
    public void AtStepZeroTheNetworksAreTheSourcesAndTheOptimizersCountersAugmentationAndRandomNumbersAreFresh()
    {
        using var data = new TinyDataset(count: 16);
        Trainer.Start(data.Ws, Modern("src"), null, Token);
        var source = Latest(data, "src");
        var record = Sampler.PickCheckpoint(data.Ws.Catalog, data.Ws.Catalog.GetRun("src")!, "latest");

        var options = Modern("dst") with { Seed = 5, InitFrom = InitSource.Parse("src") };
        using var set = Open(data, options);
        using var session = RunInitialisation.CreateSession(data.Ws, GovernanceSession.For(data.Ws), options, set, CPU);
        using var fresh = TrainingSession.Create(options with { InitFrom = null }, set.Labels, set.SnapshotRoot, CPU);

        // The EMA keeps G_ema apart from G in the source, so each network is checked against its own section.
        Assert.False(source.Sections["G"].AsSpan().SequenceEqual(source.Sections["G_ema"]));
        Assert.True(TorchState.Save(session.G).AsSpan().SequenceEqual(source.Sections["G"]), "G differs from the source's");
        Assert.True(TorchState.Save(session.D).AsSpan().SequenceEqual(source.Sections["D"]), "D differs from the source's");
        Assert.True(TorchState.Save(session.GEma).AsSpan().SequenceEqual(source.Sections["G_ema"]), "G_ema differs from the source's");
        Assert.False(TorchState.Save(fresh.G).AsSpan().SequenceEqual(source.Sections["G"]));

        foreach (var (mine, theirs, name) in new[] { (session.OptimizerG, fresh.OptimizerG, "optimizer_G"), (session.OptimizerD, fresh.OptimizerD, "optimizer_D") })
        {
            Assert.True(TorchState.Save(mine).AsSpan().SequenceEqual(TorchState.Save(theirs)), $"{name} is not a fresh Adam");
            Assert.False(TorchState.Save(mine).AsSpan().SequenceEqual(source.Sections[name]), $"{name} was taken from the source");
        }
        Assert.Equal((0L, 0L, 0.0), (session.Images, session.Steps, session.AugmentP));
        // The new run's own seed for the rest: its random numbers are where a run from scratch with seed 5 has them.
        Assert.True(TorchState.SaveRng(session.Random).AsSpan().SequenceEqual(TorchState.SaveRng(fresh.Random)));
        Assert.False(TorchState.SaveRng(session.Random).AsSpan().SequenceEqual(source.Sections["rng"]));

        var pinned = session.Options.InitFrom!;
        Assert.Equal((record.Id, record.Sha256, record.ImagesSeen, record.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            (pinned.CheckpointId!.Value, pinned.Sha256, pinned.ImagesSeen!.Value, pinned.Checkpoint));
    }

    [Fact]
    public void ARunStartedFromACheckpointTrainsFromItsWeightsAndRecordsWhereTheyCameFrom()
    {
        using var data = new TinyDataset(count: 16);
        Trainer.Start(data.Ws, Modern("src"), null, Token);
        var best = Sampler.PickCheckpoint(data.Ws.Catalog, data.Ws.Catalog.GetRun("src")!, "best");
        var first = data.Ws.Catalog.ListCheckpoints(data.Ws.Catalog.GetRun("src")!.Id)[0];
        var source = CheckpointFile.Load(Path.Combine(data.RunDirectory("src"), "checkpoints", first.FileName));

        // With a learning rate of 0 Adam moves nothing, and the modern networks keep no running statistics: what the run
        // saves is exactly what it started from.
        var result = Trainer.Start(data.Ws, Modern("dst") with { LearningRateG = 0, LearningRateD = 0, InitFrom = InitSource.Parse($"src:{first.Id}") }, null, Token);
        var saved = CheckpointFile.Load(result.LatestCheckpoint!);
        Assert.True(saved.Sections["G"].AsSpan().SequenceEqual(source.Sections["G"]), "G moved away from the source");
        Assert.True(saved.Sections["D"].AsSpan().SequenceEqual(source.Sections["D"]), "D moved away from the source");

        var run = data.Ws.Catalog.GetRun("dst")!;
        Assert.Equal(first.Id, run.InitCheckpointId);
        var stored = TrainingOptions.FromJson(run.Config).InitFrom!;
        Assert.Equal(("src", first.Id, first.Sha256), (stored.Run, stored.CheckpointId!.Value, stored.Sha256));
        Assert.Equal(stored, TrainingSession.ReadArchitecture(saved).Options.InitFrom);
        Assert.Equal(["dst"], data.Ws.Catalog.RunsInitialisedFrom(first.Id).Select(r => r.Name));

        var start = GovernanceSession.For(data.Ws).Audit.Find(new Governance.Audit.AuditQuery(Kind: "checkpoint", Reference: first.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            .Single(e => e.Action == Governance.Audit.AuditAction.TrainingStart);
        Assert.Contains("\"initFrom\":{\"run\":\"src\"", start.Detail);
        Assert.Contains(first.Sha256, start.Detail);

        // "best" picks the best-scored checkpoint, as `sample --checkpoint best` does.
        Trainer.Start(data.Ws, Modern("dst2") with { InitFrom = InitSource.Parse("src:best") }, null, Token);
        Assert.Equal(best.Id, data.Ws.Catalog.GetRun("dst2")!.InitCheckpointId);
    }

    [Theory]
    [InlineData("model")]
    [InlineData("resolution")]
    [InlineData("labels")]
    public void ArchitecturesThatDoNotFitAreRefusedNamingWhatDiffers(string what)
    {
        using var data = new TinyDataset(count: 16);
        Trainer.Start(data.Ws, Dcgan("src", kimg: 0.032), null, Token);
        var (options, expected) = what switch
        {
            "model" => (Modern("dst"), new[] { "model dcgan against modern", "latent dimension 100 against 128" }),
            "resolution" => (Dcgan("dst") with { Resolution = 64 }, new[] { "resolution 32 against 64" }),
            _ => (Dcgan("dst") with { Conditioning = "shape" }, new[] { "label dimension 0 (unconditional) against 2 (classes of 'shape')" }),
        };
        var e = Assert.Throws<TrainingException>(() => Trainer.Start(data.Ws, options with { InitFrom = InitSource.Parse("src") }, null, Token));
        Assert.Equal("init-mismatch", e.Code);
        foreach (var part in expected) Assert.Contains(part, e.Message);
        Assert.StartsWith("--init-from src:latest: the architectures do not fit", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Null(data.Ws.Catalog.GetRun("dst"));
    }

    [Theory]
    [InlineData("unknown-run")]
    [InlineData("unknown-checkpoint")]
    [InlineData("bad-checkpoint-name")]
    [InlineData("bad-init-from")]
    [InlineData("checkpoint-missing")]
    [InlineData("checkpoint-corrupt")]
    [InlineData("checkpoint-changed")]
    [InlineData("tainted")]
    [InlineData("policy-refused")]
    public void ASourceThatCannotBeUsedIsRefusedWithItsReasonBeforeAnythingIsRecorded(string code)
    {
        using var data = new TinyDataset(count: 16);
        Snapshots.Create(data.Ws, "squares", "tag:square");
        Trainer.Start(data.Ws, Dcgan("src"), null, Token);
        var catalog = data.Ws.Catalog;
        var records = catalog.ListCheckpoints(catalog.GetRun("src")!.Id);
        string File(CheckpointRecord r) => Path.Combine(data.RunDirectory("src"), "checkpoints", r.FileName);
        var from = "src";
        var disc = catalog.ImagesOfSnapshot(catalog.GetSnapshot("tiny")!.Id).Except(catalog.ImagesOfSnapshot(catalog.GetSnapshot("squares")!.Id)).First();
        switch (code)
        {
            case "unknown-run": from = "nope"; break;
            case "unknown-checkpoint": from = "src:999"; break;
            case "bad-checkpoint-name": from = "src:newest"; break;
            case "bad-init-from": from = "src:"; break;
            case "checkpoint-missing": System.IO.File.Delete(File(records[^1])); break;
            case "checkpoint-corrupt":
                var bytes = System.IO.File.ReadAllBytes(File(records[^1]));
                bytes[^10] ^= 0xFF;
                System.IO.File.WriteAllBytes(File(records[^1]), bytes);
                break;
            // Another valid checkpoint under the recorded name is not the checkpoint the catalog knows.
            case "checkpoint-changed": System.IO.File.Copy(File(records[0]), File(records[^1]), overwrite: true); break;
            case "tainted": catalog.TaintDownstream([disc], "consent-revoked", "3", "consent 3 of S-1 was revoked: withdrawn"); break;
            // A disc (in src's snapshot, not in squares) rated explicit without a consenting subject: src's data no longer passes.
            default:
                Governance.Annotations.Rate(GovernanceSession.For(data.Ws), Selector.Parse(disc.ToString(System.Globalization.CultureInfo.InvariantCulture)), "explicit");
                break;
        }
        var e = Assert.ThrowsAny<AtelierException>(() => Trainer.Start(data.Ws, Dcgan("dst", dataset: "squares") with { InitFrom = InitSource.Parse(from) }, null, Token));
        Assert.Equal(code == "bad-checkpoint-name" ? "unknown-checkpoint" : code, e.Code);
        Assert.StartsWith("--init-from", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        if (code == "tainted") Assert.Contains("consent 3 of S-1 was revoked: withdrawn", e.Message);
        if (code == "policy-refused") Assert.Contains("run src was trained on dataset 'tiny'", e.Message);
        Assert.Null(catalog.GetRun("dst"));
    }

    [Theory]
    [InlineData("dcgan", 2)]
    [InlineData("modern", 1)]
    public void WithFreezeDTheFirstBlocksOfDStayAsTheSourceLeftThemAndTheRestTrains(string model, int frozen)
    {
        using var data = new TinyDataset(count: 16);
        var options = model == "dcgan" ? Dcgan("src", kimg: 0.032) : Modern("src");
        Trainer.Start(data.Ws, options, null, Token);
        var source = Latest(data, "src");
        var result = Trainer.Start(data.Ws, options with { Name = "dst", Seed = 3, InitFrom = InitSource.Parse("src"), FreezeD = frozen }, null, Token);
        Assert.Equal(frozen, TrainingOptions.FromJson(data.Ws.Catalog.GetRun("dst")!.Config).FreezeD);

        using var before = Discriminator(options, source);
        using var after = Discriminator(options, CheckpointFile.Load(result.LatestCheckpoint!));
        Assert.True(before.Blocks.Count > frozen);
        for (int b = 0; b < before.Blocks.Count; b++)
        {
            var same = before.Blocks[b].Zip(after.Blocks[b]).All(p => p.First.equal(p.Second).all().item<bool>());
            Assert.True(same == b < frozen, $"block {b} of {before.Blocks.Count}: {(same ? "unchanged" : "moved")} with the first {frozen} frozen");
        }
        // The optimizer is given only the parameters outside the frozen blocks.
        using var fresh = Discriminator(options with { FreezeD = frozen, InitFrom = InitSource.Parse("src") }, source);
        Assert.Equal(before.parameters().Count() - before.Blocks.Take(frozen).Sum(b => b.Count), fresh.Trainable().Count());
    }

    /// <summary>A D of the run's architecture holding a checkpoint's weights, frozen as <paramref name="options"/> say.</summary>
    private static Networks.Discriminator Discriminator(TrainingOptions options, CheckpointContent checkpoint)
    {
        using var random = new TorchSharp.torch.Generator(0, CPU);
        var d = GanNetworks.CreateDiscriminator(NetworkSpec.Default(options.Model, options.Resolution, 0), random);
        TorchState.Load(d, checkpoint.Sections["D"]);
        d.Freeze(options.FreezeD);
        return d;
    }

    [Theory]
    [InlineData(1, false, "freeze-needs-init-from")]
    [InlineData(4, true, "bad-freeze-d")]
    [InlineData(-1, true, "bad-freeze-d")]
    public void AFreezeDThatCannotWorkIsRefusedBeforeAnythingIsRecorded(int frozen, bool withSource, string code)
    {
        using var data = new TinyDataset(count: 16);
        Trainer.Start(data.Ws, Dcgan("src", kimg: 0.032), null, Token);
        var e = Assert.Throws<TrainingException>(() =>
            Trainer.Start(data.Ws, Dcgan("dst") with { FreezeD = frozen, InitFrom = withSource ? InitSource.Parse("src") : null }, null, Token));
        Assert.Equal(code, e.Code);
        Assert.StartsWith("--freeze-d", e.Message);
        if (withSource) Assert.Contains("D of dcgan at 32 px has 3 blocks, so 0..3", e.Message);
        Assert.Null(data.Ws.Catalog.GetRun("dst"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void AResumedRunContinuesFromItsOwnCheckpointWithoutTheSourceAndEqualsAnUninterruptedOne(int frozen)
    {
        using var data = new TinyDataset(count: 16);
        Trainer.Start(data.Ws, Dcgan("src"), null, Token);
        var options = Dcgan("whole", kimg: 0.096) with { Seed = 9, InitFrom = InitSource.Parse("src"), FreezeD = frozen };
        var whole = Trainer.Start(data.Ws, options, null, Token);

        using var cancel = new CancellationTokenSource();
        var first = Trainer.Start(data.Ws, options with { Name = "split" }, new SyncProgress(t => { if (t.Images >= 32) cancel.Cancel(); }), cancel.Token);
        Assert.Equal((RunStatus.Stopped, 32L), (first.Status, first.Images));
        // The source's files are gone: a resume that went back to them would fail.
        foreach (var f in Directory.GetFiles(Path.Combine(data.RunDirectory("src"), "checkpoints"))) File.Delete(f);
        var resumed = Trainer.Resume(data.Ws, "split", null, null, Token);
        Assert.Equal((RunStatus.Finished, 96L), (resumed.Status, resumed.Images));
        var a = CheckpointFile.Load(whole.LatestCheckpoint!);
        var b = CheckpointFile.Load(resumed.LatestCheckpoint!);
        foreach (var section in new[] { "G", "D", "G_ema", "optimizer_G", "optimizer_D", "rng" })
            Assert.True(a.Sections[section].AsSpan().SequenceEqual(b.Sections[section]), $"section {section} differs after resume");
    }

    [Fact]
    public void ARunStoppedBeforeItsFirstCheckpointStartsAgainFromThePinnedSourceAndATaintSinceStopsIt()
    {
        using var data = new TinyDataset(count: 16);
        Snapshots.Create(data.Ws, "squares", "tag:square");
        Trainer.Start(data.Ws, Dcgan("src"), null, Token);
        // Exported beforehand: a run asked to stop before it starts then stops before its first step, not in the export.
        Open(data, Dcgan("x", dataset: "squares")).Dispose();
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var stopped = Trainer.Start(data.Ws, Dcgan("dst", dataset: "squares") with { InitFrom = InitSource.Parse("src:latest") }, null, cancelled.Token);
        Assert.Equal((RunStatus.Stopped, 0L), (stopped.Status, stopped.Images));
        Assert.Empty(data.Ws.Catalog.ListCheckpoints(data.Ws.Catalog.GetRun("dst")!.Id));

        // src trains on: its latest checkpoint is no longer the one dst was pinned to, which dst starts again from.
        var pinned = data.Ws.Catalog.GetRun("dst")!.InitCheckpointId!.Value;
        Trainer.Resume(data.Ws, "src", 0.096, null, Token);
        Assert.NotEqual(pinned, Sampler.PickCheckpoint(data.Ws.Catalog, data.Ws.Catalog.GetRun("src")!, "latest").Id);
        using var set = Open(data, Dcgan("x", dataset: "squares"));
        using var again = RunInitialisation.CreateSession(data.Ws, GovernanceSession.For(data.Ws), TrainingOptions.FromJson(data.Ws.Catalog.GetRun("dst")!.Config), set, CPU);
        var source = CheckpointFile.Load(Path.Combine(data.RunDirectory("src"), "checkpoints", data.Ws.Catalog.GetCheckpoint(pinned)!.FileName));
        Assert.True(TorchState.Save(again.G).AsSpan().SequenceEqual(source.Sections["G"]));

        // A consent withdrawn from an image dst never saw, but src did, reaches dst: it is not trained further.
        var catalog = data.Ws.Catalog;
        var disc = catalog.ImagesOfSnapshot(catalog.GetSnapshot("tiny")!.Id).Except(catalog.ImagesOfSnapshot(catalog.GetSnapshot("squares")!.Id)).First();
        var count = Governance.Lineage.Revocation.Taint(GovernanceSession.For(data.Ws), [disc], Governance.Lineage.Revocation.ConsentRevoked, "4", "consent 4 of S-2 was revoked: withdrawn");
        Assert.Equal((1, 2), (count.Snapshots, count.Runs));
        var e = Assert.ThrowsAny<AtelierException>(() => Trainer.Resume(data.Ws, "dst", null, null, Token));
        Assert.Equal("tainted", e.Code);
        Assert.Contains("consent 4 of S-2 was revoked: withdrawn", e.Message);
    }

    private sealed class SyncProgress(Action<TrainingTick> action) : IProgress<TrainingTick>
    {
        public void Report(TrainingTick value) => action(value);
    }
}
